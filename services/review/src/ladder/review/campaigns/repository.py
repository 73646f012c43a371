"""Every query on the campaigns' named periods."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.kit.db import keep_newest
from ladder.review.campaigns.models import CampaignPeriods


async def periods(session: AsyncSession, campaign_year: int) -> CampaignPeriods | None:
    return await session.get(CampaignPeriods, campaign_year)


async def keep_latest(session: AsyncSession, row: CampaignPeriods) -> None:
    """Store `row` unless a later version of the campaign is stored already."""
    await keep_newest(session, row, key=("campaign_year",), by="row_version")
