"""Routes for review cases: the authorities' inbox and one case with its history."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from ladder.kit.db import SessionDep
from ladder.kit.errors import responses
from ladder.kit.pagination import Page, PageDep
from ladder.review.cases import repository, service
from ladder.review.cases.auth import ReviewerDep
from ladder.review.cases.machine import CaseStatus
from ladder.review.cases.models import ReviewCase
from ladder.review.cases.schemas import CaseRead, CaseSummary
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
    responses=responses(401, 403, 422),
    summary="Cases in the caller's jurisdiction, oldest received first",
)
async def list_inbox(
    session: SessionDep,
    principal: ReviewerDep,
    page: PageDep,
    tier: Annotated[Tier | None, Query()] = None,
    status_filter: Annotated[CaseStatus | None, Query(alias="status")] = None,
) -> Page[CaseSummary]:
    """County, city and province authorities see the cases of factories in their region
    (GB/T 2260 prefix of 6, 4, 2 digits); the ministry sees all. Central-SOE headquarters see
    none yet (SOE routing comes with the recommendation chain)."""
    rows, total = await service.inbox(
        session,
        principal,
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


@router.get(
    "/v1/cases/{declaration_id}",
    response_model=CaseRead,
    responses=responses(401, 403, 404, 422),
    summary="One case, by its declaration id, with its history",
)
async def read_case(case: CurrentCase, session: SessionDep) -> CaseRead:
    return service.to_read(case, await repository.history(session, case.id))
