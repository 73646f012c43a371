"""Every query of the 揭榜单位 registry."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.rules.jiebang.models import JiebangUnit, JiebangUnitEvent


async def get(session: AsyncSession, unit_id: uuid.UUID) -> JiebangUnit | None:
    return await session.get(JiebangUnit, unit_id)


async def find(session: AsyncSession, uscc: str, accepted_by: str) -> JiebangUnit | None:
    return (
        await session.exec(
            select(JiebangUnit).where(
                JiebangUnit.uscc == uscc, JiebangUnit.accepted_by == accepted_by
            )
        )
    ).first()


async def page(
    session: AsyncSession,
    *,
    uscc: str | None,
    accepted_by: str | None,
    status: str | None,
    offset: int,
    limit: int,
) -> tuple[list[JiebangUnit], int]:
    stmt = select(JiebangUnit)
    if uscc is not None:
        stmt = stmt.where(JiebangUnit.uscc == uscc)
    if accepted_by is not None:
        stmt = stmt.where(JiebangUnit.accepted_by == accepted_by)
    if status is not None:
        stmt = stmt.where(JiebangUnit.status == status)
    total = (await session.exec(select(func.count()).select_from(stmt.subquery()))).one()
    rows = await session.exec(
        stmt.order_by(col(JiebangUnit.accepted_by), col(JiebangUnit.uscc))
        .offset(offset)
        .limit(limit)
    )
    return list(rows.all()), total


async def accepted(
    session: AsyncSession, province: str, usccs: Collection[str]
) -> dict[str, JiebangUnit]:
    """The active records of `usccs` for acceptances held by `province`, by USCC."""
    if not usccs:
        return {}
    rows = await session.exec(
        select(JiebangUnit).where(
            JiebangUnit.accepted_by == province,
            JiebangUnit.status == "active",
            col(JiebangUnit.uscc).in_(list(usccs)),
        )
    )
    return {r.uscc: r for r in rows.all()}


async def history(session: AsyncSession, unit_id: uuid.UUID) -> list[JiebangUnitEvent]:
    rows = await session.exec(
        select(JiebangUnitEvent)
        .where(JiebangUnitEvent.unit_id == unit_id)
        .order_by(col(JiebangUnitEvent.id))
    )
    return list(rows.all())
