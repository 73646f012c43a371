"""Routes of the 领航级 cultivation (培育) and acceptance (验收), the public list of recognised
领航级 factories, and the operators' sweep."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from ladder.kit.auth import Principal, Role, require_roles
from ladder.kit.concurrency import IfMatchDep
from ladder.kit.db import SessionDep
from ladder.kit.errors import declare
from ladder.kit.outbox import wake_relay
from ladder.kit.pagination import Page, PageDep
from ladder.kit.writes import KeyedWriteDep, answer_json
from ladder.review.cultivation import service
from ladder.review.cultivation.errors import (
    AcceptanceLevelNotInChain,
    CaseNotPilotTier,
    CultivationClosed,
    CultivationNotFound,
    CultivationPeriodOver,
    CultivationPeriodTooLong,
    NoAcceptanceChain,
    NotAcceptanceHolder,
    NotAwaitingExpertAcceptance,
    NotAwaitingInitialReview,
    NotCultivating,
    ReasonsRequired,
    ReturnReservedForInitialReview,
)
from ladder.review.cultivation.machine import CultivationStatus
from ladder.review.cultivation.schemas import (
    AcceptanceDecisionCreate,
    ApplicationCreate,
    CultivationCreate,
    CultivationRead,
    CultivationSummary,
    ExpertsUpdate,
    GuidanceCreate,
    GuidanceRead,
    InitialReviewCreate,
    LeadingFactory,
    ReportCreate,
    ReportRead,
    ReportsOf,
    SweepResult,
)
from ladder.review.cultivation.sweeper import sweep_once
from ladder.review.errors import CaseNotFound

router = APIRouter(tags=["cultivation"])

ONE = "/v1/cultivations/{declaration_id}"

ReaderDep = Annotated[
    Principal,
    require_roles(Role.ministry, Role.province, Role.city, Role.enterprise, Role.expert),
]
"""Who reads records (each only its own: region, enterprise, assignment; else 404)."""
MinistryDep = Annotated[Principal, require_roles(Role.ministry)]
EnterpriseDep = Annotated[Principal, require_roles(Role.enterprise)]
ExpertDep = Annotated[Principal, require_roles(Role.expert)]
AuthorityDep = Annotated[Principal, require_roles(Role.city, Role.province)]
SweeperDep = Annotated[Principal, require_roles(Role.service)]

RegionPrefix = Annotated[
    str | None,
    Query(
        pattern=r"^[1-8][0-9]{1,5}$",
        description="GB/T 2260 prefix of the factory's region (35, 3501, 350102)",
    ),
]


@router.post(
    "/v1/cultivations",
    status_code=status.HTTP_201_CREATED,
    response_model=CultivationRead,
    responses={
        200: {"model": CultivationRead},
        **declare(CaseNotFound, CaseNotPilotTier, NoAcceptanceChain, CultivationPeriodTooLong),
    },
    summary="List a 领航级 case as a cultivation object (培育对象); 200 if it already is "
    "(Idempotency-Key)",
)
async def start(
    data: CultivationCreate, session: SessionDep, principal: MinistryDep, write: KeyedWriteDep
) -> Response:
    """The national review calls the service itself when it publishes the list; this route is
    for the ministry's operators (培育期不超过2年)."""
    if (replayed := await write.begin(data)) is not None:
        return replayed
    record, created = await service.start_for_declaration(session, principal, data)
    return await write.answer(await service.to_read(session, record), 201 if created else 200)


@router.get(
    "/v1/cultivations",
    response_model=Page[CultivationSummary],
    responses=declare(),
    summary="The records the caller may read, the nearest deadline first",
)
async def list_cultivations(
    session: SessionDep,
    principal: ReaderDep,
    page: PageDep,
    status_filter: Annotated[CultivationStatus | None, Query(alias="status")] = None,
    region: RegionPrefix = None,
) -> Page[CultivationSummary]:
    """Ministry: all; province/city: their region's (XPCC: its own); enterprise: its own;
    expert: those it is assigned to."""
    rows, total = await service.listing(
        session,
        principal,
        status=status_filter.value if status_filter else None,
        region=region,
        offset=page.offset,
        limit=page.page_size,
    )
    return Page(
        items=[CultivationSummary.model_validate(r) for r in rows],
        total=total,
        page=page.page,
        page_size=page.page_size,
    )


MAX_IDS = 100
"""The most records one batch read names."""


@router.get(
    "/v1/cultivations/reports",
    response_model=list[ReportsOf],
    responses=declare(),
    summary="The same page of several records' progress reports (a batch read)",
)
async def batch_reports(
    session: SessionDep,
    principal: ReaderDep,
    page: PageDep,
    declaration_id: Annotated[
        list[uuid.UUID],
        Query(
            min_length=1,
            max_length=MAX_IDS,
            description=f"the records' declaration ids (1 to {MAX_IDS}; repeat the parameter)",
        ),
    ],
) -> list[ReportsOf]:
    """As `GET …/{declaration_id}/reports` answers each record the caller may read (that page
    of its reports, oldest first, and its total); the others are not in the answer. (Before
    `/{declaration_id}`, whose path would take `reports` for an id.)"""
    found = await service.reports_of_many(
        session, principal, declaration_id, offset=page.offset, limit=page.page_size
    )
    return [
        ReportsOf(
            declaration_id=record.declaration_id,
            items=[ReportRead.model_validate(r) for r in rows],
            total=total,
            page=page.page,
            page_size=page.page_size,
        )
        for record, rows, total in found
    ]


@router.get(
    ONE,
    response_model=CultivationRead,
    responses=declare(CultivationNotFound),
    summary="One record by its declaration id: history, reports filed, reminders sent (ETag)",
)
async def read_cultivation(
    declaration_id: uuid.UUID, session: SessionDep, principal: ReaderDep
) -> Response:
    record = await service.get_readable(session, principal, declaration_id)
    return answer_json(await service.to_read(session, record))


@router.post(
    ONE + "/reports",
    status_code=status.HTTP_201_CREATED,
    response_model=ReportRead,
    responses=declare(CultivationNotFound, CultivationClosed),
    summary="File a progress report (the enterprise; Idempotency-Key)",
)
async def add_report(
    declaration_id: uuid.UUID,
    data: ReportCreate,
    principal: EnterpriseDep,
    write: KeyedWriteDep,
) -> Response:
    """404 when the record is not the caller's; 409 once it has ended."""
    if (replayed := await write.begin(data)) is not None:
        return replayed
    report = await service.add_report(write.session, principal, declaration_id, data)
    return await write.answer(ReportRead.model_validate(report), 201)


@router.get(
    ONE + "/reports",
    response_model=Page[ReportRead],
    responses=declare(CultivationNotFound),
    summary="The progress reports, oldest first",
)
async def list_reports(
    declaration_id: uuid.UUID, session: SessionDep, principal: ReaderDep, page: PageDep
) -> Page[ReportRead]:
    record = await service.get_readable(session, principal, declaration_id)
    rows, total = await service.reports(session, record, offset=page.offset, limit=page.page_size)
    return Page(
        items=[ReportRead.model_validate(r) for r in rows],
        total=total,
        page=page.page,
        page_size=page.page_size,
    )


@router.post(
    ONE + "/guidance",
    status_code=status.HTTP_201_CREATED,
    response_model=GuidanceRead,
    responses=declare(CultivationNotFound, CultivationClosed),
    summary="Add a guidance note (an expert assigned to the record; Idempotency-Key)",
)
async def add_guidance(
    declaration_id: uuid.UUID,
    data: GuidanceCreate,
    principal: ExpertDep,
    write: KeyedWriteDep,
) -> Response:
    """404 for an expert not assigned to the record; 409 once it has ended."""
    if (replayed := await write.begin(data)) is not None:
        return replayed
    note = await service.add_guidance(write.session, principal, declaration_id, data)
    return await write.answer(GuidanceRead.model_validate(note), 201)


@router.get(
    ONE + "/guidance",
    response_model=Page[GuidanceRead],
    responses=declare(CultivationNotFound),
    summary="The experts' guidance notes, oldest first",
)
async def list_guidance(
    declaration_id: uuid.UUID, session: SessionDep, principal: ReaderDep, page: PageDep
) -> Page[GuidanceRead]:
    record = await service.get_readable(session, principal, declaration_id)
    rows, total = await service.guidance(session, record, offset=page.offset, limit=page.page_size)
    return Page(
        items=[GuidanceRead.model_validate(r) for r in rows],
        total=total,
        page=page.page,
        page_size=page.page_size,
    )


@router.put(
    ONE + "/experts",
    response_model=CultivationRead,
    responses=declare(CultivationNotFound, CultivationClosed),
    summary="Assign the guiding experts (the ministry; If-Match)",
)
async def set_experts(
    declaration_id: uuid.UUID,
    data: ExpertsUpdate,
    session: SessionDep,
    principal: MinistryDep,
    if_match: IfMatchDep,
) -> Response:
    """Replaces the list."""
    record = await service.set_experts(session, principal, declaration_id, data.experts, if_match)
    return answer_json(await service.to_read(session, record))


@router.post(
    ONE + "/acceptance-application",
    response_model=CultivationRead,
    responses=declare(
        CultivationNotFound, NotCultivating, CultivationPeriodOver, NoAcceptanceChain
    ),
    summary="Apply for acceptance (验收申请; the enterprise; If-Match and Idempotency-Key)",
)
async def apply_for_acceptance(
    declaration_id: uuid.UUID,
    data: ApplicationCreate,
    principal: EnterpriseDep,
    write: KeyedWriteDep,
    if_match: IfMatchDep,
) -> Response:
    """The application goes to the first level of the record's acceptance chain (Fujian: the
    city; elsewhere the province; XPCC: the 兵团)."""
    if (replayed := await write.begin(data)) is not None:
        return replayed
    session = write.session
    record = await service.apply_for_acceptance(session, principal, declaration_id, data, if_match)
    return await write.answer(await service.to_read(session, record))


@router.post(
    ONE + "/initial-review",
    response_model=CultivationRead,
    responses=declare(
        CultivationNotFound,
        NotAcceptanceHolder,
        NotAwaitingInitialReview,
        ReturnReservedForInitialReview,
        AcceptanceLevelNotInChain,
        NoAcceptanceChain,
        ReasonsRequired,
    ),
    summary="The recommending unit's opinion on the application: pass or return "
    "(the holder; If-Match and Idempotency-Key)",
)
async def give_initial_review(
    declaration_id: uuid.UUID,
    data: InitialReviewCreate,
    principal: AuthorityDep,
    write: KeyedWriteDep,
    if_match: IfMatchDep,
) -> Response:
    """`pass` climbs the chain (at the top, to the expert committee); `return` (with reasons)
    sends it back to the enterprise — after the period's end it ends the record as expired.
    Only the initial review returns: a receiving level (Fujian: the city) forwards."""
    if (replayed := await write.begin(data)) is not None:
        return replayed
    session = write.session
    record = await service.give_initial_review(session, principal, declaration_id, data, if_match)
    return await write.answer(await service.to_read(session, record))


@router.post(
    ONE + "/acceptance-decision",
    response_model=CultivationRead,
    responses=declare(CultivationNotFound, NotAwaitingExpertAcceptance, ReasonsRequired),
    summary="Record the expert committee's conclusion (验收认定): accept or fail "
    "(the ministry; If-Match and Idempotency-Key)",
)
async def decide_acceptance(
    declaration_id: uuid.UUID,
    data: AcceptanceDecisionCreate,
    principal: MinistryDep,
    write: KeyedWriteDep,
    if_match: IfMatchDep,
) -> Response:
    """`accept` recognises the 领航级 factory (on the public list); `fail` needs the
    conclusion."""
    if (replayed := await write.begin(data)) is not None:
        return replayed
    session = write.session
    record = await service.decide_acceptance(session, principal, declaration_id, data, if_match)
    return await write.answer(await service.to_read(session, record))


@router.get(
    "/public/v1/leading-factories",
    tags=["public"],
    response_model=Page[LeadingFactory],
    responses=declare(),
    summary="The recognised 领航级 智能工厂 (no token needed), the latest first",
)
async def leading_factories(session: SessionDep, page: PageDep) -> Page[LeadingFactory]:
    """工信厅联通装函〔2025〕251号 三(二)5: 验收认定，并发布名单和宣传推广."""
    rows, total = await service.leading_factories(session, offset=page.offset, limit=page.page_size)
    return Page(items=rows, total=total, page=page.page, page_size=page.page_size)


@router.post(
    "/internal/cultivations/sweep",
    tags=["internal"],
    response_model=SweepResult,
    responses=declare(),
    summary="Run one sweep now: due expiries and reminders (service callers)",
)
async def sweep(request: Request, _: SweeperDep) -> SweepResult:
    """For operators (with a service token, inside the cluster: the gateway does not proxy
    /internal/*) and tests; the background sweeper does the same on its own."""
    app = request.app
    counts = await sweep_once(
        app.state.db, app.state.clock, app.state.settings.cultivation_sweep_batch_size
    )
    if counts.expired or counts.reminders:
        wake_relay(app.state)
    return SweepResult(expired=counts.expired, reminders=counts.reminders)
