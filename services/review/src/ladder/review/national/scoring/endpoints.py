"""Routes of the score sheets."""

from __future__ import annotations

import uuid

from fastapi import Response

from ladder.kit.concurrency import IfNoneMatchHeader, OptionalIfMatchDep
from ladder.kit.db import SessionDep
from ladder.kit.errors import PreconditionRequired, declare
from ladder.kit.writes import answer_json
from ladder.review.errors import CaseNotFound
from ladder.review.national.auth import ExpertDep, PanelDep
from ladder.review.national.cases.endpoints import CASE, case_routes
from ladder.review.national.errors import ScoreSheetInvalid, ScoringClosed
from ladder.review.national.scoring import service
from ladder.review.national.scoring.schemas import ScoreSheetIn, ScoreSheetRead, ScoresRead

router = case_routes()


@router.get(
    CASE + "/scores",
    response_model=ScoresRead,
    responses=declare(CaseNotFound),
    summary="Score sheets: the ministry all with the aggregate; an expert their own until the "
    "decision",
)
async def read_scores(
    declaration_id: uuid.UUID, session: SessionDep, principal: PanelDep
) -> ScoresRead:
    return await service.read(session, principal, declaration_id)


@router.put(
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
    case, sheet, expert, created = await service.submit_own(
        session, principal, declaration_id, data, if_match=if_match, if_none_match=if_none_match
    )
    body = service.sheet_read(case, sheet, expert).model_dump(mode="json")
    return answer_json(body, 201 if created else 200)
