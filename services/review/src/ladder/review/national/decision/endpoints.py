"""Route of the decision."""

from __future__ import annotations

import uuid

from fastapi import Response

from ladder.kit.concurrency import IfMatchDep
from ladder.kit.db import SessionDep
from ladder.kit.errors import declare
from ladder.kit.writes import KeyedWriteDep
from ladder.review.errors import CaseNotFound, ReasonsRequired
from ladder.review.national.auth import MinistryDep
from ladder.review.national.cases.endpoints import CASE, case_routes
from ladder.review.national.cases.schemas import NationalCaseRead
from ladder.review.national.cases.service import case_answer
from ladder.review.national.decision import service
from ladder.review.national.decision.schemas import DecisionCreate
from ladder.review.national.errors import (
    OnsiteFindingsMissing,
    OnsiteVerificationRequired,
    PublicityAnnounced,
    ScoresIncomplete,
    TransitionNotAllowed,
)

router = case_routes()


@router.post(
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
        return 200, await case_answer(session, principal, case)

    return await write.run(data, run)
