"""Who may read and act on a 领航级 cultivation record.

The ministry reads all; a province or city reads the records of its region (XPCC: the unit's
own); an enterprise reads and acts on its own (its token's `org` is the USCC); an expert reads
the records it is assigned to. Anyone else sees 404, so existence does not leak. The holder of
an application under initial review is the authority at its level covering its holder.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col

from ladder.kit.auth import Principal, Role
from ladder.review.cultivation.models import CultivationRecord


def may_read(principal: Principal, record: CultivationRecord) -> bool:
    match principal.role:
        case Role.ministry:
            return True
        case Role.province | Role.city:
            prefix = principal.region_prefix()
            return prefix is not None and record.jurisdiction.startswith(prefix)
        case Role.enterprise:
            return principal.org is not None and principal.org == record.enterprise_uscc
        case Role.expert:
            return principal.sub in record.experts
        case _:
            return False


def holds(principal: Principal, record: CultivationRecord) -> bool:
    """The authority at the application's level whose jurisdiction covers the holder (the city
    350100 holds at city 350100; a province token whose region is `xpcc` holds `xpcc`)."""
    return principal.role.value == record.level and principal.covers_region(record.holder)


def readable_filter(principal: Principal) -> list[Any] | None:
    """`may_read` as WHERE clauses for the listings ([] for all, None for none)."""
    match principal.role:
        case Role.ministry:
            return []
        case Role.province | Role.city:
            prefix = principal.region_prefix()
            if not prefix:
                return None
            return [col(CultivationRecord.jurisdiction).startswith(prefix, autoescape=True)]
        case Role.enterprise:
            if principal.org is None:
                return None
            return [CultivationRecord.enterprise_uscc == principal.org]
        case Role.expert:
            return [col(CultivationRecord.experts).contains([principal.sub])]
        case _:
            return None
