"""Score sheets (评分表) and their aggregate: pure functions over the tier's criteria.

An expert's total is the weighted sum of the criteria with the weights normalised to 1 and each
score taken as a share of its criterion's maximum, so a total is always out of 100 whatever
maxima the data sets. The case's aggregate is the mean of its experts' totals; the per-criterion
means are of the raw scores."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ladder.review.national.data import Criterion
from ladder.review.national.errors import ScoreSheetInvalid


def check_sheet(criteria: Sequence[Criterion], scores: Mapping[str, float]) -> None:
    """A sheet scores every criterion of the tier, nothing else, each within 0..max."""
    keys = {c.key for c in criteria}
    missing = sorted(keys - scores.keys())
    unknown = sorted(scores.keys() - keys)
    out_of_range = sorted(
        c.key
        for c in criteria
        if c.key in scores and not (math.isfinite(scores[c.key]) and 0 <= scores[c.key] <= c.max)
    )
    if missing or unknown or out_of_range:
        raise ScoreSheetInvalid(
            details={
                "missing": missing,
                "unknown": unknown,
                "out_of_range": out_of_range,
                "max": {c.key: c.max for c in criteria},
            }
        )


def total(criteria: Sequence[Criterion], scores: Mapping[str, float]) -> float:
    """Σ (weight / Σ weights) · (score / max) · 100."""
    weights = sum(c.weight for c in criteria)
    return round(sum(c.weight / weights * scores[c.key] / c.max * 100 for c in criteria), 2)


@dataclass(frozen=True)
class Aggregate:
    sheets: int
    mean_total: float | None
    criterion_means: dict[str, float]


def aggregate(criteria: Sequence[Criterion], sheets: Sequence[Mapping[str, float]]) -> Aggregate:
    """The mean of the totals and of each criterion over the sheets given (None when none)."""
    if not sheets:
        return Aggregate(0, None, {})
    n = len(sheets)
    return Aggregate(
        sheets=n,
        mean_total=round(sum(total(criteria, s) for s in sheets) / n, 2),
        criterion_means={c.key: round(sum(s[c.key] for s in sheets) / n, 2) for c in criteria},
    )
