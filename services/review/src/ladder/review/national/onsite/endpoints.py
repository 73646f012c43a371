"""Routes of the 现场核查 (the ministry schedules; the team records findings and concludes)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Path, Response, status

from ladder.kit.concurrency import IfMatchDep
from ladder.kit.db import SessionDep
from ladder.kit.errors import declare
from ladder.kit.writes import KeyedWriteDep, answer_json
from ladder.review.errors import CaseNotFound
from ladder.review.national.auth import MinistryDep, PanelDep
from ladder.review.national.cases.endpoints import CASE, case_routes
from ladder.review.national.errors import (
    ChecklistItemNotFound,
    ConflictOfInterest,
    ExpertCountOutOfRange,
    ExpertInactive,
    ExpertNotFound,
    FindingNoteRequired,
    OnsiteClosed,
    OnsiteNotForTier,
    OnsiteNotFound,
    TransitionNotAllowed,
)
from ladder.review.national.onsite import service
from ladder.review.national.onsite.schemas import (
    ConclusionPut,
    FindingPut,
    OnsiteCreate,
    OnsiteRead,
    OnsiteReschedule,
)

router = case_routes()


@router.post(
    CASE + "/onsite",
    status_code=status.HTTP_201_CREATED,
    response_model=OnsiteRead,
    responses=declare(
        CaseNotFound,
        TransitionNotAllowed,
        OnsiteNotForTier,
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
        case = await service.schedule(session, principal, declaration_id, data, if_match)
        _, visit = await service.read(session, principal, case.declaration_id)
        return 201, (await service.to_read(session, case, visit)).model_dump(mode="json")

    return await write.run(data, run)


@router.get(
    CASE + "/onsite",
    response_model=OnsiteRead,
    responses=declare(CaseNotFound, OnsiteNotFound),
    summary="The 现场核查 with its checklist (the ministry and the team)",
)
async def read_onsite(
    declaration_id: uuid.UUID, session: SessionDep, principal: PanelDep
) -> Response:
    case, visit = await service.read(session, principal, declaration_id)
    return answer_json((await service.to_read(session, case, visit)).model_dump(mode="json"))


@router.patch(
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
    case, visit = await service.reschedule(session, principal, declaration_id, data, if_match)
    return answer_json((await service.to_read(session, case, visit)).model_dump(mode="json"))


@router.put(
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
    case, visit = await service.record_finding(
        session, principal, declaration_id, key, data, if_match
    )
    return answer_json((await service.to_read(session, case, visit)).model_dump(mode="json"))


@router.put(
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
    case, visit = await service.conclude(
        session, principal, declaration_id, data.conclusion, if_match
    )
    return answer_json((await service.to_read(session, case, visit)).model_dump(mode="json"))
