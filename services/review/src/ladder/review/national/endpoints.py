"""Routes of the national review: `router` is what the service mounts — the expert pool, the
case in its steps (形式审查, 专家 and 回避, 评分, 现场核查, 决定) and the 公示 with the public's
side."""

from __future__ import annotations

from fastapi import APIRouter

from ladder.review.national.cases import endpoints as cases
from ladder.review.national.decision import endpoints as decision
from ladder.review.national.experts import endpoints as experts
from ladder.review.national.formal_check import endpoints as formal_check
from ladder.review.national.onsite import endpoints as onsite
from ladder.review.national.publicity import endpoints as publicity
from ladder.review.national.scoring import endpoints as scoring

router = APIRouter()
for part in (
    experts.pool_router,
    cases.router,
    formal_check.router,
    experts.case_router,
    scoring.router,
    onsite.router,
    decision.router,
    publicity.publicity_router,
    publicity.public_router,
):
    router.include_router(part)
