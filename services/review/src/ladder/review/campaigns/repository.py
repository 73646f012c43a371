"""Every query on the campaigns' named periods."""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.review.campaigns.models import CampaignPeriods


async def periods(session: AsyncSession, campaign_year: int) -> CampaignPeriods | None:
    return await session.get(CampaignPeriods, campaign_year)


async def keep_latest(session: AsyncSession, row: CampaignPeriods) -> None:
    """Store `row` unless a later version of the campaign is stored already."""
    table = CampaignPeriods.__table__
    values = row.model_dump()
    stmt = insert(table).values(**values)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[table.c.campaign_year],
            set_={k: stmt.excluded[k] for k in values if k != "campaign_year"},
            where=table.c.row_version < stmt.excluded.row_version,
        )
    )
