"""Every query on campaigns and their deadline chains."""

from __future__ import annotations

from sqlalchemy import delete, func
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.declaration.campaigns.deadlines import LEVELS, candidate_jurisdictions
from ladder.declaration.campaigns.models import Campaign, Deadline, DeadlineChain

_RANK = {level.value: i for i, level in enumerate(LEVELS)}


def in_level_order(deadlines: list[Deadline]) -> list[Deadline]:
    return sorted(deadlines, key=lambda d: _RANK[d.level])


async def campaigns(session: AsyncSession) -> list[Campaign]:
    return list((await session.exec(select(Campaign).order_by(Campaign.year.desc()))).all())


async def campaign(session: AsyncSession, year: int) -> Campaign | None:
    return await session.get(Campaign, year)


async def chains(session: AsyncSession, year: int) -> list[tuple[DeadlineChain, list[Deadline]]]:
    """Every chain of a campaign with its deadlines, national first, then by prefix."""
    heads = (
        await session.exec(
            select(DeadlineChain)
            .where(DeadlineChain.campaign_year == year)
            .order_by(DeadlineChain.jurisdiction)
        )
    ).all()
    rows = (await session.exec(select(Deadline).where(Deadline.campaign_year == year))).all()
    by_jurisdiction: dict[str, list[Deadline]] = {}
    for d in rows:
        by_jurisdiction.setdefault(d.jurisdiction, []).append(d)
    return [(h, in_level_order(by_jurisdiction.get(h.jurisdiction, []))) for h in heads]


async def jurisdictions(session: AsyncSession, year: int) -> list[str]:
    return list(
        (
            await session.exec(
                select(DeadlineChain.jurisdiction).where(DeadlineChain.campaign_year == year)
            )
        ).all()
    )


async def applicable_deadline(
    session: AsyncSession, year: int, region_code: str, level: str
) -> Deadline | None:
    """The `level` deadline of the chain that applies to `region_code` (the longest
    candidate, as `deadlines.applicable_jurisdiction` chooses), in one query: the submit path
    asks this on every submission."""
    chosen = (
        select(DeadlineChain.jurisdiction)
        .where(
            DeadlineChain.campaign_year == year,
            col(DeadlineChain.jurisdiction).in_(sorted(candidate_jurisdictions(region_code))),
        )
        .order_by(func.length(DeadlineChain.jurisdiction).desc())
        .limit(1)
        .scalar_subquery()
    )
    stmt = select(Deadline).where(
        Deadline.campaign_year == year, Deadline.level == level, Deadline.jurisdiction == chosen
    )
    return (await session.exec(stmt)).first()


async def chain(
    session: AsyncSession, year: int, jurisdiction: str, *, for_update: bool = False
) -> DeadlineChain | None:
    stmt = select(DeadlineChain).where(
        DeadlineChain.campaign_year == year, DeadlineChain.jurisdiction == jurisdiction
    )
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.exec(stmt)).first()


async def deadlines(session: AsyncSession, year: int, jurisdiction: str) -> list[Deadline]:
    rows = await session.exec(
        select(Deadline).where(
            Deadline.campaign_year == year, Deadline.jurisdiction == jurisdiction
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
            row_version=head.row_version,
            updated_by=head.updated_by,
            updated_at=head.updated_at,
        )
        .on_conflict_do_nothing()
        .returning(DeadlineChain.__table__.c.jurisdiction)
    )
    return inserted.first() is not None


async def delete_deadlines(session: AsyncSession, year: int, jurisdiction: str) -> None:
    await session.execute(
        delete(Deadline).where(
            Deadline.campaign_year == year, Deadline.jurisdiction == jurisdiction
        )
    )
