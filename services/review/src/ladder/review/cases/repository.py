"""Every query on review cases and their history."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.kit import jurisdiction
from ladder.kit.jurisdiction import Reach
from ladder.review.cases.models import CaseOpinion, CaseTransition, ReviewCase


async def by_declaration(
    session: AsyncSession, declaration_id: uuid.UUID, *, for_update: bool = False
) -> ReviewCase | None:
    stmt = select(ReviewCase).where(ReviewCase.declaration_id == declaration_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.exec(stmt)).first()


async def insert_if_absent(session: AsyncSession, values: dict[str, Any]) -> ReviewCase | None:
    """Insert a case unless one exists for the declaration (then None).

    A concurrent insert of the same declaration waits on the unique index and then yields, so
    two deliveries racing never make two cases nor fail.
    """
    stmt = (
        insert(ReviewCase)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[col(ReviewCase.declaration_id)])
        .returning(col(ReviewCase.id))
    )
    new_id = (await session.exec(stmt)).scalar_one_or_none()
    if new_id is None:
        return None
    return await session.get(ReviewCase, new_id)


async def page(
    session: AsyncSession,
    *,
    reach: Reach,
    held_at: str | None = None,
    held_statuses: Collection[str] = (),
    tier: str | None,
    status: str | None,
    offset: int,
    limit: int,
) -> tuple[list[ReviewCase], int]:
    """The cases within `reach`, oldest received first; with `held_at`, only those held at
    that level by an authority within the reach, in one of `held_statuses`."""
    stmt = select(ReviewCase).where(
        *listed(reach, held_at=held_at, held_statuses=held_statuses, tier=tier, status=status)
    )
    total = (await session.exec(select(func.count()).select_from(stmt.subquery()))).one()
    rows = await session.exec(stmt.order_by(*LISTING_ORDER).offset(offset).limit(limit))
    return list(rows.all()), total


LISTING_ORDER = (col(ReviewCase.received_at), col(ReviewCase.id))
"""The inbox's order (and its exports'): oldest received first."""


def listed(
    reach: Reach,
    *,
    held_at: str | None,
    held_statuses: Collection[str],
    tier: str | None,
    status: str | None,
) -> list[Any]:
    """SQL conditions of the inbox's filters (`page`; the exports use them too)."""
    clauses = reach_clauses(reach)
    if held_at is not None:
        clauses += [
            ReviewCase.level == held_at,
            col(ReviewCase.holder_region) == reach.holder,
            col(ReviewCase.status).in_(held_statuses),
        ]
    if tier is not None:
        clauses.append(ReviewCase.tier == tier)
    if status is not None:
        clauses.append(ReviewCase.status == status)
    return clauses


def reach_clauses(reach: Reach) -> list[Any]:
    """SQL conditions selecting the cases within `reach` (see `Reach.covers`)."""
    return jurisdiction.reach_clauses(
        reach,
        col(ReviewCase.recommending_unit),
        col(ReviewCase.region_code),
        col(ReviewCase.enterprise_uscc),
    )


async def by_declarations(
    session: AsyncSession, declaration_ids: Collection[uuid.UUID], *, reach: Reach
) -> list[ReviewCase]:
    """The cases of these declarations within `reach` (`reach_clauses`, as the inbox)."""
    rows = await session.exec(
        select(ReviewCase).where(
            col(ReviewCase.declaration_id).in_(declaration_ids), *reach_clauses(reach)
        )
    )
    return list(rows.all())


async def histories(
    session: AsyncSession, case_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, list[CaseTransition]]:
    """Each case's history, oldest first, in one query."""
    found: dict[uuid.UUID, list[CaseTransition]] = {}
    if not case_ids:
        return found
    rows = await session.exec(
        select(CaseTransition)
        .where(col(CaseTransition.case_id).in_(case_ids))
        .order_by(col(CaseTransition.id))
    )
    for row in rows.all():
        found.setdefault(row.case_id, []).append(row)
    return found


async def history(session: AsyncSession, case_id: uuid.UUID) -> list[CaseTransition]:
    rows = await session.exec(
        select(CaseTransition)
        .where(CaseTransition.case_id == case_id)
        .order_by(col(CaseTransition.id))
    )
    return list(rows.all())


async def opinions(session: AsyncSession, case_id: uuid.UUID) -> list[CaseOpinion]:
    rows = await session.exec(
        select(CaseOpinion).where(CaseOpinion.case_id == case_id).order_by(col(CaseOpinion.id))
    )
    return list(rows.all())
