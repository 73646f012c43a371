"""Routes for review cases: the authorities' inbox, one case with its history, and the
initial-review opinions (初审意见) on it."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from ladder.kit.clock import ClockDep
from ladder.kit.concurrency import IfMatchDep
from ladder.kit.db import SessionDep
from ladder.kit.errors import ServiceUnavailable, UpstreamError, declare
from ladder.kit.pagination import Page, PageDep
from ladder.kit.writes import KeyedWriteDep
from ladder.review.cases import repository, service
from ladder.review.cases.auth import ReviewerDep
from ladder.review.cases.machine import CaseStatus
from ladder.review.cases.models import ReviewCase
from ladder.review.cases.schemas import (
    CaseRead,
    CaseSummary,
    OpinionCreate,
    OpinionOutcome,
    OpinionRead,
)
from ladder.review.deadlines import DeadlinesDep
from ladder.review.errors import (
    CaseLevelNotInChain,
    CaseNotAwaitingReview,
    CaseNotFound,
    CreditBlacklisted,
    CreditCheckRequired,
    DeadlinePassed,
    ForwardThroughTable,
    NotCaseHolder,
    ReasonsRequired,
)
from ladder.review.vocabulary import Tier

router = APIRouter(tags=["cases"])


async def _readable_case(
    declaration_id: uuid.UUID, session: SessionDep, principal: ReviewerDep
) -> ReviewCase:
    return await service.get_readable(session, principal, declaration_id)


CurrentCase = Annotated[ReviewCase, Depends(_readable_case)]
"""The case of the path's declaration, if the caller's jurisdiction covers it (else 404)."""


@router.get(
    "/v1/inbox",
    response_model=Page[CaseSummary],
    responses=declare(),
    summary="Cases the caller holds (or, held=false, all in its jurisdiction), oldest first",
)
async def list_inbox(
    session: SessionDep,
    principal: ReviewerDep,
    page: PageDep,
    held: Annotated[
        bool,
        Query(
            description="true: only the cases held at the caller's level (its move); "
            "false: every case in its jurisdiction (oversight)"
        ),
    ] = True,
    tier: Annotated[Tier | None, Query()] = None,
    status_filter: Annotated[CaseStatus | None, Query(alias="status")] = None,
) -> Page[CaseSummary]:
    """County, city and province authorities see the cases routed through the regions of the
    factories their unit covers (`GET /v1/units`: a GB/T 2260 prefix of 6, 4, 2 digits, less
    what a unit not reporting to them holds — 福州 not 平潭 — or a 管委会's enterprises); a
    central-SOE HQ the cases
    of its group (token `org`), the XPCC (a province token with region `xpcc`) its own. By
    default only those currently held at the caller's level of the chain. The ministry holds
    no chain level (its held inbox is empty; held=false shows all)."""
    rows, total = await service.inbox(
        session,
        principal,
        held=held,
        tier=tier.value if tier else None,
        status=status_filter.value if status_filter else None,
        offset=page.offset,
        limit=page.page_size,
    )
    return Page(
        items=[CaseSummary.model_validate(r) for r in rows],
        total=total,
        page=page.page,
        page_size=page.page_size,
    )


MAX_IDS = 100
"""The most cases one batch read names."""


@router.get(
    "/v1/cases",
    response_model=list[CaseRead],
    responses=declare(),
    summary="Several cases at once, by their declarations' ids (a batch read, by the rule of "
    "one read)",
)
async def read_cases(
    session: SessionDep,
    principal: ReviewerDep,
    declaration_id: Annotated[
        list[uuid.UUID],
        Query(
            min_length=1,
            max_length=MAX_IDS,
            description=f"the declarations' ids (1 to {MAX_IDS}; repeat the parameter)",
        ),
    ],
) -> list[CaseRead]:
    """Each case the caller may read as `GET /v1/cases/{declaration_id}` would answer it, with
    its history, in the order of the ids; a case it may not read (or that does not exist) is
    not in the answer."""
    cases = await service.readable_many(session, principal, declaration_id)
    histories = await repository.histories(session, [c.id for c in cases])
    return [service.to_read(c, histories.get(c.id, [])) for c in cases]


@router.get(
    "/v1/cases/{declaration_id}",
    response_model=CaseRead,
    responses=declare(CaseNotFound),
    summary="One case, by its declaration id, with its history (ETag for opinions)",
)
async def read_case(case: CurrentCase, session: SessionDep, response: Response) -> CaseRead:
    read = service.to_read(case, await repository.history(session, case.id))
    response.headers["ETag"] = read.etag
    return read


@router.post(
    "/v1/cases/{declaration_id}/opinions",
    status_code=status.HTTP_201_CREATED,
    response_model=OpinionOutcome,
    responses=declare(
        NotCaseHolder,
        CaseNotFound,
        CaseNotAwaitingReview,
        CaseLevelNotInChain,
        CreditCheckRequired,
        CreditBlacklisted,
        DeadlinePassed,
        ReasonsRequired,
        ForwardThroughTable,
        UpstreamError,
        ServiceUnavailable,
    ),
    summary="Give the initial-review opinion (初审意见) as the case's holder "
    "(If-Match and Idempotency-Key required)",
)
async def give_opinion(
    declaration_id: uuid.UUID,
    data: OpinionCreate,
    session: SessionDep,
    principal: ReviewerDep,
    write: KeyedWriteDep,
    deadlines: DeadlinesDep,
    clock: ClockDep,
    if_match: IfMatchDep,
) -> Response:
    """`forward` moves the case one level up its chain (after the top level it awaits the
    province's recommendation); `return` sends it back to the enterprise for revision;
    `not_recommended` ends it. Refused when another level or region holds the case, when a
    level that must check credit (e.g. a Fujian county) forwards without a check or forwards
    a listed enterprise, and after the level's deadline (details name it and its clause). At
    a level that ranks its own table (a Shanghai district, 沪经信制〔2025〕430号 一(二)2) a
    `forward` is 409 `forward_through_table` naming the table: the case goes up when the
    district submits its ranked 推荐汇总表; a return or refusal also takes it off that table."""
    if (replayed := await write.begin(data)) is not None:
        return replayed
    case, opinion = await service.give_opinion(
        session,
        principal,
        declaration_id,
        data,
        if_match,
        deadlines=deadlines,
        now=clock.now(),
    )
    read = service.to_read(case, await repository.history(session, case.id))
    outcome = OpinionOutcome(etag=read.etag, opinion=service.opinion_read(opinion), case=read)
    return await write.answer(outcome, 201)


@router.get(
    "/v1/cases/{declaration_id}/opinions",
    response_model=list[OpinionRead],
    responses=declare(CaseNotFound),
    summary="The opinions given on a case, oldest first",
)
async def list_opinions(case: CurrentCase, session: SessionDep) -> list[OpinionRead]:
    return [service.opinion_read(o) for o in await repository.opinions(session, case.id)]
