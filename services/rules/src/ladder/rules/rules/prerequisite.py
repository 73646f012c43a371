"""The tier below that an applicant must already hold: self-assessed 基础级 for 先进级,
recognised 先进级 for 卓越级, recognised 卓越级 for 领航级."""

from __future__ import annotations

from ladder.rules.rules.base import Context, Emit, Facts, Finding, RuleSpec
from ladder.rules.vocabulary import TIER_ORDER, Severity, Status, Tier

RULE_ID = "prerequisite.tier"
_TIER_ZH = {
    Tier.basic: "基础级",
    Tier.advanced: "先进级",
    Tier.excellence: "卓越级",
    Tier.pilot: "领航级",
}


def _held_zh(tier: Tier) -> str:
    return "自评为基础级" if tier is Tier.basic else f"获评{_TIER_ZH[tier]}"


def build(ctx: Context) -> list[RuleSpec]:
    rule = ctx.edition.prerequisites.get(ctx.tier)
    if rule is None:
        return []
    need = rule.requires
    emit = Emit(RULE_ID, ctx.edition.id, rule.clause, Severity.error)
    need_zh = _held_zh(need)

    def judge(held: str) -> Finding:
        if TIER_ORDER[held] >= TIER_ORDER[need]:
            return emit(
                Status.passed,
                f"已{_held_zh(Tier(held))}智能工厂，满足申报{_TIER_ZH[ctx.tier]}的前提",
                f"Holds the {held} tier, as applying for {ctx.tier.value} requires",
                expected=need.value,
                actual=held,
                field="facts.recognised_tier",
            )
        return emit(
            Status.failed,
            f"申报{_TIER_ZH[ctx.tier]}智能工厂须已{need_zh}智能工厂",
            f"Applying for {ctx.tier.value} requires holding the {need.value} tier",
            expected=need.value,
            actual=held,
            field="facts.recognised_tier",
        )

    # Five possible answers (none, or one of four tiers), five possible findings: built once.
    by_held = {held: judge(held).copy for held in ["none", *(t.value for t in Tier)]}
    unanswered = emit.missing(
        "facts.recognised_tier", "已获评层级", "The tier already held", expected=need.value
    ).copy

    def check(facts: Facts) -> Finding:
        held = facts.given.recognised_tier
        return unanswered() if held is None else by_held[held]()

    return [RuleSpec(RULE_ID, rule.clause, Severity.error, rule.text, check)]
