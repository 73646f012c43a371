"""Whose is a case: the one rule, shared by the services that hold the same case.

A submitted declaration is routed by the review service (`ladder.review.routing`) to a
recommending unit (推荐单位): a province (its code, 350000), the XPCC (`xpcc`), or a
central-SOE group headquarters (`soe:<group USCC>`). Who may see the case follows from that
unit and the factory's region, the same way in the review service (cases, lists) and in the
declaration service (the 申报书, its versions, PDF and evidence): the declaration service learns
the unit from the review service's events and applies this rule, so the two never disagree.

- county (区县), city (地市) and province see the cases routed through the regions — not those
  routed to the XPCC or a central SOE — whose factory region code falls in their GB/T 2260
  prefix (6, 4 and 2 digits);
- a central-SOE group HQ (token `org` = the group's USCC) sees the cases routed to its group;
- the XPCC (a `province` token whose region is `xpcc`) sees the cases routed to it;
- the ministry sees every case.

It lives in the kit because it is the one piece of the access model two services must share
(like `Principal` itself); the routing that picks the unit stays in the review service.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, false, not_

from ladder.kit.auth import Principal, Role

XPCC = "xpcc"
SOE_PREFIX = "soe:"
# The regions the XPCC organises and recommends for: the 自治区直辖县级行政区划 6590xx of its
# cities (石河子、阿拉尔 …) — Ladder's interpretation, the same as the review service's routing
# (`ladder/review/routing/chains.yaml`, `xpcc.region_prefixes`).
XPCC_REGION_PREFIX = "6590"


def through_regions(recommending_unit: str) -> bool:
    """Whether a case routed to this unit goes up the regional chain (county → province)."""
    return recommending_unit != XPCC and not recommending_unit.startswith(SOE_PREFIX)


@dataclass(frozen=True)
class Reach:
    """The cases an authority sees: all, those of one recommending unit, or those routed
    through the regions under a region-code prefix."""

    everything: bool = False
    unit: str | None = None  # `xpcc` or `soe:<USCC>`
    region_prefix: str | None = None

    @property
    def nothing(self) -> bool:
        return not self.everything and self.unit is None and self.region_prefix is None

    def covers(self, recommending_unit: str | None, region_code: str) -> bool:
        """Whether a case routed to `recommending_unit` for a factory in `region_code` is in
        reach. A case not yet routed (None) is the ministry's only."""
        if self.everything:
            return True
        if recommending_unit is None:
            return False
        if self.unit is not None:
            return recommending_unit == self.unit
        return (
            self.region_prefix is not None
            and through_regions(recommending_unit)
            and region_code.startswith(self.region_prefix)
        )

    def holds_as(self, holder: str) -> bool:
        """Whether the authority is the holder `holder` (a region code, `xpcc`, a USCC)."""
        if self.unit is not None:
            return self.unit.removeprefix(SOE_PREFIX) == holder
        return self.region_prefix is not None and holder.startswith(self.region_prefix)


NOTHING = Reach()


def reach(principal: Principal) -> Reach:
    """The authority's reach (nothing for enterprises, experts, the public and services)."""
    if principal.role is Role.ministry:
        return Reach(everything=True)
    if principal.role is Role.central_soe_hq:
        return Reach(unit=SOE_PREFIX + principal.org) if principal.org else NOTHING
    if principal.role is Role.province and principal.region == XPCC:
        return Reach(unit=XPCC)
    prefix = principal.region_prefix()
    return NOTHING if prefix is None else Reach(region_prefix=prefix)


def xpcc_region_prefix(principal: Principal) -> str | None:
    """The XPCC's region prefix when the principal speaks for the XPCC (a `province` token
    whose region is `xpcc`), else None. `Principal.region_prefix()` would cut `xpcc` to "xp"."""
    if principal.role is Role.province and principal.region == XPCC:
        return XPCC_REGION_PREFIX
    return None


def unit_of(principal: Principal) -> str | None:
    """The recommending unit a principal speaks for: its province code, `xpcc` or
    `soe:<USCC>`; None for anyone who recommends nothing."""
    if principal.role is Role.central_soe_hq:
        return SOE_PREFIX + principal.org if principal.org else None
    if principal.role is Role.province and principal.region:
        return XPCC if principal.region == XPCC else principal.region[:2] + "0000"
    return None


def reach_clauses(reach: Reach, unit: ColumnElement[str], region: ColumnElement[str]) -> list[Any]:
    """`Reach.covers` as SQL conditions on a table's recommending-unit and region columns
    (ANDed; none for everything). A NULL unit (not yet routed) matches only everything."""
    if reach.everything:
        return []
    if reach.unit is not None:
        return [unit == reach.unit]
    if reach.region_prefix is None:
        return [false()]
    return [
        unit.is_not(None),
        unit != XPCC,
        not_(unit.startswith(SOE_PREFIX)),
        region.startswith(reach.region_prefix, autoescape=True),
    ]
