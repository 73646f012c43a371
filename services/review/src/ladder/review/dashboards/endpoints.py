"""Authority dashboards: counts of review cases by province, industry, tier, status or scene.

Each authority counts what it may see (`ladder.kit.jurisdiction.Reach`): a county its county,
a province its province, a group HQ its group, the ministry everything. The counts are one
`GROUP BY` over the cases (scenes: over the scene instances kept in each case's details, a case
counted once per scene it declares).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import distinct, func, literal_column, select, text
from sqlmodel import col

from ladder.kit.db import SessionDep
from ladder.kit.errors import responses
from ladder.kit.jurisdiction import reach
from ladder.kit.params import CampaignYearQuery
from ladder.review.cases.auth import ReviewerDep
from ladder.review.cases.machine import CaseStatus
from ladder.review.cases.models import ReviewCase
from ladder.review.cases.repository import reach_clauses
from ladder.review.vocabulary import Tier

router = APIRouter(prefix="/v1/dashboards", tags=["dashboards"])


class Dimension(StrEnum):
    province = "province"  # the factory's province (GB/T 2260, 2 digits + 0000)
    industry = "industry"  # GB/T 4754 division (门类 letter + 大类 two digits, e.g. C34)
    tier = "tier"
    status = "status"
    scene = "scene"  # 环节—场景 of the scene guide
    recommending_unit = "recommending_unit"


class Group(BaseModel):
    key: str | None = Field(description="the value counted; null when the case lacks it")
    count: int


class Counts(BaseModel):
    campaign_year: int
    by: Dimension
    total: int = Field(description="cases counted (for scenes: cases declaring any scene)")
    groups: list[Group] = Field(description="largest first, then by key")


def _key(by: Dimension) -> Any:
    c = ReviewCase
    return {
        Dimension.province: func.concat(func.substr(col(c.region_code), 1, 2), "0000"),
        Dimension.industry: func.substr(col(c.industry), 1, 3),
        Dimension.tier: col(c.tier),
        Dimension.status: col(c.status),
        Dimension.recommending_unit: col(c.recommending_unit),
    }[by]


@router.get(
    "/cases",
    response_model=Counts,
    responses=responses(401, 403, 422),
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
    where = [
        ReviewCase.campaign_year == campaign,
        *reach_clauses(reach(principal)),
    ]
    if tier is not None:
        where.append(ReviewCase.tier == tier.value)
    if status is not None:
        where.append(ReviewCase.status == status.value)
    if by is Dimension.scene:
        scene = (
            func.jsonb_array_elements(col(ReviewCase.details)["scenes"])
            .table_valued("value")
            .alias("scene")
        )
        key = func.concat(
            literal_column("scene.value ->> 'segment'"),
            "—",
            literal_column("scene.value ->> 'scene'"),
        )
        count = func.count(distinct(col(ReviewCase.id)))
        stmt = (
            select(key.label("key"), count.label("n"))
            .select_from(ReviewCase)
            .join(scene, text("true"))
        )
        total_stmt = (
            select(func.count(distinct(col(ReviewCase.id))))
            .select_from(ReviewCase)
            .join(scene, text("true"))
        )
    else:
        key = _key(by)
        stmt = select(key.label("key"), func.count().label("n")).select_from(ReviewCase)
        total_stmt = select(func.count()).select_from(ReviewCase)
    rows = (
        await session.execute(
            stmt.where(*where).group_by(text("1")).order_by(text("2 DESC"), text("1"))
        )
    ).all()
    total = (await session.execute(total_stmt.where(*where))).scalar_one()
    return Counts(
        campaign_year=campaign,
        by=by,
        total=total,
        groups=[Group(key=r.key, count=r.n) for r in rows],
    )
