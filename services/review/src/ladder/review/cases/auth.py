"""Who may see review cases: the authorities, each within its reach (`ladder.kit.jurisdiction`,
the rule the declaration service applies to the same cases' 申报书):

- County (区县), city (地市) and province units see the cases routed through the regions (not
  to a central SOE or the XPCC) of the factories their registry unit covers (`ladder.kit.units`:
  a GB/T 2260 prefix of 6, 4 or 2 digits, less what a unit not reporting to them holds — 福州
  does not see 平潭; a 管委会 its listed enterprises).
- A central-SOE group headquarters (中央企业集团总部, token `org` = the group's USCC) sees the
  cases routed to its group (unit `soe:<USCC>`).
- The XPCC (a `province` token whose region is `xpcc`) sees the cases routed to it.
- The ministry sees all.

Enterprises, experts and the public have no inbox. An authority whose token lacks its region
(or group) sees none.
"""

from __future__ import annotations

from typing import Annotated

from ladder.kit.auth import AUTHORITY_ROLES, Principal, require_roles
from ladder.kit.jurisdiction import reach
from ladder.review.cases.models import ReviewCase
from ladder.review.routing.chains import Level

ReviewerDep = Annotated[Principal, require_roles(*AUTHORITY_ROLES)]
"""An authority (403 `forbidden` for anyone else)."""


def may_read(principal: Principal, case: ReviewCase) -> bool:
    return reach(principal).covers(case.recommending_unit, case.region_code, case.enterprise_uscc)


def held_level(principal: Principal) -> Level | None:
    """The chain level this authority acts at (county, city, province, SOE HQ), or None."""
    try:
        return Level(principal.role.value)
    except ValueError:
        return None


def holds(principal: Principal, case: ReviewCase) -> bool:
    """Who may give the opinion: the authority at the case's current level that is its holder
    (the county of 350102 holds a case at county 350102, 平潭's city official a case at city
    350128; the group HQ its group's cases)."""
    return (
        held_level(principal) == case.level
        and may_read(principal, case)
        and reach(principal).holds_as(case.holder_region)
    )
