"""Routes of the national review of a case (ministry and experts), with the expert pool and
the 公示 routes included: `router` is what the service mounts."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status

from ladder.kit.concurrency import IfMatchDep, IfNoneMatchHeader, OptionalIfMatchDep
from ladder.kit.db import SessionDep
from ladder.kit.errors import PreconditionRequired, ValidationFailed, declare
from ladder.kit.pagination import Page, PageDep
from ladder.kit.params import OptionalCampaignYearQuery
from ladder.kit.writes import KeyedWriteDep, answer_json
from ladder.review.cases.machine import CaseStatus
from ladder.review.cases.models import ReviewCase
from ladder.review.errors import CaseNotFound, ReasonsRequired
from ladder.review.national import experts, onsite, scores, service
from ladder.review.national.auth import ExpertDep, MinistryDep, PanelDep
from ladder.review.national.data import NationalTier
from ladder.review.national.errors import (
    ChecklistItemNotFound,
    ConflictOfInterest,
    ExpertCountOutOfRange,
    ExpertInactive,
    ExpertNotFound,
    FindingNoteRequired,
    OnsiteClosed,
    OnsiteFindingsMissing,
    OnsiteNotFound,
    OnsiteOnlyForPilot,
    OnsiteVerificationRequired,
    PublicityAnnounced,
    ScoreSheetInvalid,
    ScoresIncomplete,
    ScoringClosed,
    TransitionNotAllowed,
)
from ladder.review.national.expert_endpoints import router as experts_router
from ladder.review.national.publicity_endpoints import public_router, publicity_router
from ladder.review.national.schemas import (
    ConclusionPut,
    ConflictCheckRead,
    DecisionCreate,
    ExpertIds,
    FindingPut,
    FormalCheckCreate,
    NationalCaseRead,
    NationalCaseSummary,
    OnsiteCreate,
    OnsiteRead,
    OnsiteReschedule,
    ScoreSheetIn,
    ScoreSheetRead,
    ScoresRead,
)

cases_router = APIRouter(prefix="/v1/national/cases", tags=["national review: cases"])
CASE = "/{declaration_id}"


async def _reachable(
    declaration_id: uuid.UUID, session: SessionDep, principal: PanelDep
) -> ReviewCase:
    return await service.reach(session, principal, declaration_id)


ReachableCase = Annotated[ReviewCase, Depends(_reachable)]
"""The path's case, for the ministry or an expert on it (404 otherwise)."""


async def _case_answer(session, principal, case: ReviewCase) -> dict:
    return (await service.to_read(session, principal, case)).model_dump(mode="json")


@cases_router.get(
    "",
    response_model=Page[NationalCaseSummary],
    responses=declare(ValidationFailed),
    summary="Cases in the national review (the ministry: all; an expert: the ones they are on)",
)
async def list_cases(
    session: SessionDep,
    principal: PanelDep,
    page: PageDep,
    tier: NationalTier | None = None,
    status_filter: Annotated[CaseStatus | None, Query(alias="status")] = None,
    campaign: OptionalCampaignYearQuery = None,
) -> Page[NationalCaseSummary]:
    rows, total = await service.list_cases(
        session,
        principal,
        tier=tier.value if tier else None,
        status=status_filter.value if status_filter else None,
        campaign_year=campaign,
        offset=page.offset,
        limit=page.page_size,
    )
    return Page(
        items=[service.summary(r) for r in rows],
        total=total,
        page=page.page,
        page_size=page.page_size,
    )


@cases_router.get(
    CASE,
    response_model=NationalCaseRead,
    responses=declare(CaseNotFound),
    summary="A case with its declared details and history (ETag for the ministry's moves)",
)
async def read_case(case: ReachableCase, session: SessionDep, principal: PanelDep) -> Response:
    return answer_json(await _case_answer(session, principal, case))


@cases_router.post(
    CASE + "/formal-check",
    response_model=NationalCaseRead,
    responses=declare(CaseNotFound, TransitionNotAllowed, ReasonsRequired),
    summary="形式审查: pass (to the expert review) or fail with reasons (If-Match, "
    "Idempotency-Key)",
)
async def formal_check(
    declaration_id: uuid.UUID,
    data: FormalCheckCreate,
    session: SessionDep,
    principal: MinistryDep,
    write: KeyedWriteDep,
    if_match: IfMatchDep,
) -> Response:

    async def run():
        case = await service.formal_check(session, principal, declaration_id, data, if_match)
        return 200, await _case_answer(session, principal, case)

    return await write.run(data, run)


@cases_router.post(
    CASE + "/conflict-check",
    response_model=ConflictCheckRead,
    responses=declare(CaseNotFound, ExpertNotFound),
    summary="Each expert's conflicts of interest with the case, without assigning (read-only)",
)
async def conflict_check(
    declaration_id: uuid.UUID, data: ExpertIds, session: SessionDep, principal: MinistryDep
) -> ConflictCheckRead:
    """Types (national.yaml `conflicts`): same_enterprise, same_group, same_region,
    integrator_link, declared. Changes nothing, so no key is needed."""
    return await experts.conflict_check(session, principal, declaration_id, data.expert_ids)


@cases_router.put(
    CASE + "/experts",
    response_model=NationalCaseRead,
    responses=declare(
        CaseNotFound,
        ExpertNotFound,
        TransitionNotAllowed,
        ExpertInactive,
        ConflictOfInterest,
        ExpertCountOutOfRange,
    ),
    summary="Set the case's reviewers (If-Match on the case)",
)
async def assign_experts(
    declaration_id: uuid.UUID,
    data: ExpertIds,
    session: SessionDep,
    principal: MinistryDep,
    if_match: IfMatchDep,
) -> Response:
    """Only `in_expert_review`; how many reviewers: national.yaml `experts_per_case`."""
    case, _ = await experts.assign(session, principal, declaration_id, data.expert_ids, if_match)
    return answer_json(await _case_answer(session, principal, case))


@cases_router.get(
    CASE + "/scores",
    response_model=ScoresRead,
    responses=declare(CaseNotFound),
    summary="Score sheets: the ministry all with the aggregate; an expert their own until the "
    "decision",
)
async def read_scores(
    declaration_id: uuid.UUID, session: SessionDep, principal: PanelDep
) -> ScoresRead:
    return await scores.read(session, principal, declaration_id)


@cases_router.put(
    CASE + "/scores/me",
    response_model=ScoreSheetRead,
    responses={
        201: {"model": ScoreSheetRead},
        **declare(CaseNotFound, ScoringClosed, ScoreSheetInvalid, PreconditionRequired),
    },
    summary="The caller's score sheet {criterion_key: score} (create: 201; change: If-Match)",
)
async def put_own_scores(
    declaration_id: uuid.UUID,
    data: ScoreSheetIn,
    session: SessionDep,
    principal: ExpertDep,
    if_match: OptionalIfMatchDep,
    if_none_match: IfNoneMatchHeader = None,
) -> Response:
    """Every criterion of the tier (GET …/scores lists them), each 0..max. The first sheet
    needs no precondition (`If-None-Match: *` refuses to overwrite one); a change needs the
    sheet's ETag as If-Match."""
    case, sheet, expert, created = await scores.submit_own(
        session, principal, declaration_id, data, if_match=if_match, if_none_match=if_none_match
    )
    body = scores.sheet_read(case, sheet, expert).model_dump(mode="json")
    return answer_json(body, 201 if created else 200)


@cases_router.post(
    CASE + "/onsite",
    status_code=status.HTTP_201_CREATED,
    response_model=OnsiteRead,
    responses=declare(
        CaseNotFound,
        TransitionNotAllowed,
        OnsiteOnlyForPilot,
        ExpertNotFound,
        ExpertInactive,
        ConflictOfInterest,
        ExpertCountOutOfRange,
    ),
    summary="Schedule the 现场核查 of a 领航级 case: date, place, team; the checklist is "
    "generated (If-Match on the case, Idempotency-Key)",
)
async def schedule_onsite(
    declaration_id: uuid.UUID,
    data: OnsiteCreate,
    session: SessionDep,
    principal: MinistryDep,
    write: KeyedWriteDep,
    if_match: IfMatchDep,
) -> Response:
    """The team is vetted like reviewers; its size: national.yaml `onsite_team`."""

    async def run():
        case = await onsite.schedule(session, principal, declaration_id, data, if_match)
        _, visit = await onsite.read(session, principal, case.declaration_id)
        return 201, (await onsite.to_read(session, case, visit)).model_dump(mode="json")

    return await write.run(data, run)


@cases_router.get(
    CASE + "/onsite",
    response_model=OnsiteRead,
    responses=declare(CaseNotFound, OnsiteNotFound),
    summary="The 现场核查 with its checklist (the ministry and the team)",
)
async def read_onsite(
    declaration_id: uuid.UUID, session: SessionDep, principal: PanelDep
) -> Response:
    case, visit = await onsite.read(session, principal, declaration_id)
    return answer_json((await onsite.to_read(session, case, visit)).model_dump(mode="json"))


@cases_router.patch(
    CASE + "/onsite",
    response_model=OnsiteRead,
    responses=declare(
        CaseNotFound,
        OnsiteNotFound,
        OnsiteClosed,
        ExpertNotFound,
        ExpertInactive,
        ConflictOfInterest,
        ExpertCountOutOfRange,
    ),
    summary="Reschedule the 现场核查: date, place or team, with a reason (If-Match on it)",
)
async def reschedule_onsite(
    declaration_id: uuid.UUID,
    data: OnsiteReschedule,
    session: SessionDep,
    principal: MinistryDep,
    if_match: IfMatchDep,
) -> Response:
    """Until the team concludes. A new team is checked for conflicts of interest like the
    first; findings already recorded stay; the change is in the case's history."""
    case, visit = await onsite.reschedule(session, principal, declaration_id, data, if_match)
    return answer_json((await onsite.to_read(session, case, visit)).model_dump(mode="json"))


@cases_router.put(
    CASE + "/onsite/items/{key}",
    response_model=OnsiteRead,
    responses=declare(
        CaseNotFound, OnsiteNotFound, ChecklistItemNotFound, OnsiteClosed, FindingNoteRequired
    ),
    summary="Record one checklist item's finding (If-Match on the item)",
)
async def record_finding(
    declaration_id: uuid.UUID,
    key: Annotated[str, Path(max_length=120)],
    data: FindingPut,
    session: SessionDep,
    principal: PanelDep,
    if_match: IfMatchDep,
) -> Response:
    """`verified`, or `discrepancy` / `not_checked` with a note."""
    case, visit = await onsite.record_finding(
        session, principal, declaration_id, key, data, if_match
    )
    return answer_json((await onsite.to_read(session, case, visit)).model_dump(mode="json"))


@cases_router.put(
    CASE + "/onsite/conclusion",
    response_model=OnsiteRead,
    responses=declare(CaseNotFound, OnsiteNotFound, OnsiteClosed),
    summary="The team's conclusion (核查结论) (If-Match on the verification)",
)
async def conclude_onsite(
    declaration_id: uuid.UUID,
    data: ConclusionPut,
    session: SessionDep,
    principal: PanelDep,
    if_match: IfMatchDep,
) -> Response:
    case, visit = await onsite.conclude(
        session, principal, declaration_id, data.conclusion, if_match
    )
    return answer_json((await onsite.to_read(session, case, visit)).model_dump(mode="json"))


@cases_router.post(
    CASE + "/decision",
    response_model=NationalCaseRead,
    responses=declare(
        CaseNotFound,
        TransitionNotAllowed,
        ReasonsRequired,
        ScoresIncomplete,
        OnsiteVerificationRequired,
        OnsiteFindingsMissing,
        PublicityAnnounced,
    ),
    summary="Select (拟入选) or reject with reasons (If-Match, Idempotency-Key)",
)
async def decide(
    declaration_id: uuid.UUID,
    data: DecisionCreate,
    session: SessionDep,
    principal: MinistryDep,
    write: KeyedWriteDep,
    if_match: IfMatchDep,
) -> Response:
    """Select: 卓越级 from the expert review, 领航级 from its 现场核查."""

    async def run():
        case = await service.decide(session, principal, declaration_id, data, if_match)
        return 200, await _case_answer(session, principal, case)

    return await write.run(data, run)


router = APIRouter()
router.include_router(experts_router)
router.include_router(cases_router)
router.include_router(publicity_router)
router.include_router(public_router)
