"""Every query on the campaigns' quota policies."""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.rules.campaigns.models import CampaignQuotaPolicy


async def policy_of(session: AsyncSession, campaign_year: int) -> str | None:
    row = await session.get(CampaignQuotaPolicy, campaign_year)
    return None if row is None else row.quota_policy


async def keep_latest(session: AsyncSession, row: CampaignQuotaPolicy) -> None:
    """Store `row` unless a later version of the campaign is stored already."""
    table = CampaignQuotaPolicy.__table__
    values = row.model_dump()
    stmt = insert(table).values(**values)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[table.c.campaign_year],
            set_={k: stmt.excluded[k] for k in values if k != "campaign_year"},
            where=table.c.row_version < stmt.excluded.row_version,
        )
    )
