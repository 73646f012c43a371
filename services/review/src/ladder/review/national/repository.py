"""Every query of the national review."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence

from sqlalchemy import delete, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.review.cases.models import ReviewCase
from ladder.review.national.models import (
    NationalAssignment,
    NationalExpert,
    NationalObjection,
    NationalOnsite,
    NationalOnsiteItem,
    NationalPublicity,
    NationalPublicityEntry,
    NationalScoreSheet,
)

REVIEW = "review"  # the duty of a reviewer (材料评审: scores)
ONSITE = "onsite"  # the duty of a 现场核查 team member


# --- experts ---------------------------------------------------------------------------------


async def expert(
    session: AsyncSession, expert_id: uuid.UUID, *, for_update: bool = False
) -> NationalExpert | None:
    stmt = select(NationalExpert).where(NationalExpert.id == expert_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.exec(stmt)).first()


async def expert_by_account(session: AsyncSession, account: str) -> NationalExpert | None:
    stmt = select(NationalExpert).where(NationalExpert.account == account)
    return (await session.exec(stmt)).first()


async def experts_by_ids(
    session: AsyncSession, ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, NationalExpert]:
    rows = await session.exec(select(NationalExpert).where(col(NationalExpert.id).in_(ids)))
    return {e.id: e for e in rows.all()}


async def page_experts(
    session: AsyncSession,
    *,
    field: str | None,
    region_prefix: str | None,
    active: bool | None,
    offset: int,
    limit: int,
) -> tuple[list[NationalExpert], int]:
    stmt = select(NationalExpert)
    if field is not None:
        stmt = stmt.where(col(NationalExpert.fields).contains([field]))
    if region_prefix:
        stmt = stmt.where(
            col(NationalExpert.region_code).startswith(region_prefix, autoescape=True)
        )
    if active is not None:
        stmt = stmt.where(NationalExpert.active == active)
    total = (await session.exec(select(func.count()).select_from(stmt.subquery()))).one()
    rows = await session.exec(
        stmt.order_by(col(NationalExpert.name), col(NationalExpert.id)).offset(offset).limit(limit)
    )
    return list(rows.all()), total


async def expert_in_use(session: AsyncSession, expert_id: uuid.UUID) -> bool:
    assigned = select(NationalAssignment.id).where(NationalAssignment.expert_id == expert_id)
    scored = select(NationalScoreSheet.id).where(NationalScoreSheet.expert_id == expert_id)
    return (await session.exec(assigned.limit(1))).first() is not None or (
        await session.exec(scored.limit(1))
    ).first() is not None


# --- assignments -----------------------------------------------------------------------------


async def assigned(session: AsyncSession, case_id: uuid.UUID, duty: str) -> list[NationalExpert]:
    rows = await session.exec(
        select(NationalExpert)
        .join(NationalAssignment, col(NationalAssignment.expert_id) == NationalExpert.id)
        .where(NationalAssignment.case_id == case_id, NationalAssignment.duty == duty)
        .order_by(col(NationalAssignment.id))
    )
    return list(rows.all())


async def duties(session: AsyncSession, case_id: uuid.UUID, expert_id: uuid.UUID) -> set[str]:
    rows = await session.exec(
        select(NationalAssignment.duty).where(
            NationalAssignment.case_id == case_id, NationalAssignment.expert_id == expert_id
        )
    )
    return set(rows.all())


async def replace_assignments(
    session: AsyncSession, case_id: uuid.UUID, duty: str, expert_ids: Sequence[uuid.UUID], by: str
) -> None:
    """The case's experts of `duty` become exactly `expert_ids` (kept ones keep their row)."""
    await session.exec(
        delete(NationalAssignment).where(
            col(NationalAssignment.case_id) == case_id,
            col(NationalAssignment.duty) == duty,
            col(NationalAssignment.expert_id).not_in(expert_ids),
        )
    )
    kept = set(
        (
            await session.exec(
                select(NationalAssignment.expert_id).where(
                    NationalAssignment.case_id == case_id, NationalAssignment.duty == duty
                )
            )
        ).all()
    )
    for expert_id in expert_ids:
        if expert_id not in kept:
            session.add(
                NationalAssignment(case_id=case_id, expert_id=expert_id, duty=duty, assigned_by=by)
            )
    await session.flush()


# --- cases -----------------------------------------------------------------------------------


async def page_cases(
    session: AsyncSession,
    *,
    statuses: Collection[str],
    tier: str | None,
    status: str | None,
    campaign_year: int | None,
    expert_id: uuid.UUID | None,
    offset: int,
    limit: int,
) -> tuple[list[ReviewCase], int]:
    """Cases in the national review; with `expert_id`, only those the expert is on."""
    stmt = select(ReviewCase).where(col(ReviewCase.status).in_(statuses))
    if expert_id is not None:
        on_case = select(NationalAssignment.case_id).where(
            NationalAssignment.expert_id == expert_id
        )
        stmt = stmt.where(col(ReviewCase.id).in_(on_case))
    if tier is not None:
        stmt = stmt.where(ReviewCase.tier == tier)
    if status is not None:
        stmt = stmt.where(ReviewCase.status == status)
    if campaign_year is not None:
        stmt = stmt.where(ReviewCase.campaign_year == campaign_year)
    total = (await session.exec(select(func.count()).select_from(stmt.subquery()))).one()
    rows = await session.exec(
        stmt.order_by(col(ReviewCase.updated_at), col(ReviewCase.id)).offset(offset).limit(limit)
    )
    return list(rows.all()), total


async def selected_cases(
    session: AsyncSession, campaign_year: int, tier: str, *, for_update: bool = False
) -> list[ReviewCase]:
    stmt = (
        select(ReviewCase)
        .where(
            ReviewCase.campaign_year == campaign_year,
            ReviewCase.tier == tier,
            ReviewCase.status == "selected",
        )
        .order_by(col(ReviewCase.region_code), col(ReviewCase.enterprise_name), col(ReviewCase.id))
    )
    if for_update:
        stmt = stmt.with_for_update()
    return list((await session.exec(stmt)).all())


# --- score sheets ----------------------------------------------------------------------------


async def sheets(
    session: AsyncSession, case_id: uuid.UUID
) -> list[tuple[NationalScoreSheet, NationalExpert]]:
    rows = await session.exec(
        select(NationalScoreSheet, NationalExpert)
        .join(NationalExpert, col(NationalExpert.id) == NationalScoreSheet.expert_id)
        .where(NationalScoreSheet.case_id == case_id)
        .order_by(col(NationalScoreSheet.id))
    )
    return [(s, e) for s, e in rows.all()]


async def sheet(
    session: AsyncSession, case_id: uuid.UUID, expert_id: uuid.UUID, *, for_update: bool = False
) -> NationalScoreSheet | None:
    stmt = select(NationalScoreSheet).where(
        NationalScoreSheet.case_id == case_id, NationalScoreSheet.expert_id == expert_id
    )
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.exec(stmt)).first()


# --- 现场核查 --------------------------------------------------------------------------------


async def onsite(
    session: AsyncSession, case_id: uuid.UUID, *, for_update: bool = False
) -> NationalOnsite | None:
    stmt = select(NationalOnsite).where(NationalOnsite.case_id == case_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.exec(stmt)).first()


async def items(session: AsyncSession, onsite_id: uuid.UUID) -> list[NationalOnsiteItem]:
    rows = await session.exec(
        select(NationalOnsiteItem)
        .where(NationalOnsiteItem.onsite_id == onsite_id)
        .order_by(col(NationalOnsiteItem.position))
    )
    return list(rows.all())


async def item(
    session: AsyncSession, onsite_id: uuid.UUID, key: str, *, for_update: bool = False
) -> NationalOnsiteItem | None:
    stmt = select(NationalOnsiteItem).where(
        NationalOnsiteItem.onsite_id == onsite_id, NationalOnsiteItem.key == key
    )
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.exec(stmt)).first()


# --- 公示 ------------------------------------------------------------------------------------


async def publicity(
    session: AsyncSession,
    campaign_year: int,
    tier: str,
    *,
    for_update: bool = False,
    for_share: bool = False,
) -> NationalPublicity | None:
    stmt = select(NationalPublicity).where(
        NationalPublicity.campaign_year == campaign_year, NationalPublicity.tier == tier
    )
    if for_update:
        stmt = stmt.with_for_update()
    elif for_share:
        stmt = stmt.with_for_update(read=True)
    return (await session.exec(stmt)).first()


async def entries(
    session: AsyncSession, publicity_id: uuid.UUID, *, outcome: str | None = None
) -> list[tuple[NationalPublicityEntry, ReviewCase]]:
    stmt = (
        select(NationalPublicityEntry, ReviewCase)
        .join(ReviewCase, col(ReviewCase.id) == NationalPublicityEntry.case_id)
        .where(NationalPublicityEntry.publicity_id == publicity_id)
        .order_by(col(NationalPublicityEntry.position))
    )
    if outcome is not None:
        stmt = stmt.where(NationalPublicityEntry.outcome == outcome)
    return [(e, c) for e, c in (await session.exec(stmt)).all()]


async def entry(
    session: AsyncSession, publicity_id: uuid.UUID, declaration_id: uuid.UUID
) -> NationalPublicityEntry | None:
    stmt = select(NationalPublicityEntry).where(
        NationalPublicityEntry.publicity_id == publicity_id,
        NationalPublicityEntry.declaration_id == declaration_id,
    )
    return (await session.exec(stmt)).first()


async def published_page(
    session: AsyncSession, publicity_id: uuid.UUID, *, offset: int, limit: int
) -> tuple[list[NationalPublicityEntry], int]:
    stmt = select(NationalPublicityEntry).where(
        NationalPublicityEntry.publicity_id == publicity_id,
        NationalPublicityEntry.outcome == "published",
    )
    total = (await session.exec(select(func.count()).select_from(stmt.subquery()))).one()
    rows = await session.exec(
        stmt.order_by(col(NationalPublicityEntry.position)).offset(offset).limit(limit)
    )
    return list(rows.all()), total


async def objection_counts(session: AsyncSession, publicity_id: uuid.UUID) -> dict[str, int]:
    rows = await session.exec(
        select(NationalObjection.status, func.count())
        .where(NationalObjection.publicity_id == publicity_id)
        .group_by(col(NationalObjection.status))
    )
    return {status: n for status, n in rows.all()}


async def objections_page(
    session: AsyncSession,
    publicity_id: uuid.UUID,
    *,
    status: str | None,
    declaration_id: uuid.UUID | None,
    offset: int,
    limit: int,
) -> tuple[list[NationalObjection], int]:
    stmt = select(NationalObjection).where(NationalObjection.publicity_id == publicity_id)
    if status is not None:
        stmt = stmt.where(NationalObjection.status == status)
    if declaration_id is not None:
        stmt = stmt.where(NationalObjection.declaration_id == declaration_id)
    total = (await session.exec(select(func.count()).select_from(stmt.subquery()))).one()
    rows = await session.exec(
        stmt.order_by(col(NationalObjection.received_at), col(NationalObjection.id))
        .offset(offset)
        .limit(limit)
    )
    return list(rows.all()), total


async def objection(
    session: AsyncSession, objection_id: uuid.UUID, *, for_update: bool = False
) -> NationalObjection | None:
    stmt = select(NationalObjection).where(NationalObjection.id == objection_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.exec(stmt)).first()
