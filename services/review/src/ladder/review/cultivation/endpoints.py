"""Routes of the 领航级 cultivation (培育) and acceptance (验收), the public list of recognised
领航级 factories, and the operators' sweep."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import JSONResponse

from ladder.kit.auth import Principal, Role, require_roles
from ladder.kit.concurrency import IfMatchHeader
from ladder.kit.db import SessionDep
from ladder.kit.errors import declare, responses
from ladder.kit.idempotency import IdempotencyKeyDep, IdempotencySlot, claim
from ladder.kit.outbox import wake_relay
from ladder.kit.pagination import Page, PageDep
from ladder.kit.writes import KeyedWriteDep
from ladder.review.cultivation import service
from ladder.review.cultivation.errors import (
    CaseNotPilotTier,
    CultivationPeriodTooLong,
    NoAcceptanceChain,
)
from ladder.review.cultivation.machine import CultivationStatus
from ladder.review.cultivation.models import CultivationRecord
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
    SweepResult,
)
from ladder.review.cultivation.sweeper import sweep_once
from ladder.review.errors import CaseNotFound
from ladder.review.tables import IDEMPOTENCY

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


async def _keyed(
    session: SessionDep, request: Request, principal: Principal, key: str, body: object
) -> IdempotencySlot:
    return await claim(
        session, IDEMPOTENCY, principal=principal.sub, key=key, request=request, body=body
    )


async def _answer(
    session: SessionDep,
    record: CultivationRecord,
    status_code: int = 200,
    slot: IdempotencySlot | None = None,
    request: Request | None = None,
) -> JSONResponse:
    """The record as read, with its ETag; stored for the key's replays; the relay woken."""
    read = await service.to_read(session, record)
    body = read.model_dump(mode="json")
    if slot is not None:
        await slot.store(session, status_code, body)
    if request is not None:
        wake_relay(request.app.state)
    return JSONResponse(body, status_code=status_code, headers={"ETag": read.etag})


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
    responses=responses(401, 403, 422),
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


@router.get(
    ONE,
    response_model=CultivationRead,
    responses=responses(401, 403, 404, 422),
    summary="One record by its declaration id: history, reports filed, reminders sent (ETag)",
)
async def read_cultivation(
    declaration_id: uuid.UUID, session: SessionDep, principal: ReaderDep
) -> Response:
    return await _answer(session, await service.get_readable(session, principal, declaration_id))


@router.post(
    ONE + "/reports",
    status_code=status.HTTP_201_CREATED,
    response_model=ReportRead,
    responses=responses(401, 403, 404, 409, 422, 428),
    summary="File a progress report (the enterprise; Idempotency-Key)",
)
async def add_report(
    declaration_id: uuid.UUID,
    data: ReportCreate,
    request: Request,
    session: SessionDep,
    principal: EnterpriseDep,
    key: IdempotencyKeyDep,
) -> Response:
    """Errors: 404 `cultivation_not_found` (not the caller's), 409 `cultivation_closed`."""
    slot = await _keyed(session, request, principal, key, data.model_dump(mode="json"))
    if (replayed := slot.replayed()) is not None:
        return replayed
    report = await service.add_report(session, principal, declaration_id, data)
    body = ReportRead.model_validate(report).model_dump(mode="json")
    await slot.store(session, 201, body)
    return JSONResponse(body, status_code=201)


@router.get(
    ONE + "/reports",
    response_model=Page[ReportRead],
    responses=responses(401, 403, 404, 422),
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
    responses=responses(401, 403, 404, 409, 422, 428),
    summary="Add a guidance note (an expert assigned to the record; Idempotency-Key)",
)
async def add_guidance(
    declaration_id: uuid.UUID,
    data: GuidanceCreate,
    request: Request,
    session: SessionDep,
    principal: ExpertDep,
    key: IdempotencyKeyDep,
) -> Response:
    """Errors: 404 `cultivation_not_found` (not assigned), 409 `cultivation_closed`."""
    slot = await _keyed(session, request, principal, key, data.model_dump(mode="json"))
    if (replayed := slot.replayed()) is not None:
        return replayed
    note = await service.add_guidance(session, principal, declaration_id, data)
    body = GuidanceRead.model_validate(note).model_dump(mode="json")
    await slot.store(session, 201, body)
    return JSONResponse(body, status_code=201)


@router.get(
    ONE + "/guidance",
    response_model=Page[GuidanceRead],
    responses=responses(401, 403, 404, 422),
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
    responses=responses(401, 403, 404, 409, 412, 422, 428),
    summary="Assign the guiding experts (the ministry; If-Match)",
)
async def set_experts(
    declaration_id: uuid.UUID,
    data: ExpertsUpdate,
    session: SessionDep,
    principal: MinistryDep,
    if_match: IfMatchHeader = None,
) -> Response:
    """Replaces the list. Errors: 409 `cultivation_closed`, 412 `stale_etag`, 428
    `if_match_required`."""
    record = await service.set_experts(session, principal, declaration_id, data.experts, if_match)
    return await _answer(session, record)


@router.post(
    ONE + "/acceptance-application",
    response_model=CultivationRead,
    responses=responses(401, 403, 404, 409, 412, 422, 428),
    summary="Apply for acceptance (验收申请; the enterprise; If-Match and Idempotency-Key)",
)
async def apply_for_acceptance(
    declaration_id: uuid.UUID,
    data: ApplicationCreate,
    request: Request,
    session: SessionDep,
    principal: EnterpriseDep,
    key: IdempotencyKeyDep,
    if_match: IfMatchHeader = None,
) -> Response:
    """The application goes to the first level of the record's acceptance chain (Fujian: the
    city; elsewhere the province; XPCC: the 兵团). Errors: 404 `cultivation_not_found`, 409
    `not_cultivating`, `cultivation_period_over`, 412 `stale_etag`, 428."""
    slot = await _keyed(session, request, principal, key, data.model_dump(mode="json"))
    if (replayed := slot.replayed()) is not None:
        return replayed
    record = await service.apply_for_acceptance(session, principal, declaration_id, data, if_match)
    return await _answer(session, record, 200, slot, request)


@router.post(
    ONE + "/initial-review",
    response_model=CultivationRead,
    responses=responses(401, 403, 404, 409, 412, 422, 428),
    summary="The recommending unit's opinion on the application: pass or return "
    "(the holder; If-Match and Idempotency-Key)",
)
async def give_initial_review(
    declaration_id: uuid.UUID,
    data: InitialReviewCreate,
    request: Request,
    session: SessionDep,
    principal: AuthorityDep,
    key: IdempotencyKeyDep,
    if_match: IfMatchHeader = None,
) -> Response:
    """`pass` climbs the chain (at the top, to the expert committee); `return` (with reasons)
    sends it back to the enterprise — after the period's end it ends the record as expired.
    Errors: 403 `not_acceptance_holder`, 404 `cultivation_not_found`, 409
    `not_awaiting_initial_review`, `return_reserved_for_initial_review` (a receiving level),
    412 `stale_etag`, 422 `reasons_required`, 428."""
    slot = await _keyed(session, request, principal, key, data.model_dump(mode="json"))
    if (replayed := slot.replayed()) is not None:
        return replayed
    record = await service.give_initial_review(session, principal, declaration_id, data, if_match)
    return await _answer(session, record, 200, slot, request)


@router.post(
    ONE + "/acceptance-decision",
    response_model=CultivationRead,
    responses=responses(401, 403, 404, 409, 412, 422, 428),
    summary="Record the expert committee's conclusion (验收认定): accept or fail "
    "(the ministry; If-Match and Idempotency-Key)",
)
async def decide_acceptance(
    declaration_id: uuid.UUID,
    data: AcceptanceDecisionCreate,
    request: Request,
    session: SessionDep,
    principal: MinistryDep,
    key: IdempotencyKeyDep,
    if_match: IfMatchHeader = None,
) -> Response:
    """`accept` recognises the 领航级 factory (on the public list); `fail` needs the
    conclusion. Errors: 409 `not_awaiting_expert_acceptance`, 412, 422 `reasons_required`,
    428."""
    slot = await _keyed(session, request, principal, key, data.model_dump(mode="json"))
    if (replayed := slot.replayed()) is not None:
        return replayed
    record = await service.decide_acceptance(session, principal, declaration_id, data, if_match)
    return await _answer(session, record, 200, slot, request)


@router.get(
    "/public/v1/leading-factories",
    tags=["public"],
    response_model=Page[LeadingFactory],
    responses=responses(422),
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
    responses=responses(401, 403),
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
