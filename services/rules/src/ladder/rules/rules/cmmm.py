"""The minimum smart-manufacturing maturity level (智能制造能力成熟度, GB/T 39116) per tier."""

from __future__ import annotations

from ladder.rules.rules.base import Context, Emit, Facts, Finding, RuleSpec, zh_level
from ladder.rules.vocabulary import Severity, Status

RULE_ID = "cmmm.level"


def build(ctx: Context) -> list[RuleSpec]:
    requirement = ctx.requirements.cmmm
    need, tier_zh, tier = requirement.min_level, ctx.requirements.name, ctx.tier.value
    emit = Emit(RULE_ID, ctx.edition.id, requirement.clause, Severity.error)

    def judge(have: int) -> Finding:
        if have >= need:
            return emit(
                Status.passed,
                f"智能制造能力成熟度为{zh_level(have)}，达到{tier_zh}智能工厂{zh_level(need)}及以上的要求",
                f"CMMM level {have} meets the {tier} minimum of level {need}",
                expected=need,
                actual=have,
                field="facts.cmmm_level",
            )
        return emit(
            Status.failed,
            f"智能制造能力成熟度为{zh_level(have)}，{tier_zh}智能工厂应达到{zh_level(need)}及以上",
            f"CMMM level {have} is below the {tier} minimum of level {need}",
            expected=need,
            actual=have,
            field="facts.cmmm_level",
        )

    # Five possible levels, five possible findings: built once.
    by_level = {level: judge(level).copy for level in range(1, 6)}

    def check(facts: Facts) -> Finding:
        return by_level[facts.given.cmmm_level]()

    return [RuleSpec(RULE_ID, requirement.clause, Severity.error, requirement.text, check)]
