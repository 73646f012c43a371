"""Seed data of the rules service for `make run` (`tools/seed.py` calls `seed(session)`).

Editions and quota policies ship as package data and need no seed; the reference tables the
quotas read do: a SAMPLE of each, clearly marked, until a ministry user uploads the real ones.
"""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.rules.reference.seed import seed_samples


async def seed(session: AsyncSession) -> None:
    await seed_samples(session)
