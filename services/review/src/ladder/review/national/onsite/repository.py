"""Queries of the 现场核查."""

from __future__ import annotations

import uuid

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.review.national.onsite.models import NationalOnsite, NationalOnsiteItem


async def onsite(
    session: AsyncSession, case_id: uuid.UUID, *, for_update: bool = False
) -> NationalOnsite | None:
    stmt = select(NationalOnsite).where(NationalOnsite.case_id == case_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.exec(stmt)).first()


async def items(session: AsyncSession, onsite_id: uuid.UUID) -> list[NationalOnsiteItem]:
    rows = await session.exec(
        select(NationalOnsiteItem)
        .where(NationalOnsiteItem.onsite_id == onsite_id)
        .order_by(col(NationalOnsiteItem.position))
    )
    return list(rows.all())


async def item(
    session: AsyncSession, onsite_id: uuid.UUID, key: str, *, for_update: bool = False
) -> NationalOnsiteItem | None:
    stmt = select(NationalOnsiteItem).where(
        NationalOnsiteItem.onsite_id == onsite_id, NationalOnsiteItem.key == key
    )
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.exec(stmt)).first()
