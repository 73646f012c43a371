"""Every query on the register's tier counts."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.kit.db import keep_newest
from ladder.rules.tiercounts.models import RegisterTierCount


async def get(session: AsyncSession, tier: str, year: int) -> RegisterTierCount | None:
    return await session.get(RegisterTierCount, (tier, year))


async def keep_latest(session: AsyncSession, row: RegisterTierCount) -> None:
    """Store `row` unless a later one (by `at`) of that tier and year is stored already."""
    await keep_newest(session, row, key=("tier", "year"), by="at")
