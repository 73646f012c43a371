"""Whose is a case: the one rule, shared by the services that hold the same case.

A submitted declaration is routed by the review service (`ladder.review.routing`) to a
recommending unit (推荐单位): a province (its code, 350000), the XPCC (`xpcc`), or a
central-SOE group headquarters (`soe:<group USCC>`). Who may see the case follows from that
unit, the factory's region and its enterprise, the same way in the review service (cases,
lists) and in the declaration service (the 申报书, its versions, PDF and evidence): the
declaration service learns the unit from the review service's events and applies this rule, so
the two never disagree.

An authority speaks for one unit of the registry (`ladder.kit.units`), named by its token's
role (the level) and `region` claim (a GB/T 2260 code, or a listed unit's id: `xpcc`,
`sh-lingang`); a central-SOE group HQ by its `org` (the group's USCC):

- a regional unit (county, city, province, 平潭, a 管委会) sees the cases routed through the
  regions — not those routed to the XPCC or a central SOE — of the factories it covers: its
  region prefixes and its listed enterprises, less what lies inside them but is held by a unit
  that does not report to it (福州 3501 does not see 平潭 350128; 浦东 does not see the
  enterprises of 临港新片区管委会);
- a central-SOE group HQ sees the cases routed to its group;
- the XPCC (a `province` token whose region is `xpcc`) sees the cases routed to it;
- the ministry sees every case; a token naming no unit at its level sees none.

It lives in the kit because it is the one piece of the access model two services must share
(like `Principal` itself); the routing that picks the unit stays in the review service.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, false, not_, or_

from ladder.kit.auth import Principal, Role
from ladder.kit.units import SOE_PREFIX, XPCC, Kind, Level, Registry, Unit, registry

__all__ = [
    "NOTHING",
    "SOE_PREFIX",
    "XPCC",
    "Reach",
    "reach",
    "reach_clauses",
    "unit_of",
]


def through_regions(recommending_unit: str) -> bool:
    """Whether a case routed to this unit goes up the regional chain (county → province)."""
    return recommending_unit != XPCC and not recommending_unit.startswith(SOE_PREFIX)


@dataclass(frozen=True)
class Reach:
    """The cases an authority sees: all, those of one recommending unit (`xpcc`,
    `soe:<USCC>`), or those routed through the regions of the factories a regional unit
    covers (region prefixes and enterprises, less what is carved out of them)."""

    everything: bool = False
    unit: str | None = None  # `xpcc` or `soe:<USCC>`
    regions: tuple[str, ...] = ()
    enterprises: tuple[str, ...] = ()
    excluded_regions: tuple[str, ...] = ()
    excluded_enterprises: tuple[str, ...] = ()
    holder: str | None = None  # who the authority is as a case's holder (unit id, group USCC)

    @property
    def nothing(self) -> bool:
        return not (self.everything or self.unit or self.regions or self.enterprises)

    def covers_factory(self, region_code: str | None, enterprise_uscc: str | None = None) -> bool:
        """Whether a regional unit covers a factory in `region_code` of `enterprise_uscc`
        (the ministry covers all; the XPCC and SOE groups no region)."""
        if self.everything:
            return True
        if enterprise_uscc is not None and enterprise_uscc in self.excluded_enterprises:
            return False
        if enterprise_uscc is not None and enterprise_uscc in self.enterprises:
            return True
        return (
            region_code is not None
            and region_code.startswith(self.regions)
            and not region_code.startswith(self.excluded_regions)
        )

    def covers(
        self, recommending_unit: str | None, region_code: str, enterprise_uscc: str | None = None
    ) -> bool:
        """Whether a case routed to `recommending_unit` for a factory in `region_code` of
        `enterprise_uscc` is in reach. A case not yet routed (None) is the ministry's only."""
        if self.everything:
            return True
        if recommending_unit is None:
            return False
        if self.unit is not None:
            return recommending_unit == self.unit
        return through_regions(recommending_unit) and self.covers_factory(
            region_code, enterprise_uscc
        )

    def holds_as(self, holder: str) -> bool:
        """Whether the authority is the holder `holder` (a unit id: 350102, 350128, `xpcc`,
        `sh-lingang`; or a group USCC)."""
        return self.holder is not None and holder == self.holder


NOTHING = Reach()


def _unit_reach(unit: Unit, units: Registry) -> Reach:
    if unit.kind is Kind.xpcc:
        return Reach(unit=XPCC, holder=XPCC)
    excluded_regions, excluded_enterprises = units.carved_out(unit)
    return Reach(
        regions=unit.covers.regions,
        enterprises=unit.covers.enterprises,
        excluded_regions=excluded_regions,
        excluded_enterprises=excluded_enterprises,
        holder=unit.id,
    )


def authority_unit(principal: Principal, units: Registry | None = None) -> Unit | None:
    """The registry unit a county, city or province token speaks for (None for other roles
    and for a token naming no unit at its level)."""
    if principal.role not in (Role.county, Role.city, Role.province) or not principal.region:
        return None
    return (units or registry()).authority(Level(principal.role.value), principal.region)


def reach(principal: Principal, units: Registry | None = None) -> Reach:
    """The authority's reach (nothing for enterprises, experts, the public and services), by
    the registry in force unless another is given."""
    if principal.role is Role.ministry:
        return Reach(everything=True)
    if principal.role is Role.central_soe_hq:
        if not principal.org:
            return NOTHING
        return Reach(unit=SOE_PREFIX + principal.org, holder=principal.org)
    units = units or registry()
    unit = authority_unit(principal, units)
    return NOTHING if unit is None else _unit_reach(unit, units)


def unit_of(principal: Principal) -> str | None:
    """The recommending unit a principal speaks for: its province code, `xpcc` or
    `soe:<USCC>`; None for anyone who recommends nothing."""
    if principal.role is Role.central_soe_hq:
        return SOE_PREFIX + principal.org if principal.org else None
    if principal.role is Role.province:
        unit = authority_unit(principal)
        return None if unit is None else unit.id
    return None


def reach_clauses(
    reach: Reach,
    unit: ColumnElement[str],
    region: ColumnElement[str],
    enterprise: ColumnElement[str],
) -> list[Any]:
    """`Reach.covers` as SQL conditions on a table's recommending-unit, region and enterprise
    (USCC) columns (ANDed; none for everything). A NULL unit (not yet routed) matches only
    everything."""
    if reach.everything:
        return []
    if reach.unit is not None:
        return [unit == reach.unit]
    if reach.nothing:
        return [false()]
    in_regions = and_(
        or_(false(), *(region.startswith(p, autoescape=True) for p in reach.regions)),
        *(not_(region.startswith(p, autoescape=True)) for p in reach.excluded_regions),
    )
    covered = (
        or_(in_regions, enterprise.in_(reach.enterprises)) if reach.enterprises else in_regions
    )
    clauses = [unit.is_not(None), unit != XPCC, not_(unit.startswith(SOE_PREFIX)), covered]
    if reach.excluded_enterprises:
        clauses.append(enterprise.not_in(reach.excluded_enterprises))
    return clauses
