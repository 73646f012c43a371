"""Who may read and act on a 领航级 cultivation record.

The ministry reads all; a province or city reads the records within its reach
(`ladder.kit.jurisdiction`, the rule of the cases: its unit's factories — 福州 not 平潭's —, the
XPCC the records routed to it, by the unit and not by a prefix of `xpcc`); an enterprise reads
and acts on its own (its token's `org` is the USCC); an expert reads the records it is assigned
to. Anyone else sees 404, so existence does not leak. The holder of an application under initial
review is the authority at its level that is its holder.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col

from ladder.kit.auth import Principal, Role
from ladder.kit.jurisdiction import reach, reach_clauses
from ladder.review.cultivation.models import CultivationRecord


def may_read(principal: Principal, record: CultivationRecord) -> bool:
    match principal.role:
        case Role.ministry:
            return True
        case Role.province | Role.city:
            return reach(principal).covers(
                record.recommending_unit, record.region_code, record.enterprise_uscc
            )
        case Role.enterprise:
            return principal.org is not None and principal.org == record.enterprise_uscc
        case Role.expert:
            return principal.sub in record.experts
        case _:
            return False


def holds(principal: Principal, record: CultivationRecord) -> bool:
    """The authority at the application's level that is its holder (the city 350100 holds at
    city 350100, 平潭 at 350128; a province token whose region is `xpcc` holds `xpcc`)."""
    return (
        principal.role.value == record.level
        and record.holder is not None
        and reach(principal).holds_as(record.holder)
    )


def readable_filter(principal: Principal) -> list[Any] | None:
    """`may_read` as WHERE clauses for the listings ([] for all, None for none)."""
    match principal.role:
        case Role.ministry:
            return []
        case Role.province | Role.city:
            scope = reach(principal)
            if scope.nothing:
                return None
            return reach_clauses(
                scope,
                col(CultivationRecord.recommending_unit),
                col(CultivationRecord.region_code),
                col(CultivationRecord.enterprise_uscc),
            )
        case Role.enterprise:
            if principal.org is None:
                return None
            return [CultivationRecord.enterprise_uscc == principal.org]
        case Role.expert:
            return [col(CultivationRecord.experts).contains([principal.sub])]
        case _:
            return None
