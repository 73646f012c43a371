"""Queries of the expert pool and of the assignments."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence

from sqlalchemy import delete, func
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.review.cases.models import ReviewCase
from ladder.review.national.experts.models import NationalAssignment, NationalExpert
from ladder.review.national.scoring.models import NationalScoreSheet

REVIEW = "review"  # the duty of a reviewer (材料评审: scores)


ONSITE = "onsite"  # the duty of a 现场核查 team member


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


async def insert_expert(session: AsyncSession, **values: object) -> bool:
    """Insert an expert unless the account is taken (False then): one statement, no race."""
    inserted = (
        await session.exec(
            insert(NationalExpert)
            .values(**values)
            .on_conflict_do_nothing(index_elements=[col(NationalExpert.account)])
            .returning(col(NationalExpert.id))
        )
    ).scalar_one_or_none()
    return inserted is not None


async def on_case(session: AsyncSession, case_id: uuid.UUID) -> list[NationalExpert]:
    """The experts with any duty on the case (reviewer or 现场核查 member), each once."""
    on = select(NationalAssignment.expert_id).where(NationalAssignment.case_id == case_id)
    rows = await session.exec(
        select(NationalExpert)
        .where(col(NationalExpert.id).in_(on))
        .order_by(col(NationalExpert.account))
    )
    return list(rows.all())


async def cases_of(
    session: AsyncSession, expert_id: uuid.UUID, statuses: Collection[str]
) -> list[ReviewCase]:
    """The cases in `statuses` the expert has a duty on, locked (their readers may change)."""
    on = select(NationalAssignment.case_id).where(NationalAssignment.expert_id == expert_id)
    rows = await session.exec(
        select(ReviewCase)
        .where(col(ReviewCase.id).in_(on), col(ReviewCase.status).in_(statuses))
        .order_by(col(ReviewCase.id))
        .with_for_update()
    )
    return list(rows.all())
