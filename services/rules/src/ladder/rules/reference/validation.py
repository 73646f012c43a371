"""The rules a reference table obeys, checked before anything is stored (pure, no database).

Checked in stages, each refusing with its own code and every offending field: the regions
first (a bad code makes the rest meaningless), then repeats, then the values for the kind.
"""

from __future__ import annotations

from collections.abc import Sequence

from ladder.rules.reference.errors import (
    DuplicateRank,
    DuplicateRegion,
    IncompleteTable,
    InvalidRank,
    InvalidRegion,
    NegativeCount,
)
from ladder.rules.reference.kinds import SPECS, DatasetKind
from ladder.rules.reference.regions import XPCC, regions
from ladder.rules.reference.schemas import RowIn


def check_rows(kind: DatasetKind, rows: Sequence[RowIn]) -> None:
    spec = SPECS[kind]
    table = regions()

    def allowed(region: str) -> bool:
        return table.province(region) is not None or (spec.allows_xpcc and region == XPCC)

    bad = [
        (f"rows[{i}].region", f"{r.region!r} is not accepted in a {kind.value} table")
        for i, r in enumerate(rows)
        if not allowed(r.region)
    ]
    if bad:
        raise InvalidRegion(bad)
    _no_repeats(DuplicateRegion, [r.region for r in rows], "region")
    if spec.ranks:
        n = len(rows)
        bad = [
            (f"rows[{i}].value", f"rank {r.value} is outside 1..{n}")
            for i, r in enumerate(rows)
            if not 1 <= r.value <= n
        ]
        if bad:
            raise InvalidRank(bad, rows=n)
        _no_repeats(DuplicateRank, [r.value for r in rows], "value")
    else:
        bad = [
            (f"rows[{i}].value", f"count {r.value} is negative")
            for i, r in enumerate(rows)
            if r.value < 0
        ]
        if bad:
            raise NegativeCount(bad)


def expected_regions(kind: DatasetKind) -> list[str]:
    """Every region a complete table of `kind` has: the 31 provinces, and the XPCC where the
    kind allows it."""
    table = regions()
    return [p.code for p in table.provinces] + ([XPCC] if SPECS[kind].allows_xpcc else [])


def check_complete(kind: DatasetKind, rows: Sequence[RowIn]) -> None:
    """422 `incomplete_table` naming each region of the kind the rows leave out."""
    table = regions()
    present = {r.region for r in rows}
    missing = [code for code in expected_regions(kind) if code not in present]
    if missing:
        named = table.name_of
        raise IncompleteTable(
            [(f"rows[region={code}]", f"{named(code).name_en} is missing") for code in missing],  # type: ignore[union-attr]
            missing=missing,
        )


def _no_repeats(error: type[DuplicateRegion | DuplicateRank], values: list, name: str) -> None:
    first: dict[object, int] = {}
    bad = []
    for i, value in enumerate(values):
        if value in first:
            bad.append((f"rows[{i}].{name}", f"{value!r} already in rows[{first[value]}]"))
        else:
            first[value] = i
    if bad:
        raise error(bad)
