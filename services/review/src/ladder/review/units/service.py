"""Reading the registry of units: a filtered page, one unit, the chain of a factory."""

from __future__ import annotations

from ladder.kit.units import Kind, Level, Registry, Unit, registry
from ladder.review.errors import UnitNotFound
from ladder.review.units.schemas import CoversRead, UnitRead


def to_read(unit: Unit, units: Registry) -> UnitRead:
    regions, enterprises = units.carved_out(unit) if unit.through_regions else ((), ())
    return UnitRead(
        id=unit.id,
        name=unit.name,
        kind=unit.kind,
        level=unit.level,
        parent=unit.parent,
        covers=CoversRead(
            regions=list(unit.covers.regions), enterprises=list(unit.covers.enterprises)
        ),
        carved_out=CoversRead(regions=list(regions), enterprises=list(enterprises)),
        source=unit.source,
        note=unit.note,
        derived=unit.derived,
    )


def select(
    *,
    level: Level | None,
    kind: Kind | None,
    parent: str | None,
    region: str | None,
    enterprise: str | None,
) -> list[UnitRead]:
    """The listed units (provinces first) matching the filters; with `region`, instead the
    units a factory there (of `enterprise`) climbs, lowest first, derived ones included."""
    units = registry()
    chosen = units.path(region, enterprise) if region is not None else list(units.listed)
    return [
        to_read(u, units)
        for u in chosen
        if (level is None or u.level is level)
        and (kind is None or u.kind is kind)
        and (parent is None or u.parent == parent)
    ]


def one(unit_id: str) -> UnitRead:
    units = registry()
    unit = units.get(unit_id)
    if unit is None:
        raise UnitNotFound(details={"unit": unit_id})
    return to_read(unit, units)
