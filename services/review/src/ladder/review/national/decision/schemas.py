"""The decision's request."""

from __future__ import annotations

from enum import StrEnum

from ladder.review.national.schemas import Reasons, Strict


class DecisionOutcome(StrEnum):
    select = "select"  # 拟入选, to the 公示
    reject = "reject"  # 未入选 (final)


class DecisionCreate(Strict):
    """`reasons` is required for `reject` (422 `reasons_required`)."""

    outcome: DecisionOutcome
    reasons: Reasons | None = None
