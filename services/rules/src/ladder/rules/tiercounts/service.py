"""Taking the register's counts from `recognition.tier_counts`. The rules service stays a leaf:
it never asks the declaration service, it keeps what it is told (the latest `at` wins)."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.contracts.recognition import TierCounts
from ladder.kit.outbox import Event, read_payload
from ladder.rules.tiercounts import repository
from ladder.rules.tiercounts.models import RegisterTierCount


async def on_tier_counts(session: AsyncSession, event: Event) -> None:
    counts = read_payload(TierCounts, event)
    await repository.keep_latest(
        session,
        RegisterTierCount(
            tier=counts.tier,
            year=counts.year,
            counts=dict(counts.counts),
            source_kind=counts.source.kind,
            source_ref=counts.source.reference,
            complete=counts.complete,
            at=counts.at,
        ),
    )


async def complete_counts(session: AsyncSession, tier: str, year: int) -> RegisterTierCount | None:
    """The register's counts of that year when they are complete (the whole national list is
    in the register), else None: incomplete counts would understate a province's quota."""
    row = await repository.get(session, tier, year)
    return row if row is not None and row.complete else None
