"""The behaviour of the 领航级 cultivation: list a case as a cultivation object (培育对象), take
progress reports and expert guidance, carry the acceptance application (验收申请) through the
recommending unit's initial review (初审) to the expert committee's conclusion (验收认定), and
expire or remind when the period's deadline comes (the sweeper calls `expire` and
`send_reminder`).

Who may: the ministry reads all; a province or city reads the records of its region (XPCC: the
unit's own); an enterprise reads and acts on its own (its token's `org` is the USCC); an expert
reads the records it is assigned to. Anyone else sees 404, so existence does not leak. Every
change writes its history row and its event in the request's transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from statemachine.exceptions import TransitionNotAllowed

from ladder.contracts.registry import destinations
from ladder.contracts.review import CULTIVATION_PREFIX, CULTIVATION_REMINDER, CultivationChanged
from ladder.kit import clock
from ladder.kit.auth import Principal, Role
from ladder.kit.concurrency import check_if_match, etag
from ladder.kit.outbox import publish
from ladder.review.cases import repository as cases
from ladder.review.cases.models import ReviewCase
from ladder.review.cultivation.data import (
    AcceptanceChain,
    cultivation_data,
    is_regional_unit,
    level_holder,
)
from ladder.review.cultivation.errors import (
    AcceptanceLevelNotInChain,
    CaseNotPilotTier,
    CultivationClosed,
    CultivationNotFound,
    CultivationPeriodTooLong,
    NoAcceptanceChain,
    NotAcceptanceHolder,
    NotAwaitingExpertAcceptance,
    NotAwaitingInitialReview,
    NotCultivating,
)
from ladder.review.cultivation.machine import (
    ACCEPTANCE_APPLIED,
    ACCEPTED,
    APPLICATION_RETURNED,
    EXPERTS_ASSIGNED,
    EXPIRED,
    FAILED,
    FINAL_STATUSES,
    FORWARDED,
    INITIAL_REVIEW_PASSED,
    INITIAL_STATUS,
    STARTED,
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
from ladder.review.cultivation.schemas import (
    AcceptanceDecision,
    AcceptanceDecisionCreate,
    ApplicationCreate,
    ApplicationRead,
    CultivationCreate,
    CultivationRead,
    CultivationSummary,
    GuidanceCreate,
    InitialReviewCreate,
    InitialReviewDecision,
    LeadingFactory,
    ReportCreate,
    TransitionRead,
)
from ladder.review.errors import CaseNotFound
from ladder.review.routing.chains import Level
from ladder.review.tables import OUTBOX
from ladder.review.vocabulary import Tier

TOPIC_PREFIX = CULTIVATION_PREFIX
REMINDER_TOPIC = CULTIVATION_REMINDER
# The declaration service shows the enterprise where its cultivation stands (it ignores topics
# it has no handler for yet, and will mirror these later).
DESTINATIONS = destinations(CULTIVATION_REMINDER)  # every cultivation topic: the same
SWEEPER = "system:cultivation-sweeper"
PENDING, SENT, CANCELLED = "pending", "sent", "cancelled"


def record_etag(record: CultivationRecord) -> str:
    return etag("cultivation", record.declaration_id, record.row_version)


# --- who may --------------------------------------------------------------------------------


def may_read(principal: Principal, record: CultivationRecord) -> bool:
    match principal.role:
        case Role.ministry:
            return True
        case Role.province | Role.city:
            prefix = principal.region_prefix()
            return prefix is not None and record.jurisdiction.startswith(prefix)
        case Role.enterprise:
            return principal.org is not None and principal.org == record.enterprise_uscc
        case Role.expert:
            return principal.sub in record.experts
        case _:
            return False


def holds(principal: Principal, record: CultivationRecord) -> bool:
    """The authority at the application's level whose jurisdiction covers the holder (the city
    350100 holds at city 350100; a province token whose region is `xpcc` holds `xpcc`)."""
    return principal.role.value == record.level and principal.covers_region(record.holder)


def _readable_filter(principal: Principal) -> list[Any] | None:
    """The WHERE clauses of the records a principal may read ([] for all, None for none)."""
    match principal.role:
        case Role.ministry:
            return []
        case Role.province | Role.city:
            prefix = principal.region_prefix()
            if not prefix:
                return None
            return [col(CultivationRecord.jurisdiction).startswith(prefix, autoescape=True)]
        case Role.enterprise:
            if principal.org is None:
                return None
            return [CultivationRecord.enterprise_uscc == principal.org]
        case Role.expert:
            return [col(CultivationRecord.experts).contains([principal.sub])]
        case _:
            return None


# --- the record and its history -------------------------------------------------------------


def _chain(record: CultivationRecord) -> AcceptanceChain:
    chain = cultivation_data().chain_for(record.recommending_unit, record.region_code)
    if chain is None:
        raise NoAcceptanceChain(details={"recommending_unit": record.recommending_unit})
    return chain


def _history(
    record: CultivationRecord,
    event: str,
    before: str | None,
    actor: str,
    at: datetime,
    reason: str | None = None,
) -> CultivationTransition:
    return CultivationTransition(
        record_id=record.id,
        event=event,
        from_status=before,
        to_status=record.status,
        actor=actor,
        reason=reason,
        level=record.level,
        holder=record.holder,
        at=at,
    )


async def _moved(
    session: AsyncSession,
    record: CultivationRecord,
    event: str,
    before: str | None,
    actor: str,
    now: datetime,
    reason: str | None = None,
    *,
    cancel_reminders: bool = True,
) -> None:
    """After a transition: bump the version, write its history row and its event (topic
    `cultivation.<event>`, or `cultivation.expired` whenever the record ended expired), and
    cancel the pending reminders of a record that ended."""
    record.row_version += 1
    record.updated_at = now
    session.add(record)
    session.add(_history(record, event, before, actor, now, reason))
    if cancel_reminders and record.status in FINAL_STATUSES:
        await cancel_pending_reminders(session, [record.id])
    topic = TOPIC_PREFIX + (EXPIRED if record.status == EXPIRED else event)
    await publish(
        session,
        OUTBOX,
        topic=topic,
        destinations=DESTINATIONS,
        payload=_payload(record, event, now, reason),
    )


def _payload(
    record: CultivationRecord,
    event: str,
    now: datetime,
    reason: str | None = None,
    **reminder: Any,
) -> CultivationChanged:
    return CultivationChanged(
        declaration_id=record.declaration_id,
        enterprise_uscc=record.enterprise_uscc,
        event=event,
        status=record.status,
        period_end=record.period_end,
        at=now,
        **({"reason": reason} if reason is not None else {}),
        **reminder,
    )


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


# --- starting -------------------------------------------------------------------------------


async def start_cultivation(
    session: AsyncSession,
    *,
    case: ReviewCase,
    start: date,
    actor: str,
    goals: str | None = None,
    period_months: int | None = None,
) -> CultivationRecord:
    """List a 领航级 case as a cultivation object (培育对象), `cultivating` from `start`.

    The national review calls this when it publishes the cultivation-object list. Idempotent
    per case: a second call returns the record the first made (whatever it is asked now).
    """
    record, _ = await start_record(
        session, case=case, start=start, actor=actor, goals=goals, period_months=period_months
    )
    return record


async def start_record(
    session: AsyncSession,
    *,
    case: ReviewCase,
    start: date,
    actor: str,
    goals: str | None = None,
    period_months: int | None = None,
) -> tuple[CultivationRecord, bool]:
    """`start_cultivation`, telling whether this call created the record."""
    existing = await _by_case(session, case.id)
    if existing is not None:
        return existing, False
    if case.tier != Tier.pilot.value:
        raise CaseNotPilotTier(details={"tier": case.tier})
    data = cultivation_data()
    months = data.period.max_months if period_months is None else period_months
    if months < 1:
        raise ValueError("a cultivation period lasts at least one month")
    if months > data.period.max_months:
        raise CultivationPeriodTooLong(
            details={
                "period_months": months,
                "max_months": data.period.max_months,
                "source": data.period.source,
            }
        )
    # Cases received before the unit was carried name none: theirs is the factory's province.
    unit = case.recommending_unit or case.region_code[:2] + "0000"
    if data.chain_for(unit, case.region_code) is None:
        raise NoAcceptanceChain(details={"recommending_unit": unit})
    period_end = data.period_end(start, months)
    deadline = data.deadline(period_end)
    now = clock.now()
    new_id = uuid.uuid4()
    inserted = (
        await session.exec(
            insert(CultivationRecord)
            .values(
                id=new_id,
                case_id=case.id,
                declaration_id=case.declaration_id,
                enterprise_uscc=case.enterprise_uscc,
                enterprise_name=case.enterprise_name,
                factory_name=case.factory_name,
                region_code=case.region_code,
                recommending_unit=unit,
                jurisdiction=case.region_code if is_regional_unit(unit) else unit,
                status=INITIAL_STATUS,
                start_date=start,
                period_end=period_end,
                deadline=deadline,
                goals=goals,
                experts=[],
                row_version=1,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing()
            .returning(col(CultivationRecord.id))
        )
    ).scalar_one_or_none()
    if inserted is None:  # a concurrent call for the same case won
        record = await _by_case(session, case.id)
        assert record is not None
        return record, False
    record = await session.get(CultivationRecord, new_id)
    assert record is not None
    session.add(_history(record, STARTED, None, actor, now))
    for days in data.reminders.days_before:
        due = data.reminder_due(deadline, days)
        if due > now:  # a reminder already past when the period starts is not sent
            session.add(
                CultivationReminder(
                    record_id=record.id, days_before=days, due_at=due, status=PENDING
                )
            )
    await session.flush()
    await publish(
        session,
        OUTBOX,
        topic=TOPIC_PREFIX + STARTED,
        destinations=DESTINATIONS,
        payload=_payload(record, STARTED, now),
    )
    return record, True


async def start_for_declaration(
    session: AsyncSession, principal: Principal, data: CultivationCreate
) -> tuple[CultivationRecord, bool]:
    case = await cases.by_declaration(session, data.declaration_id)
    if case is None:
        raise CaseNotFound(details={"declaration_id": str(data.declaration_id)})
    return await start_record(
        session,
        case=case,
        start=data.start,
        actor=principal.sub,
        goals=data.goals,
        period_months=data.period_months,
    )


# --- reading --------------------------------------------------------------------------------


async def _by_case(session: AsyncSession, case_id: uuid.UUID) -> CultivationRecord | None:
    stmt = select(CultivationRecord).where(CultivationRecord.case_id == case_id)
    return (await session.exec(stmt)).first()


async def get_readable(
    session: AsyncSession,
    principal: Principal,
    declaration_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> CultivationRecord:
    stmt = select(CultivationRecord).where(CultivationRecord.declaration_id == declaration_id)
    if for_update:
        stmt = stmt.with_for_update()
    record = (await session.exec(stmt)).first()
    if record is None or not may_read(principal, record):
        raise CultivationNotFound(details={"declaration_id": str(declaration_id)})
    return record


async def listing(
    session: AsyncSession,
    principal: Principal,
    *,
    status: str | None,
    region: str | None,
    offset: int,
    limit: int,
) -> tuple[list[CultivationRecord], int]:
    """The records the caller may read, the nearest deadline first."""
    clauses = _readable_filter(principal)
    if clauses is None:
        return [], 0
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


async def to_read(session: AsyncSession, record: CultivationRecord) -> CultivationRead:
    history = await session.exec(
        select(CultivationTransition)
        .where(CultivationTransition.record_id == record.id)
        .order_by(col(CultivationTransition.id))
    )
    reports = (
        await session.exec(select(func.count()).where(CultivationReport.record_id == record.id))
    ).one()
    sent = await session.exec(
        select(CultivationReminder.days_before)
        .where(CultivationReminder.record_id == record.id, CultivationReminder.status == SENT)
        .order_by(col(CultivationReminder.days_before).desc())
    )
    application = (
        await session.exec(
            select(CultivationApplication)
            .where(CultivationApplication.record_id == record.id)
            .order_by(col(CultivationApplication.id).desc())
            .limit(1)
        )
    ).first()
    summary = CultivationSummary.model_validate(record)
    return CultivationRead(
        **summary.model_dump(),
        goals=record.goals,
        conclusion=record.conclusion,
        concluded_at=record.concluded_at,
        created_at=record.created_at,
        etag=record_etag(record),
        reports=reports,
        reminders_sent=list(sent.all()),
        application=ApplicationRead.model_validate(application) if application else None,
        history=[TransitionRead.model_validate(t) for t in history.all()],
    )


async def reports(
    session: AsyncSession, record: CultivationRecord, *, offset: int, limit: int
) -> tuple[list[CultivationReport], int]:
    base = select(CultivationReport).where(CultivationReport.record_id == record.id)
    total = (await session.exec(select(func.count()).select_from(base.subquery()))).one()
    rows = await session.exec(base.order_by(col(CultivationReport.id)).offset(offset).limit(limit))
    return list(rows.all()), total


async def guidance(
    session: AsyncSession, record: CultivationRecord, *, offset: int, limit: int
) -> tuple[list[CultivationGuidance], int]:
    base = select(CultivationGuidance).where(CultivationGuidance.record_id == record.id)
    total = (await session.exec(select(func.count()).select_from(base.subquery()))).one()
    rows = await session.exec(
        base.order_by(col(CultivationGuidance.id)).offset(offset).limit(limit)
    )
    return list(rows.all()), total


async def leading_factories(
    session: AsyncSession, *, offset: int, limit: int
) -> tuple[list[LeadingFactory], int]:
    """The public list of accepted 领航级 智能工厂 (发布名单), the latest first."""
    base = select(CultivationRecord).where(
        CultivationRecord.status == CultivationMachine.accepted.value
    )
    total = (await session.exec(select(func.count()).select_from(base.subquery()))).one()
    rows = await session.exec(
        base.order_by(col(CultivationRecord.concluded_at).desc(), col(CultivationRecord.id))
        .offset(offset)
        .limit(limit)
    )
    zone = cultivation_data().period.zone
    return [
        LeadingFactory(
            enterprise_name=r.enterprise_name,
            factory_name=r.factory_name,
            region_code=r.region_code,
            accepted_on=r.concluded_at.astimezone(zone).date(),
        )
        for r in rows.all()
        if r.concluded_at is not None
    ], total


# --- reports, guidance, experts -------------------------------------------------------------


def _open(record: CultivationRecord) -> None:
    if record.status in FINAL_STATUSES:
        raise CultivationClosed(details={"status": record.status})


async def add_report(
    session: AsyncSession, principal: Principal, declaration_id: uuid.UUID, data: ReportCreate
) -> CultivationReport:
    """A progress report by the enterprise, while the record is open."""
    record = await get_readable(session, principal, declaration_id, for_update=True)
    _open(record)
    report = CultivationReport(
        record_id=record.id,
        period=data.period,
        text=data.text,
        kpis=data.kpis,
        author=principal.sub,
        at=clock.now(),
    )
    session.add(report)
    await session.flush()
    return report


async def add_guidance(
    session: AsyncSession, principal: Principal, declaration_id: uuid.UUID, data: GuidanceCreate
) -> CultivationGuidance:
    """A guidance note by an assigned expert (others do not see the record: 404)."""
    record = await get_readable(session, principal, declaration_id, for_update=True)
    _open(record)
    note = CultivationGuidance(
        record_id=record.id,
        text=data.text,
        expert=principal.sub,
        expert_name=principal.name,
        at=clock.now(),
    )
    session.add(note)
    await session.flush()
    return note


async def set_experts(
    session: AsyncSession,
    principal: Principal,
    declaration_id: uuid.UUID,
    experts: list[str],
    if_match: str | None,
) -> CultivationRecord:
    """The experts guiding the record (专家委指导): replaced as a whole."""
    record = await get_readable(session, principal, declaration_id, for_update=True)
    check_if_match(if_match, record_etag(record))
    _open(record)
    now = clock.now()
    record.experts = list(experts)
    record.row_version += 1
    record.updated_at = now
    session.add(record)
    session.add(
        _history(record, EXPERTS_ASSIGNED, record.status, principal.sub, now, ", ".join(experts))
    )
    await session.flush()
    return record


# --- the acceptance -------------------------------------------------------------------------


async def apply_for_acceptance(
    session: AsyncSession,
    principal: Principal,
    declaration_id: uuid.UUID,
    data: ApplicationCreate,
    if_match: str | None,
) -> CultivationRecord:
    """The enterprise applies (验收申请); it lands at the first level of its acceptance chain."""
    record = await get_readable(session, principal, declaration_id, for_update=True)
    check_if_match(if_match, record_etag(record))
    now = clock.now()
    before = record.status
    try:
        CultivationMachine(record, state_field="status").send(
            "apply_for_acceptance", now=now, deadline=record.deadline
        )
    except TransitionNotAllowed:
        raise NotCultivating(details={"status": record.status}) from None
    chain = _chain(record)
    first = chain.first().level
    record.level = first.value
    record.holder = level_holder(chain, first, record.recommending_unit, record.region_code)
    session.add(
        CultivationApplication(
            record_id=record.id, summary=data.summary, applicant=principal.sub, at=now
        )
    )
    await _moved(session, record, ACCEPTANCE_APPLIED, before, principal.sub, now)
    await session.flush()
    return record


async def give_initial_review(
    session: AsyncSession,
    principal: Principal,
    declaration_id: uuid.UUID,
    data: InitialReviewCreate,
    if_match: str | None,
) -> CultivationRecord:
    """The holder's opinion: `pass` climbs the chain (at the top: to the expert committee),
    `return` sends it back to the enterprise, who may apply again — or, once the period is
    over, ends the record as expired (no new application is possible then)."""
    record = await get_readable(session, principal, declaration_id, for_update=True)
    if record.status != CultivationMachine.acceptance_initial_review.value:
        raise NotAwaitingInitialReview(details={"status": record.status})
    if not holds(principal, record):
        raise NotAcceptanceHolder(details={"level": record.level, "holder": record.holder})
    check_if_match(if_match, record_etag(record))
    chain = _chain(record)
    try:
        here = chain.at(Level(record.level or ""))
    except (KeyError, ValueError):
        # The data file changed under an application in flight: a data fix, not the caller's.
        raise AcceptanceLevelNotInChain(
            details={"level": record.level, "chain": chain.name}
        ) from None
    now = clock.now()
    before = record.status
    machine = CultivationMachine(record, state_field="status")
    try:
        if data.decision is InitialReviewDecision.pass_:
            above = chain.above(here.level)
            machine.send("pass_initial_review", next_level=above)
            if above is not None:
                record.level = above.level.value
                record.holder = level_holder(
                    chain, above.level, record.recommending_unit, record.region_code
                )
                event = FORWARDED
            else:
                record.level = record.holder = None
                event = INITIAL_REVIEW_PASSED
        else:
            machine.send(
                "return_application",
                now=now,
                deadline=record.deadline,
                duty=here.duty.value,
                reasons=data.reasons,
            )
            record.level = record.holder = None
            event = APPLICATION_RETURNED
    except TransitionNotAllowed:
        raise NotAwaitingInitialReview(details={"status": record.status}) from None
    await _moved(session, record, event, before, principal.sub, now, data.reasons or None)
    await session.flush()
    return record


async def decide_acceptance(
    session: AsyncSession,
    principal: Principal,
    declaration_id: uuid.UUID,
    data: AcceptanceDecisionCreate,
    if_match: str | None,
) -> CultivationRecord:
    """The ministry records the expert committee's conclusion (验收认定): accepted records are
    recognised 领航级 and appear on the public list."""
    record = await get_readable(session, principal, declaration_id, for_update=True)
    check_if_match(if_match, record_etag(record))
    now = clock.now()
    before = record.status
    machine = CultivationMachine(record, state_field="status")
    try:
        if data.decision is AcceptanceDecision.accept:
            machine.send("accept")
            event = ACCEPTED
        else:
            machine.send("fail", reasons=data.conclusion)
            event = FAILED
    except TransitionNotAllowed:
        raise NotAwaitingExpertAcceptance(details={"status": record.status}) from None
    record.conclusion = data.conclusion
    record.concluded_at = now
    await _moved(session, record, event, before, principal.sub, now, data.conclusion)
    await session.flush()
    return record


# --- what the sweeper does ------------------------------------------------------------------


async def expire(session: AsyncSession, record: CultivationRecord, now: datetime) -> None:
    """The period ended with the record still cultivating: it ends without recognition. The
    caller holds the row lock and cancels the record's pending reminders (in bulk)."""
    before = record.status
    CultivationMachine(record, state_field="status").send(
        "expire", now=now, deadline=record.deadline
    )
    record.level = record.holder = None
    await _moved(session, record, EXPIRED, before, SWEEPER, now, cancel_reminders=False)


async def send_reminder(
    session: AsyncSession, reminder: CultivationReminder, record: CultivationRecord, now: datetime
) -> None:
    """Mark a due reminder sent and queue its event (one transaction: exactly once)."""
    reminder.status = SENT
    reminder.sent_at = now
    session.add(reminder)
    await publish(
        session,
        OUTBOX,
        topic=REMINDER_TOPIC,
        destinations=DESTINATIONS,
        payload=_payload(
            record,
            "reminder",
            now,
            days_before=reminder.days_before,
            deadline=record.deadline,
        ),
    )
