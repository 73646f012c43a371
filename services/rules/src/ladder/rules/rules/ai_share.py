"""应用人工智能技术场景比例 (2025 edition: ≥ 20 % 卓越级, ≥ 60 % 领航级).

The share is computed from the declared scenes (those marked as applying AI over all of
them), which is what a reviewer can verify; the declared KPI value is cross-checked against it
and a gap beyond the edition's tolerance warns.
"""

from __future__ import annotations

from ladder.rules.rules.base import Context, Emit, Facts, Finding, RuleSpec
from ladder.rules.vocabulary import Severity, Status

SHARE_ID = "ai.scene_share"
CONSISTENCY_ID = "ai.kpi_consistency"


def share_percent(facts: Facts) -> float:
    return round(100.0 * facts.ai_scene_count / facts.scene_count, 2)


def build(ctx: Context) -> list[RuleSpec]:
    rule = ctx.edition.ai_share
    if rule is None or ctx.tier not in rule.thresholds:
        return []
    threshold = rule.thresholds[ctx.tier]
    return [_share(ctx, threshold), _consistency(ctx, rule.kpi, rule.tolerance, threshold.clause)]


def _share(ctx, threshold) -> RuleSpec:
    need = threshold.min_percent
    need_txt = f"{need:g}%"
    tier_zh = ctx.requirements.name
    emit = Emit(SHARE_ID, ctx.edition.id, threshold.clause, Severity.error)

    def check(facts: Facts) -> Finding:
        if not facts.scene_count:
            return emit.missing(
                "facts.scenes", "典型场景实例", "Scene instances", expected={"min_percent": need}
            )
        share = share_percent(facts)
        actual = {"percent": share, "ai_scenes": facts.ai_scene_count, "scenes": facts.scene_count}
        counted = f"（{facts.ai_scene_count}/{facts.scene_count}）"
        if share >= need:
            return emit(
                Status.passed,
                f"应用人工智能技术场景比例为{share:g}%{counted}，不低于{need_txt}",
                f"{share:g}% of scenes apply AI ({facts.ai_scene_count} of "
                f"{facts.scene_count}), at least {need_txt}",
                expected={"min_percent": need},
                actual=actual,
                field="facts.scenes",
            )
        return emit(
            Status.failed,
            f"应用人工智能技术场景比例为{share:g}%{counted}，{tier_zh}智能工厂应不低于{need_txt}",
            f"{share:g}% of scenes apply AI ({facts.ai_scene_count} of {facts.scene_count}); "
            f"the {ctx.tier.value} tier needs at least {need_txt}",
            expected={"min_percent": need},
            actual=actual,
            field="facts.scenes",
        )

    return RuleSpec(SHARE_ID, threshold.clause, Severity.error, threshold.text, check)


def _consistency(ctx, kpi: str, tolerance: float, clause: str) -> RuleSpec:
    emit = Emit(CONSISTENCY_ID, ctx.edition.id, clause, Severity.warning)
    field = f"facts.kpis.{kpi}"
    text = f"填报的应用人工智能技术场景比例与场景清单计算值相差不超过{tolerance:g}个百分点"

    def check(facts: Facts) -> Finding:
        kpis = facts.given.kpis
        declared = kpis.get(kpi) if kpis is not None else None
        if declared is None or not facts.scene_count:
            return emit.missing(
                field, "应用人工智能技术场景比例或典型场景实例", "The AI-scene share or the scenes"
            )
        computed = share_percent(facts)
        actual = {"declared": declared, "computed": computed}
        if abs(declared - computed) <= tolerance:
            return emit(
                Status.passed,
                f"填报的应用人工智能技术场景比例{declared:g}%与场景清单一致（{computed:g}%）",
                f"The declared AI-scene share {declared:g}% matches the scenes ({computed:g}%)",
                expected={"computed": computed, "tolerance": tolerance},
                actual=actual,
                field=field,
            )
        return emit(
            Status.failed,
            f"填报的应用人工智能技术场景比例{declared:g}%与场景清单计算值{computed:g}%不一致",
            f"The declared AI-scene share {declared:g}% differs from the scenes' {computed:g}%",
            expected={"computed": computed, "tolerance": tolerance},
            actual=actual,
            field=field,
        )

    return RuleSpec(CONSISTENCY_ID, clause, Severity.warning, text, check)
