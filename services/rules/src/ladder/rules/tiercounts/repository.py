"""Every query on the register's tier counts."""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.rules.tiercounts.models import RegisterTierCount


async def get(session: AsyncSession, tier: str, year: int) -> RegisterTierCount | None:
    return await session.get(RegisterTierCount, (tier, year))


async def keep_latest(session: AsyncSession, row: RegisterTierCount) -> None:
    """Store `row` unless a later one (by `at`) of that tier and year is stored already."""
    table = RegisterTierCount.__table__
    values = row.model_dump()
    stmt = insert(table).values(**values)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[table.c.tier, table.c.year],
            set_={k: stmt.excluded[k] for k in values if k not in ("tier", "year")},
            where=table.c.at < stmt.excluded.at,
        )
    )
