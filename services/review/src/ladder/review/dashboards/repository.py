"""The dashboards' one query: counts of review cases by province, industry, tier, status or scene.

Each authority counts what it may see (`ladder.kit.jurisdiction.Reach`). The counts are one
`GROUP BY` over the cases (scenes: over the scene instances kept in each case's details, a case
counted once per scene it declares).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import distinct, func, literal_column, select, text
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.kit.auth import Principal
from ladder.kit.jurisdiction import reach
from ladder.review.cases.machine import CaseStatus
from ladder.review.cases.models import ReviewCase
from ladder.review.cases.repository import reach_clauses
from ladder.review.dashboards.schemas import Counts, Dimension, Group
from ladder.review.vocabulary import Tier


def _key(by: Dimension) -> Any:
    c = ReviewCase
    return {
        Dimension.province: func.concat(func.substr(col(c.region_code), 1, 2), "0000"),
        Dimension.industry: func.substr(col(c.industry), 1, 3),
        Dimension.tier: col(c.tier),
        Dimension.status: col(c.status),
        Dimension.recommending_unit: col(c.recommending_unit),
    }[by]


async def case_counts(
    session: AsyncSession,
    principal: Principal,
    *,
    campaign_year: int,
    by: Dimension,
    tier: Tier | None = None,
    status: CaseStatus | None = None,
) -> Counts:
    """The cases of `campaign_year` within the principal's reach, grouped `by` one dimension."""
    where = [ReviewCase.campaign_year == campaign_year, *reach_clauses(reach(principal))]
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
        campaign_year=campaign_year,
        by=by,
        total=total,
        groups=[Group(key=r.key, count=r.n) for r in rows],
    )
