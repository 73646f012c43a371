"""The tier below that an applicant must already hold: self-assessed 基础级 for 先进级,
recognised 先进级 for 卓越级, recognised 卓越级 for 领航级.

"获评" (251号 二(一)2、三(一)3) means recognised by an authority, so the rule judges the
register of recognised tiers (认定记录) that the declaration service supplies as
`facts.recognitions` — never the applicant's own `recognised_tier`, which is accepted for older
callers and ignored (issue 14). Which years of the register count is the declaration
service's reading (it sends the entries that count); here a held tier at or above the one
required passes, and a finding that fails names what is missing and where it would come from.
"""

from __future__ import annotations

from ladder.rules.rules.base import Context, Emit, Facts, Finding, RuleSpec
from ladder.rules.vocabulary import TIER_ORDER, Severity, Status, Tier

RULE_ID = "prerequisite.tier"
FIELD = "facts.recognitions"
_TIER_ZH = {
    Tier.basic: "基础级",
    Tier.advanced: "先进级",
    Tier.excellence: "卓越级",
    Tier.pilot: "领航级",
}
# Where an entry of each tier comes from in the register (what the applicant is told to seek).
_COMES_FROM = {
    Tier.basic: (
        "企业开展基础级自评且结果为符合",
        "a 基础级 self-assessment of the factory with the outcome eligible",
    ),
    Tier.advanced: (
        "省级主管部门报送的先进级名单，或导入的往年先进级认定名单",
        "the province's submitted 先进级 list, or an import of an earlier year's 先进级 list",
    ),
    Tier.excellence: (
        "部委发布的卓越级名单，或导入的往年卓越级名单",
        "the ministry's published 卓越级 list, or an import of an earlier year's 卓越级 list",
    ),
    Tier.pilot: (
        "领航级培育验收认定，或导入的往年领航级名单",
        "the acceptance of a 领航级 cultivation, or an import of an earlier 领航级 list",
    ),
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
    where_zh, where_en = _COMES_FROM[need]

    def passed(held: Tier) -> Finding:
        return emit(
            Status.passed,
            f"认定记录：已{_held_zh(held)}智能工厂，满足申报{_TIER_ZH[ctx.tier]}的前提",
            f"The register holds the {held.value} tier, as applying for {ctx.tier.value} requires",
            expected=need.value,
            actual=held.value,
            field=FIELD,
        )

    def failed(held: str) -> Finding:
        return emit(
            Status.failed,
            f"申报{_TIER_ZH[ctx.tier]}智能工厂须已{need_zh}智能工厂：认定记录中没有该工厂的"
            f"{_TIER_ZH[need]}记录（来源：{where_zh}）",
            f"Applying for {ctx.tier.value} requires the {need.value} tier: the register of "
            f"recognised tiers holds no {need.value} entry for this factory (it comes from "
            f"{where_en})",
            expected=need.value,
            actual=held,
            field=FIELD,
        )

    # Five possible answers (none, or one of four tiers), five possible findings: built once.
    by_held = {
        held: (passed(Tier(held)) if TIER_ORDER[held] >= TIER_ORDER[need] else failed(held)).copy
        for held in ["none", *(t.value for t in Tier)]
    }
    unanswered = emit.missing(
        FIELD, "认定记录", "The register of recognised tiers", expected=need.value
    ).copy

    def check(facts: Facts) -> Finding:
        entries = facts.given.recognitions
        if entries is None:
            return unanswered()
        held = max((e.tier.value for e in entries), key=TIER_ORDER.__getitem__, default="none")
        return by_held[held]()

    return [RuleSpec(RULE_ID, rule.clause, Severity.error, rule.text, check)]
