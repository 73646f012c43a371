"""Who may read and edit a recommendation list (推荐汇总表).

A list is its recommending unit's: only that unit's authority edits it (a province, the XPCC
as a province token whose region is `xpcc`, a central-SOE group HQ as `soe:<USCC>`); another
unit is told 404, so a list's existence does not leak. The ministry reads what was submitted
to it (a draft is the unit's business).
"""

from __future__ import annotations

from typing import Any

from ladder.kit.auth import Principal, Role
from ladder.kit.jurisdiction import unit_of
from ladder.review.recommendations.models import RecommendationList
from ladder.review.recommendations.schemas import ListStatus


def is_own_unit(principal: Principal, unit: str) -> bool:
    return unit_of(principal) == unit


def may_read(principal: Principal, lst: RecommendationList) -> bool:
    """The unit reads its lists; the ministry reads what was submitted to it."""
    if is_own_unit(principal, lst.unit):
        return True
    return principal.role is Role.ministry and lst.status == ListStatus.submitted.value


def readable_filter(principal: Principal) -> list[Any] | None:
    """`may_read` as WHERE clauses for the listing (None: nothing)."""
    if principal.role is Role.ministry:
        return [RecommendationList.status == ListStatus.submitted.value]
    unit = unit_of(principal)
    if unit is None:
        return None
    return [RecommendationList.unit == unit]
