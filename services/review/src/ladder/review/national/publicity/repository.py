"""Queries of the 公示, its entries and objections."""

from __future__ import annotations

import uuid

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.review.cases.models import ReviewCase
from ladder.review.national.publicity.models import (
    NationalObjection,
    NationalPublicity,
    NationalPublicityEntry,
)


async def selected_cases(
    session: AsyncSession, campaign_year: int, tier: str, *, for_update: bool = False
) -> list[ReviewCase]:
    stmt = (
        select(ReviewCase)
        .where(
            ReviewCase.campaign_year == campaign_year,
            ReviewCase.tier == tier,
            ReviewCase.status == "selected",
        )
        .order_by(col(ReviewCase.region_code), col(ReviewCase.enterprise_name), col(ReviewCase.id))
    )
    if for_update:
        stmt = stmt.with_for_update()
    return list((await session.exec(stmt)).all())


async def publicity(
    session: AsyncSession,
    campaign_year: int,
    tier: str,
    *,
    for_update: bool = False,
    for_share: bool = False,
) -> NationalPublicity | None:
    stmt = select(NationalPublicity).where(
        NationalPublicity.campaign_year == campaign_year, NationalPublicity.tier == tier
    )
    if for_update:
        stmt = stmt.with_for_update()
    elif for_share:
        stmt = stmt.with_for_update(read=True)
    return (await session.exec(stmt)).first()


async def entries(
    session: AsyncSession, publicity_id: uuid.UUID, *, outcome: str | None = None
) -> list[tuple[NationalPublicityEntry, ReviewCase]]:
    stmt = (
        select(NationalPublicityEntry, ReviewCase)
        .join(ReviewCase, col(ReviewCase.id) == NationalPublicityEntry.case_id)
        .where(NationalPublicityEntry.publicity_id == publicity_id)
        .order_by(col(NationalPublicityEntry.position))
    )
    if outcome is not None:
        stmt = stmt.where(NationalPublicityEntry.outcome == outcome)
    return [(e, c) for e, c in (await session.exec(stmt)).all()]


async def entry(
    session: AsyncSession, publicity_id: uuid.UUID, declaration_id: uuid.UUID
) -> NationalPublicityEntry | None:
    stmt = select(NationalPublicityEntry).where(
        NationalPublicityEntry.publicity_id == publicity_id,
        NationalPublicityEntry.declaration_id == declaration_id,
    )
    return (await session.exec(stmt)).first()


async def published_page(
    session: AsyncSession, publicity_id: uuid.UUID, *, offset: int, limit: int
) -> tuple[list[NationalPublicityEntry], int]:
    stmt = select(NationalPublicityEntry).where(
        NationalPublicityEntry.publicity_id == publicity_id,
        NationalPublicityEntry.outcome == "published",
    )
    total = (await session.exec(select(func.count()).select_from(stmt.subquery()))).one()
    rows = await session.exec(
        stmt.order_by(col(NationalPublicityEntry.position)).offset(offset).limit(limit)
    )
    return list(rows.all()), total


async def objection_counts(session: AsyncSession, publicity_id: uuid.UUID) -> dict[str, int]:
    rows = await session.exec(
        select(NationalObjection.status, func.count())
        .where(NationalObjection.publicity_id == publicity_id)
        .group_by(col(NationalObjection.status))
    )
    return {status: n for status, n in rows.all()}


async def objections_page(
    session: AsyncSession,
    publicity_id: uuid.UUID,
    *,
    status: str | None,
    declaration_id: uuid.UUID | None,
    offset: int,
    limit: int,
) -> tuple[list[NationalObjection], int]:
    stmt = select(NationalObjection).where(NationalObjection.publicity_id == publicity_id)
    if status is not None:
        stmt = stmt.where(NationalObjection.status == status)
    if declaration_id is not None:
        stmt = stmt.where(NationalObjection.declaration_id == declaration_id)
    total = (await session.exec(select(func.count()).select_from(stmt.subquery()))).one()
    rows = await session.exec(
        stmt.order_by(col(NationalObjection.received_at), col(NationalObjection.id))
        .offset(offset)
        .limit(limit)
    )
    return list(rows.all()), total


async def objection(
    session: AsyncSession, objection_id: uuid.UUID, *, for_update: bool = False
) -> NationalObjection | None:
    stmt = select(NationalObjection).where(NationalObjection.id == objection_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.exec(stmt)).first()


async def locked_case(session: AsyncSession, case_id: uuid.UUID) -> ReviewCase:
    """The case row locked for update, read afresh (an earlier join may have loaded it)."""
    stmt = (
        select(ReviewCase)
        .where(ReviewCase.id == case_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.exec(stmt)).one()


async def insert_publicity(session: AsyncSession, **values: object) -> bool:
    """Insert a draft unless the campaign's tier has one (False then): one statement, no race."""
    inserted = (
        await session.exec(
            insert(NationalPublicity)
            .values(**values)
            .on_conflict_do_nothing(
                index_elements=[col(NationalPublicity.campaign_year), col(NationalPublicity.tier)]
            )
            .returning(col(NationalPublicity.id))
        )
    ).scalar_one_or_none()
    return inserted is not None


async def publicity_of_objection(
    session: AsyncSession, objection_id: uuid.UUID
) -> uuid.UUID | None:
    """The objection's 公示, read without a lock (the 公示 row is locked before the objection)."""
    stmt = select(NationalObjection.publicity_id).where(NationalObjection.id == objection_id)
    return (await session.exec(stmt)).first()


async def publicity_by_id(
    session: AsyncSession, publicity_id: uuid.UUID, *, for_share: bool = False
) -> NationalPublicity:
    stmt = select(NationalPublicity).where(NationalPublicity.id == publicity_id)
    if for_share:
        stmt = stmt.with_for_update(read=True)
    return (await session.exec(stmt)).one()
