"""Routes of the authority dashboards: counts of the review cases the caller may see."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ladder.kit.db import SessionDep
from ladder.kit.errors import declare
from ladder.kit.params import CampaignYearQuery
from ladder.review.cases.auth import ReviewerDep
from ladder.review.cases.machine import CaseStatus
from ladder.review.dashboards import repository
from ladder.review.dashboards.schemas import Counts, Dimension
from ladder.review.vocabulary import Tier

router = APIRouter(prefix="/v1/dashboards", tags=["dashboards"])


@router.get(
    "/cases",
    response_model=Counts,
    responses=declare(),
    summary="Counts of the cases the caller may see, grouped by one dimension",
)
async def case_counts(
    session: SessionDep,
    principal: ReviewerDep,
    campaign: CampaignYearQuery,
    by: Annotated[Dimension, Query(description="what to group by")],
    tier: Annotated[Tier | None, Query()] = None,
    status: Annotated[CaseStatus | None, Query()] = None,
) -> Counts:
    """A county counts its county, a province its province, a group HQ its group, the
    ministry everything (`ladder.kit.jurisdiction.Reach`)."""
    return await repository.case_counts(
        session, principal, campaign_year=campaign, by=by, tier=tier, status=status
    )
