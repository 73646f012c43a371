"""Every query on campaigns, their history and their deadline chains."""

from __future__ import annotations

from sqlalchemy import delete, func
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.declaration.campaigns.deadlines import LEVELS, applicable_jurisdiction
from ladder.declaration.campaigns.models import (
    Campaign,
    CampaignRevision,
    Deadline,
    DeadlineChain,
    DeadlineChainRevision,
)
from ladder.declaration.declarations.models import Declaration

_RANK = {level.value: i for i, level in enumerate(LEVELS)}


def in_level_order(deadlines: list[Deadline]) -> list[Deadline]:
    return sorted(deadlines, key=lambda d: _RANK[d.level])


async def campaigns(session: AsyncSession) -> list[Campaign]:
    return list((await session.exec(select(Campaign).order_by(Campaign.year.desc()))).all())


async def campaign(
    session: AsyncSession, year: int, *, for_update: bool = False
) -> Campaign | None:
    stmt = select(Campaign).where(Campaign.year == year)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.exec(stmt)).first()


async def insert_campaign_if_absent(session: AsyncSession, campaign: Campaign) -> bool:
    """Insert a new campaign; False when its year exists already (also when created
    concurrently: the loser learns it here, not from a unique violation)."""
    inserted = await session.execute(
        insert(Campaign.__table__)
        .values(**campaign.model_dump(exclude={"created_at"}))
        .on_conflict_do_nothing()
        .returning(Campaign.__table__.c.year)
    )
    return inserted.first() is not None


async def chains(session: AsyncSession, year: int) -> list[tuple[DeadlineChain, list[Deadline]]]:
    """Every chain of a campaign with its deadlines, national first, then by prefix and tier."""
    heads = (
        await session.exec(
            select(DeadlineChain)
            .where(DeadlineChain.campaign_year == year)
            .order_by(DeadlineChain.jurisdiction, DeadlineChain.tier)
        )
    ).all()
    rows = (await session.exec(select(Deadline).where(Deadline.campaign_year == year))).all()
    by_chain: dict[tuple[str, str], list[Deadline]] = {}
    for d in rows:
        by_chain.setdefault((d.jurisdiction, d.tier), []).append(d)
    return [(h, in_level_order(by_chain.get((h.jurisdiction, h.tier), []))) for h in heads]


async def jurisdictions(session: AsyncSession, year: int, tier: str) -> list[str]:
    """The jurisdictions with a chain for `tier` in the campaign."""
    return list(
        (
            await session.exec(
                select(DeadlineChain.jurisdiction).where(
                    DeadlineChain.campaign_year == year, DeadlineChain.tier == tier
                )
            )
        ).all()
    )


async def applicable_deadline(
    session: AsyncSession, year: int, region_code: str, tier: str, level: str
) -> Deadline | None:
    """The `level` deadline of the `tier` chain that applies to `region_code` (the one
    `deadlines.applicable_jurisdiction` chooses among the units on its path), or None."""
    chosen = applicable_jurisdiction(region_code, await jurisdictions(session, year, tier))
    if chosen is None:
        return None
    return await session.get(Deadline, (year, chosen, tier, level))


async def chain(
    session: AsyncSession, year: int, jurisdiction: str, tier: str, *, for_update: bool = False
) -> DeadlineChain | None:
    stmt = select(DeadlineChain).where(
        DeadlineChain.campaign_year == year,
        DeadlineChain.jurisdiction == jurisdiction,
        DeadlineChain.tier == tier,
    )
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.exec(stmt)).first()


async def deadlines(
    session: AsyncSession, year: int, jurisdiction: str, tier: str
) -> list[Deadline]:
    rows = await session.exec(
        select(Deadline).where(
            Deadline.campaign_year == year,
            Deadline.jurisdiction == jurisdiction,
            Deadline.tier == tier,
        )
    )
    return in_level_order(list(rows.all()))


async def insert_chain_if_absent(session: AsyncSession, head: DeadlineChain) -> bool:
    """Insert a new chain head; False when one exists already (e.g. created concurrently)."""
    inserted = await session.execute(
        insert(DeadlineChain.__table__)
        .values(
            campaign_year=head.campaign_year,
            jurisdiction=head.jurisdiction,
            tier=head.tier,
            row_version=head.row_version,
            updated_by=head.updated_by,
            updated_at=head.updated_at,
        )
        .on_conflict_do_nothing()
        .returning(DeadlineChain.__table__.c.jurisdiction)
    )
    return inserted.first() is not None


async def delete_deadlines(session: AsyncSession, year: int, jurisdiction: str, tier: str) -> None:
    await session.execute(
        delete(Deadline).where(
            Deadline.campaign_year == year,
            Deadline.jurisdiction == jurisdiction,
            Deadline.tier == tier,
        )
    )


async def campaign_revisions(session: AsyncSession, year: int) -> list[CampaignRevision]:
    stmt = (
        select(CampaignRevision)
        .where(CampaignRevision.campaign_year == year)
        .order_by(CampaignRevision.id)
    )
    return list((await session.exec(stmt)).all())


async def chain_revisions(session: AsyncSession, year: int) -> list[DeadlineChainRevision]:
    stmt = (
        select(DeadlineChainRevision)
        .where(DeadlineChainRevision.campaign_year == year)
        .order_by(DeadlineChainRevision.id)
    )
    return list((await session.exec(stmt)).all())


async def tier_use(session: AsyncSession, year: int, tier: str) -> tuple[int, int]:
    """(declarations, deadline chains) of `tier` in the campaign: what removing it would strand."""
    declarations = select(func.count()).where(
        Declaration.campaign_year == year, Declaration.tier == tier
    )
    chains = select(func.count()).where(
        DeadlineChain.campaign_year == year, DeadlineChain.tier == tier
    )
    return (await session.exec(declarations)).one(), (await session.exec(chains)).one()
