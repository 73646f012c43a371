"""申报材料清单: every section of the tier's material list is completed (卓越级 4, 领航级 5)."""

from __future__ import annotations

from ladder.rules.rules.base import Context, Emit, Facts, Finding, RuleSpec
from ladder.rules.vocabulary import Severity, Status

RULE_ID = "materials.sections"


def build(ctx: Context) -> list[RuleSpec]:
    materials = ctx.edition.materials.get(ctx.tier)
    if materials is None:
        return []
    sections = materials.sections
    keys = [s.key for s in sections]
    text = "申报材料包括：" + "；".join(f"{s.row}.{s.name}" for s in sections)
    emit = Emit(RULE_ID, ctx.edition.id, materials.clause, Severity.error)
    tier_zh = ctx.requirements.name

    key_set = frozenset(keys)
    complete = emit.constant(
        Status.passed,
        f"{tier_zh}申报材料{len(keys)}部分均已填报",
        f"All {len(keys)} sections of the material are complete",
        expected=keys,
        actual=keys,
        field="facts.materials",
    )

    def check(facts: Facts) -> Finding:
        done = facts.given.materials
        if done is None:
            return emit.missing(
                "facts.materials", "申报材料", "The declaration material", expected=keys
            )
        if key_set.issubset(done):
            return complete()
        missing = [s for s in sections if s.key not in done]
        if missing:
            return emit(
                Status.failed,
                f"{tier_zh}申报材料不完整，缺少："
                + "、".join(f"{s.row}.{s.name}" for s in missing),
                "The material is incomplete; missing: "
                + ", ".join(f"{s.row}. {s.name_en}" for s in missing),
                expected=keys,
                actual=[k for k in keys if k in done],
                field="facts.materials",
            )
        return complete()

    return [RuleSpec(RULE_ID, materials.clause, Severity.error, text, check)]
