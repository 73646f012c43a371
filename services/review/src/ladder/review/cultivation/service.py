"""The behaviour of the 领航级 cultivation: list a case as a cultivation object (培育对象), take
progress reports and expert guidance, carry the acceptance application (验收申请) through the
recommending unit's initial review (初审) to the expert committee's conclusion (验收认定), and
expire or remind when the period's deadline comes (the sweeper calls `expire` and
`send_reminder`).

Who may is `ladder.review.cultivation.auth`; every query is in `repository`; every change of a
record goes through `transitions` (its history row and its event in the request's transaction).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.contracts.review import CULTIVATION_REMINDER
from ladder.kit import clock
from ladder.kit.auth import Principal
from ladder.kit.concurrency import check_if_match, locked_for_edit
from ladder.review.campaigns import service as campaign_periods
from ladder.review.cases import repository as cases
from ladder.review.cases.models import ReviewCase
from ladder.review.cultivation import auth, repository, transitions
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
from ladder.review.vocabulary import Tier

SWEEPER = "system:cultivation-sweeper"


def _chain(record: CultivationRecord) -> AcceptanceChain:
    chain = cultivation_data().chain_for(record.recommending_unit, record.region_code)
    if chain is None:
        raise NoAcceptanceChain(details={"recommending_unit": record.recommending_unit})
    return chain


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
    existing = await repository.by_case(session, case.id)
    if existing is not None:
        return existing, False
    if case.tier != Tier.pilot.value:
        raise CaseNotPilotTier(details={"tier": case.tier})
    data = cultivation_data()
    period = await campaign_periods.cultivation_period_for(session, case.campaign_year)
    months = period.max_months if period_months is None else period_months
    if months < 1:
        raise ValueError("a cultivation period lasts at least one month")
    if months > period.max_months:
        raise CultivationPeriodTooLong(
            details={
                "period_months": months,
                "max_months": period.max_months,
                "source": period.source,
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
    inserted = await repository.insert_record(
        session,
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
    if inserted is None:  # a concurrent call for the same case won
        record = await repository.by_case(session, case.id)
        assert record is not None
        return record, False
    record = await repository.by_id(session, new_id)
    assert record is not None
    for days in data.reminders.days_before:
        due = data.reminder_due(deadline, days)
        if due > now:  # a reminder already past when the period starts is not sent
            session.add(
                CultivationReminder(
                    record_id=record.id, days_before=days, due_at=due, status=repository.PENDING
                )
            )
    await transitions.started(session, record, actor=actor, event=STARTED, at=now)
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


async def get_readable(
    session: AsyncSession,
    principal: Principal,
    declaration_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> CultivationRecord:
    record = await repository.by_declaration(session, declaration_id, for_update=for_update)
    if record is None or not auth.may_read(principal, record):
        raise CultivationNotFound(details={"declaration_id": str(declaration_id)})
    return record


async def _editable(
    session: AsyncSession, principal: Principal, declaration_id: uuid.UUID, if_match: str
) -> CultivationRecord:
    """The record the caller may read, locked and checked against its If-Match."""
    record = await get_readable(session, principal, declaration_id)
    locked = await locked_for_edit(session, CultivationRecord, record.id, if_match)
    assert locked is not None  # records are never deleted
    return locked


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
    clauses = auth.readable_filter(principal)
    if clauses is None:
        return [], 0
    return await repository.listing(
        session, clauses, status=status, region=region, offset=offset, limit=limit
    )


async def to_read(session: AsyncSession, record: CultivationRecord) -> CultivationRead:
    application = await repository.latest_application(session, record.id)
    summary = CultivationSummary.model_validate(record)
    return CultivationRead(
        **summary.model_dump(),
        goals=record.goals,
        conclusion=record.conclusion,
        concluded_at=record.concluded_at,
        created_at=record.created_at,
        etag=record.etag,
        reports=await repository.report_count(session, record.id),
        reminders_sent=await repository.reminders_sent(session, record.id),
        application=ApplicationRead.model_validate(application) if application else None,
        history=[
            TransitionRead.model_validate(t) for t in await repository.history(session, record.id)
        ],
    )


async def reports(
    session: AsyncSession, record: CultivationRecord, *, offset: int, limit: int
) -> tuple[list[CultivationReport], int]:
    return await repository.reports(session, record.id, offset=offset, limit=limit)


async def reports_of_many(
    session: AsyncSession,
    principal: Principal,
    declaration_ids: Sequence[uuid.UUID],
    *,
    offset: int,
    limit: int,
) -> list[tuple[CultivationRecord, list[CultivationReport], int]]:
    """The same page of each record's reports, for the records the caller may read
    (`get_readable`'s rule), in the order of the ids."""
    records = {
        r.declaration_id: r
        for r in await repository.by_declarations(session, set(declaration_ids))
        if auth.may_read(principal, r)
    }
    readable = [records[i] for i in dict.fromkeys(declaration_ids) if i in records]
    pages = await repository.reports_of_many(
        session, [r.id for r in readable], offset=offset, limit=limit
    )
    return [(r, *pages[r.id]) for r in readable]


async def guidance(
    session: AsyncSession, record: CultivationRecord, *, offset: int, limit: int
) -> tuple[list[CultivationGuidance], int]:
    return await repository.guidance(session, record.id, offset=offset, limit=limit)


async def leading_factories(
    session: AsyncSession, *, offset: int, limit: int
) -> tuple[list[LeadingFactory], int]:
    """The public list of accepted 领航级 智能工厂 (发布名单), the latest first."""
    rows, total = await repository.accepted(session, offset=offset, limit=limit)
    zone = cultivation_data().period.zone
    return [
        LeadingFactory(
            enterprise_name=r.enterprise_name,
            factory_name=r.factory_name,
            region_code=r.region_code,
            accepted_on=r.concluded_at.astimezone(zone).date(),
        )
        for r in rows
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
    if_match: str,
) -> CultivationRecord:
    """The experts guiding the record (专家委指导): replaced as a whole."""
    record = await _editable(session, principal, declaration_id, if_match)
    _open(record)
    record.experts = list(experts)
    transitions.noted(
        session, record, actor=principal.sub, event=EXPERTS_ASSIGNED, reason=", ".join(experts)
    )
    await session.flush()
    return record


# --- the acceptance -------------------------------------------------------------------------


async def apply_for_acceptance(
    session: AsyncSession,
    principal: Principal,
    declaration_id: uuid.UUID,
    data: ApplicationCreate,
    if_match: str,
) -> CultivationRecord:
    """The enterprise applies (验收申请); it lands at the first level of its acceptance chain."""
    record = await _editable(session, principal, declaration_id, if_match)
    now = clock.now()

    def at_the_first_level(r: CultivationRecord) -> None:
        chain = _chain(r)
        first = chain.first().level
        r.level = first.value
        r.holder = level_holder(chain, first, r.recommending_unit, r.region_code, r.enterprise_uscc)

    await transitions.move(
        session,
        record,
        "apply_for_acceptance",
        actor=principal.sub,
        event=ACCEPTANCE_APPLIED,
        refused=lambda status: NotCultivating(details={"status": status}),
        apply=at_the_first_level,
        at=now,
        now=now,
        deadline=record.deadline,
    )
    session.add(
        CultivationApplication(
            record_id=record.id, summary=data.summary, applicant=principal.sub, at=now
        )
    )
    await session.flush()
    return record


def _not_awaiting_initial_review(status: str) -> NotAwaitingInitialReview:
    return NotAwaitingInitialReview(details={"status": status})


async def give_initial_review(
    session: AsyncSession,
    principal: Principal,
    declaration_id: uuid.UUID,
    data: InitialReviewCreate,
    if_match: str,
) -> CultivationRecord:
    """The holder's opinion: `pass` climbs the chain (at the top: to the expert committee),
    `return` sends it back to the enterprise, who may apply again — or, once the period is
    over, ends the record as expired (no new application is possible then)."""
    record = await get_readable(session, principal, declaration_id, for_update=True)
    if record.status != CultivationMachine.acceptance_initial_review.value:
        raise _not_awaiting_initial_review(record.status)
    if not auth.holds(principal, record):
        raise NotAcceptanceHolder(details={"level": record.level, "holder": record.holder})
    check_if_match(if_match, record.etag)  # under the row lock taken above
    chain = _chain(record)
    try:
        here = chain.at(Level(record.level or ""))
    except (KeyError, ValueError):
        # The data file changed under an application in flight: a data fix, not the caller's.
        raise AcceptanceLevelNotInChain(
            details={"level": record.level, "chain": chain.name}
        ) from None
    if data.decision is InitialReviewDecision.pass_:
        above = chain.above(here.level)

        def climbed(r: CultivationRecord) -> None:
            if above is None:
                r.level = r.holder = None
            else:
                r.level = above.level.value
                r.holder = level_holder(
                    chain, above.level, r.recommending_unit, r.region_code, r.enterprise_uscc
                )

        await transitions.move(
            session,
            record,
            "pass_initial_review",
            actor=principal.sub,
            event=INITIAL_REVIEW_PASSED if above is None else FORWARDED,
            reason=data.reasons or None,
            refused=_not_awaiting_initial_review,
            apply=climbed,
            next_level=above,
        )
    else:
        now = clock.now()
        await transitions.move(
            session,
            record,
            "return_application",
            actor=principal.sub,
            event=APPLICATION_RETURNED,
            reason=data.reasons or None,
            refused=_not_awaiting_initial_review,
            apply=_released,
            at=now,
            now=now,
            deadline=record.deadline,
            duty=here.duty.value,
            reasons=data.reasons,
        )
    await session.flush()
    return record


def _released(record: CultivationRecord) -> None:
    """No level holds the application any more."""
    record.level = record.holder = None


async def decide_acceptance(
    session: AsyncSession,
    principal: Principal,
    declaration_id: uuid.UUID,
    data: AcceptanceDecisionCreate,
    if_match: str,
) -> CultivationRecord:
    """The ministry records the expert committee's conclusion (验收认定): accepted records are
    recognised 领航级 and appear on the public list."""
    record = await _editable(session, principal, declaration_id, if_match)
    now = clock.now()

    def concluded(r: CultivationRecord) -> None:
        r.conclusion = data.conclusion
        r.concluded_at = now

    accept = data.decision is AcceptanceDecision.accept
    await transitions.move(
        session,
        record,
        "accept" if accept else "fail",
        actor=principal.sub,
        event=ACCEPTED if accept else FAILED,
        reason=data.conclusion,
        refused=lambda status: NotAwaitingExpertAcceptance(details={"status": status}),
        apply=concluded,
        at=now,
        **({} if accept else {"reasons": data.conclusion}),
    )
    await session.flush()
    return record


# --- what the sweeper does ------------------------------------------------------------------


async def expire(session: AsyncSession, record: CultivationRecord, now: datetime) -> None:
    """The period ended with the record still cultivating: it ends without recognition. The
    caller holds the row lock and cancels the record's pending reminders (in bulk)."""
    await transitions.move(
        session,
        record,
        "expire",
        actor=SWEEPER,
        event=EXPIRED,
        apply=_released,
        at=now,
        cancel_reminders=False,
        now=now,
        deadline=record.deadline,
    )


async def send_reminder(
    session: AsyncSession, reminder: CultivationReminder, record: CultivationRecord, now: datetime
) -> None:
    """Mark a due reminder sent and queue its event (one transaction: exactly once)."""
    reminder.status = repository.SENT
    reminder.sent_at = now
    session.add(reminder)
    await transitions.tell(
        session,
        record,
        CULTIVATION_REMINDER,
        "reminder",
        now,
        days_before=reminder.days_before,
        deadline=record.deadline,
    )
