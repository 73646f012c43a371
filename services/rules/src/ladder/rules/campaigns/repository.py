"""Every query on the campaigns' quota policies."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.kit.db import keep_newest
from ladder.rules.campaigns.models import CampaignQuotaPolicy


async def policy_of(session: AsyncSession, campaign_year: int) -> str | None:
    row = await session.get(CampaignQuotaPolicy, campaign_year)
    return None if row is None else row.quota_policy


async def keep_latest(session: AsyncSession, row: CampaignQuotaPolicy) -> None:
    """Store `row` unless a later version of the campaign is stored already."""
    await keep_newest(session, row, key=("campaign_year",), by="row_version")
