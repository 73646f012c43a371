"""One row of an import file, from cells to a checked self-assessment (or its problems).

Everything the declaration service can judge itself is judged here, per cell, so that a row
lists all its problems at once; 要素条件 themselves are the rules service's (see service.py).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from stdnum.cn import uscc as uscc_std
from stdnum.exceptions import ValidationError as StdnumError

from ladder.declaration import regions
from ladder.declaration.selfassessments.layout import Column
from ladder.declaration.selfassessments.problems import Problems
from ladder.declaration.vocabulary import Segment
from ladder.kit.inputs import text_problem

MAX_NAME = 200
MAX_BUILT = 2000
KPI_LIMIT = 1e9
SEGMENTS = frozenset(s.value for s in Segment)
_SPLIT_SEGMENTS = re.compile(r"[、;；,，\s]+")
_REGION = re.compile(r"^[1-8][0-9]{5}$")
_CMMM_WORDS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5}
_LEVEL_SUFFIX = re.compile(r"(级|level)$", re.IGNORECASE)
_YES = frozenset({"是", "y", "yes", "true", "1", "√", "✓", "符合"})
_NO = frozenset({"否", "n", "no", "false", "0", "×", "✗", "不符合"})
_NOT_APPLICABLE = frozenset({"不适用", "n/a", "na", "-", "—", "/"})


@dataclass(slots=True)
class Row:
    """A row whose every cell is valid, ready for the rules service and the database."""

    row_no: int
    uscc: str
    name: str
    region: str
    factory: str
    cmmm_level: int
    segments: list[dict[str, str | None]]  # [{segment, built}]
    attestations: dict[str, bool]
    kpis: dict[str, float | None]


def text(value: Any) -> str:
    """A cell as text: spreadsheets give numbers (350102.0) and booleans too."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def parse(
    row_no: int,
    cells: Sequence[Any],
    columns: Sequence[tuple[int, Column]],
    jurisdiction: str,
    problems: Problems,
) -> tuple[tuple[str, str] | None, Row | None]:
    """(the row's key if its USCC is valid, the row if every cell is valid)."""
    before = problems.count
    values: dict[str, Any] = {}
    built: dict[str, tuple[Column, str]] = {}
    attestations: dict[str, bool] = {}
    kpis: dict[str, float | None] = {}
    width = len(cells)

    def bad(column: Column, code: str, **args: Any) -> None:
        problems.add(row_no, column.key, column.header, code, **args)

    for index, column in columns:
        raw = cells[index] if index < width else None
        kind = column.kind
        if kind == "kpi":
            if raw is None or raw == "":
                continue
            if isinstance(raw, int | float) and not isinstance(raw, bool):
                number: float | None = float(raw)
            else:
                number = _number(text(raw))
                if number is None and text(raw).lower() in _NOT_APPLICABLE:
                    kpis[column.target or ""] = None
                    continue
            if number is None or not math.isfinite(number) or abs(number) > KPI_LIMIT:
                bad(column, "invalid_number", value=text(raw))
            else:
                kpis[column.target or ""] = number
            continue
        value = text(raw)
        if (reason := text_problem(value)) is not None:
            # NUL cannot be stored; other controls break the sheets written from the data.
            bad(column, "invalid_character", reason=reason)
            continue
        if not value:
            if column.required:
                bad(column, "required")
            continue
        if kind == "uscc":
            try:
                values["uscc"] = uscc_std.validate(value)
            except StdnumError as exc:
                bad(column, "invalid_uscc", reason=exc.message)
        elif kind in ("name", "factory"):
            if len(value) > MAX_NAME:
                bad(column, "too_long", limit=MAX_NAME)
            else:
                values[kind] = value
        elif kind == "region":
            if not (_REGION.match(value) and regions.is_known(value)):
                bad(column, "unknown_region", value=value)
            elif not value.startswith(jurisdiction):
                bad(column, "outside_jurisdiction", value=value)
            else:
                values["region"] = value
        elif kind == "cmmm":
            level = _cmmm(value)
            if level is None:
                bad(column, "invalid_cmmm_level", value=value)
            else:
                values["cmmm_level"] = level
        elif kind == "segments":
            names = [s for s in _SPLIT_SEGMENTS.split(value) if s]
            unknown = [s for s in names if s not in SEGMENTS]
            repeated = sorted({s for s in names if names.count(s) > 1})
            if unknown:
                bad(column, "unknown_segment", value="、".join(unknown))
            elif repeated:
                bad(column, "repeated_segment", value="、".join(repeated))
            elif not names:
                bad(column, "required")
            else:
                values["segments"] = names
        elif kind == "built":
            if len(value) > MAX_BUILT:
                bad(column, "too_long", limit=MAX_BUILT)
            else:
                built[column.target or ""] = (column, value)
        elif kind == "attest":
            answer = value.lower()
            if answer in _YES or answer in _NO:
                attestations.update(dict.fromkeys(column.facts, answer in _YES))
            else:
                bad(column, "invalid_attestation", value=value)

    segments = values.get("segments")
    if segments is not None:
        for segment, (column, _) in built.items():
            if segment not in segments:
                bad(column, "built_without_segment", value=segment)
    uscc = values.get("uscc")
    key = (uscc, values.get("factory", "")) if uscc is not None else None
    if problems.count != before:
        return key, None
    assert uscc is not None and segments is not None
    return key, Row(
        row_no=row_no,
        uscc=uscc,
        name=values["name"],
        region=values["region"],
        factory=values.get("factory", ""),
        cmmm_level=values["cmmm_level"],
        segments=[{"segment": s, "built": built[s][1] if s in built else None} for s in segments],
        attestations=attestations,
        kpis=kpis,
    )


def _number(value: str) -> float | None:
    cleaned = value.replace(" ", "").removesuffix("%").removesuffix("％")
    try:
        return float(cleaned)
    except ValueError:
        return None


def _cmmm(value: str) -> int | None:
    word = _LEVEL_SUFFIX.sub("", value.strip()).strip()
    level = _CMMM_WORDS.get(word)
    if level is None:
        try:
            number = float(word)
        except ValueError:
            return None
        if not number.is_integer():
            return None
        level = int(number)
    return level if 1 <= level <= 5 else None
