"""Queries of the decision."""

from __future__ import annotations

import uuid

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.review.cases.models import ReviewCase


async def campaign_and_tier(
    session: AsyncSession, declaration_id: uuid.UUID
) -> tuple[int, str] | None:
    """The case's campaign and tier, read without a lock: which 公示 row to lock first."""
    row = (
        await session.exec(
            select(ReviewCase.campaign_year, ReviewCase.tier).where(
                ReviewCase.declaration_id == declaration_id
            )
        )
    ).first()
    return None if row is None else (row[0], row[1])
