"""Who may read and edit a recommendation list (推荐汇总表).

A list is its unit's: only that unit's authority edits it (a province, the XPCC as a province
token whose region is `xpcc`, a central-SOE group HQ as `soe:<USCC>`, and at a level that ranks
its own table, e.g. a Shanghai district, the county token of that district's code); another
unit is told 404, so a list's existence does not leak. A lower table once submitted is read by
the province it went up to; the ministry reads what the recommending units submitted to it (a
draft is the unit's business, a district's table the province's).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, not_, or_
from sqlmodel import col

from ladder.kit.auth import Principal, Role
from ladder.kit.jurisdiction import unit_of
from ladder.review.recommendations.models import RecommendationList
from ladder.review.recommendations.ranking_levels import ranking_levels
from ladder.review.recommendations.schemas import ListStatus


def list_unit_of(principal: Principal) -> str | None:
    """The unit whose lists the principal keeps: its recommending unit, or for a county token
    its own region code (a ranking level's unit; `ranking_levels` says which rank)."""
    if principal.role is Role.county:
        return principal.region
    return unit_of(principal)


def is_own_unit(principal: Principal, unit: str) -> bool:
    return list_unit_of(principal) == unit


def is_lower(lst: RecommendationList) -> bool:
    """A table of a level below the recommending unit (it goes up, not to the ministry)."""
    return ranking_levels().of_unit(lst.unit) is not None


def may_read(principal: Principal, lst: RecommendationList) -> bool:
    """The unit reads its lists; the province a lower table submitted to it; the ministry
    what the recommending units submitted."""
    if is_own_unit(principal, lst.unit):
        return True
    if lst.status != ListStatus.submitted.value:
        return False
    if is_lower(lst):
        own = unit_of(principal)
        return principal.role is Role.province and own is not None and lst.unit[:2] == own[:2]
    return principal.role is Role.ministry


def readable_filter(principal: Principal) -> list[Any] | None:
    """`may_read` as WHERE clauses for the listing (None: nothing)."""
    unit = list_unit_of(principal)
    submitted = RecommendationList.status == ListStatus.submitted.value
    lower = or_(
        *(col(RecommendationList.unit).startswith(r.jurisdiction) for r in ranking_levels().ranking)
    )
    lower = lower & not_(col(RecommendationList.unit).like("%0000"))
    if principal.role is Role.ministry:
        return [submitted, not_(lower)]
    if unit is None:
        return None
    if principal.role is Role.province and unit.isdigit():
        province_lower = (
            submitted & lower & (func.substr(RecommendationList.unit, 1, 2) == unit[:2])
        )
        return [or_(RecommendationList.unit == unit, province_lower)]
    return [RecommendationList.unit == unit]
