"""The segments (环节) a tier's factory has to cover: declared, or through a declared scene."""

from __future__ import annotations

from collections.abc import Callable

from ladder.rules.rules.base import Context, Emit, Facts, Finding, RuleSpec
from ladder.rules.vocabulary import Severity, Status

RULE_ID = "segments.coverage"


def build(ctx: Context) -> list[RuleSpec]:
    edition, req = ctx.edition, ctx.requirements
    rule = req.segments
    order = edition.segment_names
    name_en = {s.name: s.name_en for s in edition.segments}
    required = list(rule.required)
    required_zh = "、".join(required)
    required_en = ", ".join(name_en[s] for s in required)
    tier_zh, tier = req.name, ctx.tier.value
    emit = Emit(RULE_ID, edition.id, rule.clause, rule.severity)
    soft = rule.severity is not Severity.error

    # At most 2⁵ sets of covered segments: each finding is built once, on first sight.
    seen: dict[frozenset[str], Callable[[], Finding]] = {}

    def check(facts: Facts) -> Finding:
        made = seen.get(facts.segments)
        if made is None:
            made = seen[facts.segments] = judge(facts.segments).copy
        return made()

    def judge(covered_set: frozenset[str]) -> Finding:
        covered = [s for s in order if s in covered_set]
        missing = [s for s in required if s not in covered_set]
        if not missing:
            return emit(
                Status.passed,
                f"已覆盖{tier_zh}智能工厂要求的环节：{required_zh}",
                f"Covers the segments the {tier} tier requires: {required_en}",
                expected=required,
                actual=covered,
                field="facts.segments",
            )
        missing_zh = "、".join(missing)
        missing_en = ", ".join(name_en[s] for s in missing)
        if soft:
            message = (
                f"{tier_zh}智能工厂原则上应覆盖{required_zh}环节，未覆盖：{missing_zh}"
                "（原则性要求，评审可酌情认定）"
            )
            message_en = (
                f"The {tier} tier should in principle cover {required_en}; "
                f"missing: {missing_en} (a reviewer may waive this)"
            )
        else:
            message = f"{tier_zh}智能工厂须覆盖{required_zh}环节，未覆盖：{missing_zh}"
            message_en = f"The {tier} tier requires {required_en}; missing: {missing_en}"
        return emit(
            Status.failed,
            message,
            message_en,
            expected=required,
            actual=covered,
            field="facts.segments",
        )

    return [RuleSpec(RULE_ID, rule.clause, rule.severity, rule.text, check)]
