"""The seeded 2025 campaign, from 工信厅联通装函〔2025〕251号 (seed 000)."""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.declaration.campaigns.models import Campaign

CAMPAIGN_2025 = {
    "year": 2025,
    "title": "2025年度智能工厂梯度培育（卓越级、领航级）",
    "rules_edition": "2025",
    "source": "工信厅联通装函〔2025〕251号",
    "open_tiers": ["basic", "advanced", "excellence", "pilot"],
}


async def seed_campaigns(session: AsyncSession) -> None:
    table = Campaign.__table__
    await session.execute(insert(table).values(**CAMPAIGN_2025).on_conflict_do_nothing())
