"""Who may see review cases: the authorities, each within its reach.

- County (区县), city (地市) and province see the cases routed through the regions (not to a
  central SOE or the XPCC) whose factory region code falls in their GB/T 2260 prefix (6, 4
  and 2 digits).
- A central-SOE group headquarters (中央企业集团总部, token `org` = the group's USCC) sees the
  cases routed to its group (unit `soe:<USCC>`).
- The XPCC (a `province` token whose region is `xpcc`) sees the cases routed to it.
- The ministry sees all.

Enterprises, experts and the public have no inbox. An authority whose token lacks its region
(or group) sees none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from ladder.kit.auth import AUTHORITY_ROLES, Principal, Role, require_roles
from ladder.review.cases.models import ReviewCase
from ladder.review.routing.chains import SOE_PREFIX, XPCC, Level

ReviewerDep = Annotated[Principal, require_roles(*AUTHORITY_ROLES)]
"""An authority (403 `forbidden` for anyone else)."""


@dataclass(frozen=True)
class Reach:
    """The cases an authority sees: all, those of one recommending unit, or those routed
    through the regions under a region-code prefix."""

    everything: bool = False
    unit: str | None = None  # `xpcc` or `soe:<USCC>`
    region_prefix: str | None = None

    def covers(self, case: ReviewCase) -> bool:
        if self.everything:
            return True
        if self.unit is not None:
            return case.recommending_unit == self.unit
        return (
            self.region_prefix is not None
            and through_regions(case.recommending_unit)
            and case.region_code.startswith(self.region_prefix)
        )

    def holds_as(self, holder: str) -> bool:
        """Whether the authority is the holder `holder` (a region code, `xpcc`, a USCC)."""
        if self.unit is not None:
            return self.unit.removeprefix(SOE_PREFIX) == holder
        return self.region_prefix is not None and holder.startswith(self.region_prefix)


NOTHING = Reach()


def through_regions(recommending_unit: str) -> bool:
    return recommending_unit != XPCC and not recommending_unit.startswith(SOE_PREFIX)


def reach(principal: Principal) -> Reach:
    if principal.role is Role.ministry:
        return Reach(everything=True)
    if principal.role is Role.central_soe_hq:
        return Reach(unit=SOE_PREFIX + principal.org) if principal.org else NOTHING
    if principal.role is Role.province and principal.region == XPCC:
        return Reach(unit=XPCC)
    prefix = principal.region_prefix()
    return NOTHING if prefix is None else Reach(region_prefix=prefix)


def unit_of(principal: Principal) -> str | None:
    """The recommending unit a principal speaks for: its province code, `xpcc` or
    `soe:<USCC>`; None for anyone who recommends nothing."""
    if principal.role is Role.central_soe_hq:
        return SOE_PREFIX + principal.org if principal.org else None
    if principal.role is Role.province and principal.region:
        return XPCC if principal.region == XPCC else principal.region[:2] + "0000"
    return None


def may_read(principal: Principal, case: ReviewCase) -> bool:
    return reach(principal).covers(case)


def held_level(principal: Principal) -> Level | None:
    """The chain level this authority acts at (county, city, province, SOE HQ), or None."""
    try:
        return Level(principal.role.value)
    except ValueError:
        return None


def holds(principal: Principal, case: ReviewCase) -> bool:
    """Who may give the opinion: the authority at the case's current level that is its holder
    (the county of 350102 holds a case at county 350102; the group HQ its group's cases)."""
    return (
        held_level(principal) == case.level
        and may_read(principal, case)
        and reach(principal).holds_as(case.holder_region)
    )
