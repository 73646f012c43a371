"""The rules of 要素条件 as small named functions, and how their findings decide eligibility.

Every rule has a stable id and cites the clause it implements (from the edition's data).
Add a rule by writing its function in a module here and listing it in `RULES`.
"""

from __future__ import annotations

from ladder.rules.editions.catalogue import Edition
from ladder.rules.rules.base import Facts, Finding, Rule
from ladder.rules.rules.cmmm import cmmm_level
from ladder.rules.rules.segments import segment_coverage
from ladder.rules.vocabulary import Severity, Tier

RULES: tuple[Rule, ...] = (cmmm_level, segment_coverage)


def evaluate(edition: Edition, tier: Tier, facts: Facts) -> list[Finding]:
    """Every applicable rule's finding, in the order of `RULES`."""
    return [f for rule in RULES if (f := rule(edition, tier, facts)) is not None]


def is_eligible(findings: list[Finding]) -> bool:
    """Eligible unless some error-severity rule failed (warnings and infos do not bar)."""
    return not any(f.severity is Severity.error and not f.passed for f in findings)


__all__ = ["RULES", "Facts", "Finding", "Rule", "evaluate", "is_eligible"]
