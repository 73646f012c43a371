"""Every query of the recommendation lists (推荐汇总表): the list by its name, the lists a
caller may read, the ranked entries and their cases, the history and the frozen submission."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy import delete, func, or_, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.review.cases.models import ReviewCase
from ladder.review.recommendations.models import (
    RecommendationEntry,
    RecommendationList,
    RecommendationListEvent,
    RecommendationSubmission,
)
from ladder.review.recommendations.schemas import ListTier


async def find(
    session: AsyncSession, campaign_year: int, tier: ListTier, unit: str, *, for_update: bool
) -> RecommendationList | None:
    stmt = select(RecommendationList).where(
        RecommendationList.campaign_year == campaign_year,
        RecommendationList.tier == tier.value,
        RecommendationList.unit == unit,
    )
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.exec(stmt)).first()


async def find_many(
    session: AsyncSession, keys: Collection[tuple[int, str, str]]
) -> list[RecommendationList]:
    """The lists named (campaign year, tier, unit) that exist."""
    rows = await session.exec(
        select(RecommendationList).where(
            tuple_(
                col(RecommendationList.campaign_year),
                col(RecommendationList.tier),
                col(RecommendationList.unit),
            ).in_(list(keys))
        )
    )
    return list(rows.all())


async def insert_list(session: AsyncSession, **values: Any) -> uuid.UUID | None:
    """Insert a list unless one of the same name exists (another request made it): its id or
    None."""
    return (
        await session.exec(
            insert(RecommendationList)
            .values(**values)
            .on_conflict_do_nothing(
                index_elements=[
                    col(RecommendationList.campaign_year),
                    col(RecommendationList.tier),
                    col(RecommendationList.unit),
                ]
            )
            .returning(col(RecommendationList.id))
        )
    ).scalar_one_or_none()


async def listing(
    session: AsyncSession,
    clauses: list[Any],
    *,
    offset: int,
    limit: int,
) -> tuple[list[tuple[RecommendationList, RecommendationSubmission | None]], int]:
    """The lists matching `clauses` with their submission, newest change first."""
    stmt = (
        select(RecommendationList, RecommendationSubmission)
        .join(
            RecommendationSubmission,
            col(RecommendationSubmission.list_id) == RecommendationList.id,
            isouter=True,
        )
        .where(*clauses)
    )
    total = (await session.exec(select(func.count()).select_from(stmt.subquery()))).one()
    rows = await session.exec(
        stmt.order_by(col(RecommendationList.updated_at).desc(), col(RecommendationList.id))
        .offset(offset)
        .limit(limit)
    )
    return [(lst, sub) for lst, sub in rows.all()], total


async def counted(session: AsyncSession, list_id: uuid.UUID) -> int:
    """The entries that use a slot of the quota."""
    stmt = select(func.count()).where(
        RecommendationEntry.list_id == list_id, col(RecommendationEntry.counts).is_(True)
    )
    return (await session.exec(stmt)).one()


async def entries(session: AsyncSession, list_id: uuid.UUID) -> list[RecommendationEntry]:
    """The entries in rank order."""
    rows = await session.exec(
        select(RecommendationEntry)
        .where(RecommendationEntry.list_id == list_id)
        .order_by(col(RecommendationEntry.rank))
    )
    return list(rows.all())


async def entry(
    session: AsyncSession, list_id: uuid.UUID, declaration_id: uuid.UUID
) -> RecommendationEntry | None:
    return (
        await session.exec(
            select(RecommendationEntry).where(
                RecommendationEntry.list_id == list_id,
                RecommendationEntry.declaration_id == declaration_id,
            )
        )
    ).first()


async def last_rank(session: AsyncSession, list_id: uuid.UUID) -> int:
    return (
        await session.exec(
            select(func.coalesce(func.max(RecommendationEntry.rank), 0)).where(
                RecommendationEntry.list_id == list_id
            )
        )
    ).one()


async def remove_entry(session: AsyncSession, entry: RecommendationEntry) -> None:
    """Delete the entry; those below it move up one rank."""
    await session.delete(entry)
    await session.flush()
    await session.exec(
        update(RecommendationEntry)
        .where(
            col(RecommendationEntry.list_id) == entry.list_id,
            col(RecommendationEntry.rank) > entry.rank,
        )
        .values(rank=RecommendationEntry.rank - 1)
    )


async def ranked_cases(
    session: AsyncSession, list_id: uuid.UUID, *, for_update: bool = False
) -> list[tuple[RecommendationEntry, ReviewCase]]:
    """The entries with their cases in rank order (the cases locked with `for_update`)."""
    stmt = (
        select(RecommendationEntry, ReviewCase)
        .join(ReviewCase, col(ReviewCase.declaration_id) == RecommendationEntry.declaration_id)
        .where(RecommendationEntry.list_id == list_id)
        .order_by(col(RecommendationEntry.rank))
    )
    if for_update:
        stmt = stmt.with_for_update(of=ReviewCase)  # type: ignore[arg-type]
    return list((await session.exec(stmt)).all())


async def forwarded_to(session: AsyncSession, upper: RecommendationList) -> list[ReviewCase]:
    """The cases awaiting `upper`'s recommendation that a submitted lower table of the same
    campaign and tier forwarded and `upper` does not list yet, locked, in the merge order:
    lower rank, then the table submitted first, then its unit's code."""
    lower_entry = aliased(RecommendationEntry)
    lower = aliased(RecommendationList)
    on_upper = select(RecommendationEntry.declaration_id).where(
        RecommendationEntry.list_id == upper.id
    )
    stmt = (
        select(ReviewCase)
        .join(lower_entry, col(lower_entry.declaration_id) == ReviewCase.declaration_id)
        .join(lower, col(lower.id) == lower_entry.list_id)
        .join(RecommendationSubmission, col(RecommendationSubmission.list_id) == lower.id)
        .where(
            lower.campaign_year == upper.campaign_year,
            lower.tier == upper.tier,
            lower.status == "submitted",
            lower.unit != upper.unit,
            ReviewCase.recommending_unit == upper.unit,
            ReviewCase.status == "awaiting_recommendation",
            ReviewCase.campaign_year == upper.campaign_year,
            ReviewCase.tier == upper.tier,
            col(ReviewCase.declaration_id).not_in(on_upper),
        )
        .order_by(
            col(lower_entry.rank),
            col(RecommendationSubmission.submitted_at),
            col(lower.unit),
        )
        .with_for_update(of=ReviewCase)  # type: ignore[arg-type]
    )
    return list((await session.exec(stmt)).all())


async def history(session: AsyncSession, list_id: uuid.UUID) -> list[RecommendationListEvent]:
    rows = await session.exec(
        select(RecommendationListEvent)
        .where(RecommendationListEvent.list_id == list_id)
        .order_by(col(RecommendationListEvent.id))
    )
    return list(rows.all())


async def submission(session: AsyncSession, list_id: uuid.UUID) -> RecommendationSubmission | None:
    return await session.get(RecommendationSubmission, list_id)


async def unsubmitted_entries_of(
    session: AsyncSession, declaration_id: uuid.UUID
) -> list[tuple[RecommendationEntry, RecommendationList]]:
    """The entries of a declaration on lists not yet submitted, their lists locked."""
    rows = await session.exec(
        select(RecommendationEntry, RecommendationList)
        .join(RecommendationList, col(RecommendationList.id) == col(RecommendationEntry.list_id))
        .where(
            col(RecommendationEntry.declaration_id) == declaration_id,
            col(RecommendationList.status) != "submitted",
        )
        .with_for_update(of=RecommendationList)
    )
    return list(rows.all())


# --- a whole ranked list pushed in one request (`push`) --------------------------------------


async def cases_by_declaration(
    session: AsyncSession, declaration_ids: set[uuid.UUID]
) -> dict[uuid.UUID, ReviewCase]:
    """The cases of these declarations, locked (lock order: the list first, then cases)."""
    if not declaration_ids:
        return {}
    rows = await session.exec(
        select(ReviewCase)
        .where(col(ReviewCase.declaration_id).in_(declaration_ids))
        .order_by(col(ReviewCase.id))
        .with_for_update()
    )
    return {c.declaration_id: c for c in rows.all()}


async def awaiting(
    session: AsyncSession, lst: RecommendationList, ranking_level: str | None
) -> list[ReviewCase]:
    """The cases of the list's campaign and tier waiting for its unit, locked: to be
    recommended by it (待推荐), or at a ranking level held by it (待初审 at its level)."""
    stmt = select(ReviewCase).where(
        ReviewCase.campaign_year == lst.campaign_year, ReviewCase.tier == lst.tier
    )
    if ranking_level is None:
        stmt = stmt.where(
            ReviewCase.status == "awaiting_recommendation",
            ReviewCase.recommending_unit == lst.unit,
        )
    else:
        stmt = stmt.where(
            ReviewCase.status == "awaiting_initial_review",
            ReviewCase.level == ranking_level,
            ReviewCase.holder_region == lst.unit,
        )
    rows = await session.exec(stmt.order_by(col(ReviewCase.id)).with_for_update())
    return list(rows.all())


async def cases_of_enterprises(
    session: AsyncSession, campaign_year: int, tier: str, usccs: set[str], names: set[str]
) -> list[ReviewCase]:
    """The cases of a campaign and tier whose enterprise has one of these USCCs or names (to
    say why a row naming them found nothing awaiting the unit); not locked."""
    if not usccs and not names:
        return []
    rows = await session.exec(
        select(ReviewCase).where(
            ReviewCase.campaign_year == campaign_year,
            ReviewCase.tier == tier,
            or_(
                col(ReviewCase.enterprise_uscc).in_(usccs),
                col(ReviewCase.enterprise_name).in_(names),
            ),
        )
    )
    return list(rows.all())


async def clear_entries(session: AsyncSession, list_id: uuid.UUID) -> int:
    """Delete every entry of the list (a push replaces them all): how many went."""
    result = await session.exec(
        delete(RecommendationEntry).where(col(RecommendationEntry.list_id) == list_id)
    )
    return result.rowcount


async def insert_entries(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Insert a pushed list's entries in one statement (column values per entry)."""
    if rows:
        await session.exec(insert(RecommendationEntry).values(rows))
