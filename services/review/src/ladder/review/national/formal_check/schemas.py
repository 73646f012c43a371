"""The formal check's request."""

from __future__ import annotations

from enum import StrEnum

from ladder.review.national.schemas import Reasons, Strict


class FormalOutcome(StrEnum):
    passed = "pass"  # 形式审查通过: to the expert review
    failed = "fail"  # 形式审查不通过 (final)


class FormalCheckCreate(Strict):
    """`reasons` is required for `fail` (422 `reasons_required`)."""

    outcome: FormalOutcome
    reasons: Reasons | None = None
