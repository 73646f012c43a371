"""Who may see review cases: the authorities, each within its jurisdiction.

County (区县), city (地市) and province see the cases whose factory region code falls in their
GB/T 2260 prefix (6, 4 and 2 digits); the ministry sees all. Enterprises, experts and the
public have no inbox.
"""

from __future__ import annotations

from typing import Annotated

from ladder.kit.auth import AUTHORITY_ROLES, Principal, Role, require_roles
from ladder.review.cases.models import ReviewCase
from ladder.review.routing.chains import Level

ReviewerDep = Annotated[Principal, require_roles(*AUTHORITY_ROLES)]
"""An authority (403 `forbidden` for anyone else)."""


def jurisdiction_prefix(principal: Principal) -> str | None:
    """The region-code prefix of the cases this authority sees: '' for all, None for none.

    A central-SOE group headquarters (中央企业集团总部) recommends the 卓越级 declarations of
    its own group's enterprises, not of a region; the declaration does not carry the group yet,
    so SOE headquarters see no case for now. SOE routing comes with the recommendation chain
    (推荐) issue. An authority whose token carries no region also sees none.
    """
    if principal.role is Role.central_soe_hq:
        return None
    return principal.region_prefix()


def may_read(principal: Principal, case: ReviewCase) -> bool:
    prefix = jurisdiction_prefix(principal)
    return prefix is not None and case.region_code.startswith(prefix)


def held_level(principal: Principal) -> Level | None:
    """The chain level this authority acts at (county, city, province), or None."""
    try:
        return Level(principal.role.value)
    except ValueError:
        return None


def holds(principal: Principal, case: ReviewCase) -> bool:
    """Who may give the opinion: the authority at the case's current level whose jurisdiction
    covers the holder's region (the county of 350102 holds a case at county 350102)."""
    return held_level(principal) == case.level and principal.covers_region(case.holder_region)
