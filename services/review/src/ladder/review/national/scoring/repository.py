"""Queries of the score sheets."""

from __future__ import annotations

import uuid

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.review.cases.models import ReviewCase
from ladder.review.national.experts.models import NationalExpert
from ladder.review.national.scoring.models import NationalScoreSheet


async def sheets(
    session: AsyncSession, case_id: uuid.UUID
) -> list[tuple[NationalScoreSheet, NationalExpert]]:
    rows = await session.exec(
        select(NationalScoreSheet, NationalExpert)
        .join(NationalExpert, col(NationalExpert.id) == NationalScoreSheet.expert_id)
        .where(NationalScoreSheet.case_id == case_id)
        .order_by(col(NationalScoreSheet.id))
    )
    return [(s, e) for s, e in rows.all()]


async def sheet(
    session: AsyncSession, case_id: uuid.UUID, expert_id: uuid.UUID, *, for_update: bool = False
) -> NationalScoreSheet | None:
    stmt = select(NationalScoreSheet).where(
        NationalScoreSheet.case_id == case_id, NationalScoreSheet.expert_id == expert_id
    )
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.exec(stmt)).first()


async def case_for_scoring(session: AsyncSession, declaration_id: uuid.UUID) -> ReviewCase | None:
    """The case share-locked: a decision (which locks it for update) waits for the sheet."""
    stmt = (
        select(ReviewCase)
        .where(ReviewCase.declaration_id == declaration_id)
        .with_for_update(read=True)
    )
    return (await session.exec(stmt)).first()
