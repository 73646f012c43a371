"""Every query of the 领航级 cultivation: records (by case, by declaration, readable listings),
their history, reports, guidance, applications, reminders, and what the sweeper finds due."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.review.cultivation.machine import (
    EXPIRABLE_STATUSES,
    FINAL_STATUSES,
    CultivationMachine,
)
from ladder.review.cultivation.models import (
    CultivationApplication,
    CultivationGuidance,
    CultivationRecord,
    CultivationReminder,
    CultivationReport,
    CultivationTransition,
)

PENDING, SENT, CANCELLED = "pending", "sent", "cancelled"
"""A reminder's status: due later, sent once, or cancelled because the record ended."""


async def by_id(session: AsyncSession, record_id: uuid.UUID) -> CultivationRecord | None:
    return await session.get(CultivationRecord, record_id)


async def by_case(session: AsyncSession, case_id: uuid.UUID) -> CultivationRecord | None:
    stmt = select(CultivationRecord).where(CultivationRecord.case_id == case_id)
    return (await session.exec(stmt)).first()


async def by_declaration(
    session: AsyncSession, declaration_id: uuid.UUID, *, for_update: bool = False
) -> CultivationRecord | None:
    stmt = select(CultivationRecord).where(CultivationRecord.declaration_id == declaration_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.exec(stmt)).first()


async def by_declarations(
    session: AsyncSession, declaration_ids: Collection[uuid.UUID]
) -> list[CultivationRecord]:
    rows = await session.exec(
        select(CultivationRecord).where(col(CultivationRecord.declaration_id).in_(declaration_ids))
    )
    return list(rows.all())


async def insert_record(session: AsyncSession, **values: Any) -> uuid.UUID | None:
    """Insert a record unless its case already has one (a concurrent start won): its id or
    None."""
    return (
        await session.exec(
            insert(CultivationRecord)
            .values(**values)
            .on_conflict_do_nothing()
            .returning(col(CultivationRecord.id))
        )
    ).scalar_one_or_none()


async def listing(
    session: AsyncSession,
    clauses: list[Any],
    *,
    status: str | None,
    region: str | None,
    offset: int,
    limit: int,
) -> tuple[list[CultivationRecord], int]:
    """The records matching the readable `clauses`, the nearest deadline first."""
    stmt = select(CultivationRecord).where(*clauses)
    if status is not None:
        stmt = stmt.where(CultivationRecord.status == status)
    if region is not None:
        stmt = stmt.where(col(CultivationRecord.region_code).startswith(region, autoescape=True))
    total = (await session.exec(select(func.count()).select_from(stmt.subquery()))).one()
    rows = await session.exec(
        stmt.order_by(col(CultivationRecord.deadline), col(CultivationRecord.id))
        .offset(offset)
        .limit(limit)
    )
    return list(rows.all()), total


async def history(session: AsyncSession, record_id: uuid.UUID) -> list[CultivationTransition]:
    rows = await session.exec(
        select(CultivationTransition)
        .where(CultivationTransition.record_id == record_id)
        .order_by(col(CultivationTransition.id))
    )
    return list(rows.all())


async def report_count(session: AsyncSession, record_id: uuid.UUID) -> int:
    return (
        await session.exec(select(func.count()).where(CultivationReport.record_id == record_id))
    ).one()


async def reminders_sent(session: AsyncSession, record_id: uuid.UUID) -> list[int]:
    """Days before the deadline of the reminders sent, the earliest sent first."""
    rows = await session.exec(
        select(CultivationReminder.days_before)
        .where(CultivationReminder.record_id == record_id, CultivationReminder.status == SENT)
        .order_by(col(CultivationReminder.days_before).desc())
    )
    return list(rows.all())


async def latest_application(
    session: AsyncSession, record_id: uuid.UUID
) -> CultivationApplication | None:
    return (
        await session.exec(
            select(CultivationApplication)
            .where(CultivationApplication.record_id == record_id)
            .order_by(col(CultivationApplication.id).desc())
            .limit(1)
        )
    ).first()


async def reports(
    session: AsyncSession, record_id: uuid.UUID, *, offset: int, limit: int
) -> tuple[list[CultivationReport], int]:
    base = select(CultivationReport).where(CultivationReport.record_id == record_id)
    total = (await session.exec(select(func.count()).select_from(base.subquery()))).one()
    rows = await session.exec(base.order_by(col(CultivationReport.id)).offset(offset).limit(limit))
    return list(rows.all()), total


async def reports_of_many(
    session: AsyncSession, record_ids: Collection[uuid.UUID], *, offset: int, limit: int
) -> dict[uuid.UUID, tuple[list[CultivationReport], int]]:
    """The same window of each record's reports (`reports`' order) and each one's total, in
    two queries whatever the number of records."""
    if not record_ids:
        return {}
    mine = col(CultivationReport.record_id).in_(record_ids)
    totals = await session.exec(
        select(col(CultivationReport.record_id), func.count())
        .where(mine)
        .group_by(col(CultivationReport.record_id))
    )
    counted = dict(totals.all())
    number = func.row_number().over(
        partition_by=col(CultivationReport.record_id), order_by=col(CultivationReport.id)
    )
    ranked = select(col(CultivationReport.id), number.label("n")).where(mine).subquery()
    rows = await session.exec(
        select(CultivationReport)
        .join(ranked, ranked.c.id == CultivationReport.id)
        .where(ranked.c.n > offset, ranked.c.n <= offset + limit)
        .order_by(col(CultivationReport.record_id), col(CultivationReport.id))
    )
    found: dict[uuid.UUID, list[CultivationReport]] = {r: [] for r in record_ids}
    for row in rows.all():
        found[row.record_id].append(row)
    return {r: (found[r], counted.get(r, 0)) for r in record_ids}


async def guidance(
    session: AsyncSession, record_id: uuid.UUID, *, offset: int, limit: int
) -> tuple[list[CultivationGuidance], int]:
    base = select(CultivationGuidance).where(CultivationGuidance.record_id == record_id)
    total = (await session.exec(select(func.count()).select_from(base.subquery()))).one()
    rows = await session.exec(
        base.order_by(col(CultivationGuidance.id)).offset(offset).limit(limit)
    )
    return list(rows.all()), total


async def accepted(
    session: AsyncSession, *, offset: int, limit: int
) -> tuple[list[CultivationRecord], int]:
    """The accepted records (领航级 recognised), the latest conclusion first."""
    base = select(CultivationRecord).where(
        CultivationRecord.status == CultivationMachine.accepted.value
    )
    total = (await session.exec(select(func.count()).select_from(base.subquery()))).one()
    rows = await session.exec(
        base.order_by(col(CultivationRecord.concluded_at).desc(), col(CultivationRecord.id))
        .offset(offset)
        .limit(limit)
    )
    return list(rows.all()), total


async def cancel_pending_reminders(session: AsyncSession, record_ids: Sequence[uuid.UUID]) -> None:
    """A record that ended needs no reminder (same transaction as its last transition)."""
    if record_ids:
        await session.execute(
            update(CultivationReminder)
            .where(
                col(CultivationReminder.record_id).in_(record_ids),
                CultivationReminder.status == PENDING,
            )
            .values(status=CANCELLED)
        )


async def claim_due_expiries(
    session: AsyncSession, now: datetime, batch_size: int
) -> list[CultivationRecord]:
    """Records still cultivating past their deadline, locked; rows another sweeper holds are
    skipped (concurrent sweepers take disjoint batches)."""
    rows = await session.exec(
        select(CultivationRecord)
        .where(
            col(CultivationRecord.status).in_(EXPIRABLE_STATUSES),
            CultivationRecord.deadline <= now,
        )
        .order_by(col(CultivationRecord.deadline), col(CultivationRecord.id))
        .limit(batch_size)
        .with_for_update(skip_locked=True)
    )
    return list(rows.all())


async def claim_due_reminders(
    session: AsyncSession, now: datetime, batch_size: int
) -> list[tuple[CultivationReminder, CultivationRecord]]:
    """Pending reminders due of records still open, locked (skipping those already held)."""
    rows = await session.exec(
        select(CultivationReminder, CultivationRecord)
        .join(CultivationRecord, col(CultivationRecord.id) == CultivationReminder.record_id)
        .where(
            CultivationReminder.status == PENDING,
            CultivationReminder.due_at <= now,
            col(CultivationRecord.status).not_in(FINAL_STATUSES),
        )
        .order_by(col(CultivationReminder.due_at), col(CultivationReminder.id))
        .limit(batch_size)
        .with_for_update(of=CultivationReminder, skip_locked=True)
    )
    return [(reminder, record) for reminder, record in rows.all()]
