"""Route of the 形式审查."""

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
from ladder.review.national.errors import TransitionNotAllowed
from ladder.review.national.formal_check import service
from ladder.review.national.formal_check.schemas import FormalCheckCreate

router = case_routes()


@router.post(
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
        return 200, await case_answer(session, principal, case)

    return await write.run(data, run)
