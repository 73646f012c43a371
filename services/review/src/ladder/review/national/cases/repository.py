"""Queries of the national case list."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.review.cases.models import ReviewCase
from ladder.review.national.experts.models import NationalAssignment


async def page_cases(
    session: AsyncSession,
    *,
    statuses: Collection[str],
    tier: str | None,
    status: str | None,
    campaign_year: int | None,
    expert_id: uuid.UUID | None,
    offset: int,
    limit: int,
) -> tuple[list[ReviewCase], int]:
    """Cases in the national review; with `expert_id`, only those the expert is on."""
    stmt = select(ReviewCase).where(col(ReviewCase.status).in_(statuses))
    if expert_id is not None:
        on_case = select(NationalAssignment.case_id).where(
            NationalAssignment.expert_id == expert_id
        )
        stmt = stmt.where(col(ReviewCase.id).in_(on_case))
    if tier is not None:
        stmt = stmt.where(ReviewCase.tier == tier)
    if status is not None:
        stmt = stmt.where(ReviewCase.status == status)
    if campaign_year is not None:
        stmt = stmt.where(ReviewCase.campaign_year == campaign_year)
    total = (await session.exec(select(func.count()).select_from(stmt.subquery()))).one()
    rows = await session.exec(
        stmt.order_by(col(ReviewCase.updated_at), col(ReviewCase.id)).offset(offset).limit(limit)
    )
    return list(rows.all()), total
