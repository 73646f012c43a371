"""Routes of the national case: the list and one case (with its ETag for the ministry's moves)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from ladder.kit.db import SessionDep
from ladder.kit.errors import declare
from ladder.kit.pagination import Page, PageDep
from ladder.kit.params import OptionalCampaignYearQuery
from ladder.kit.writes import answer_json
from ladder.review.cases.machine import CaseStatus
from ladder.review.cases.models import ReviewCase
from ladder.review.errors import CaseNotFound
from ladder.review.national.auth import PanelDep
from ladder.review.national.cases import service
from ladder.review.national.cases.schemas import NationalCaseRead, NationalCaseSummary
from ladder.review.national.cases.service import case_answer
from ladder.review.national.data import NationalTier

CASES = "/v1/national/cases"
CASE = "/{declaration_id}"


def case_routes() -> APIRouter:
    """A router of routes on one national case (`CASES` + `CASE` + …), each sub-domain its own."""
    return APIRouter(prefix=CASES, tags=["national review: cases"])


router = case_routes()


async def _reachable(
    declaration_id: uuid.UUID, session: SessionDep, principal: PanelDep
) -> ReviewCase:
    return await service.reach(session, principal, declaration_id)


ReachableCase = Annotated[ReviewCase, Depends(_reachable)]
"""The path's case, for the ministry or an expert on it (404 otherwise)."""


@router.get(
    "",
    response_model=Page[NationalCaseSummary],
    responses=declare(),
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


@router.get(
    CASE,
    response_model=NationalCaseRead,
    responses=declare(CaseNotFound),
    summary="A case with its declared details and history (ETag for the ministry's moves)",
)
async def read_case(case: ReachableCase, session: SessionDep, principal: PanelDep) -> Response:
    return answer_json(await case_answer(session, principal, case))
