"""The KPI table (关键绩效指标参考): required indicators, a complete table, plausible values."""

from __future__ import annotations

from ladder.rules.editions.models import Indicator
from ladder.rules.rules.base import Context, Emit, Facts, Finding, RuleSpec
from ladder.rules.vocabulary import KpiKind, Severity, Status

REQUIRED_ID = "kpi.required"
COMPLETENESS_ID = "kpi.completeness"
PLAUSIBILITY_ID = "kpi.plausibility"

# What each kind of indicator can possibly be, by how the table phrases it.
_RANGE_TEXT = {
    KpiKind.share: ("应在0–100%之间", "must be between 0 and 100 %"),
    KpiKind.increase: ("不应低于−100%", "cannot be below −100 %"),
    KpiKind.reduction: ("不应超过100%", "cannot exceed 100 %"),
    KpiKind.count: ("应为非负整数", "must be a non-negative integer"),
}


# (lowest, highest, whole number) each kind of indicator can possibly take.
_LIMITS: dict[KpiKind, tuple[float, float, bool]] = {
    KpiKind.share: (0.0, 100.0, False),
    KpiKind.increase: (-100.0, float("inf"), False),
    KpiKind.reduction: (float("-inf"), 100.0, False),
    KpiKind.count: (0.0, float("inf"), True),
}


def possible(kind: KpiKind, value: float) -> bool:
    low, high, whole = _LIMITS[kind]
    return low <= value <= high and (not whole or float(value).is_integer())


def build(ctx: Context) -> list[RuleSpec]:
    specs = []
    if ctx.requirements.kpis.required:
        specs.append(_required(ctx))
    specs += [_completeness(ctx), _plausibility(ctx)]
    return specs


def _required(ctx: Context) -> RuleSpec:
    req = ctx.requirements.kpis
    table = {i.key: i for i in ctx.edition.kpi_table.indicators}
    keys = list(req.required)
    names = "、".join(table[k].name for k in keys)
    emit = Emit(REQUIRED_ID, ctx.edition.id, req.clause, Severity.error)
    tier_zh = ctx.requirements.name
    reported_zh = f"已填报{names}"
    reported_en = "Reports " + ", ".join(table[k].name_en for k in keys)
    key_set = frozenset(keys)

    def check(facts: Facts) -> Finding:
        kpis = facts.given.kpis
        if kpis is None or not kpis.keys() >= key_set:
            absent = keys if kpis is None else [k for k in keys if k not in kpis]
            return emit.missing(
                f"facts.kpis.{absent[0]}",
                "指标" + "、".join(table[k].name for k in absent),
                "Indicators " + ", ".join(table[k].name_en for k in absent),
                expected=keys,
            )
        waived = [k for k in keys if kpis[k] is None]
        if waived:
            return emit(
                Status.failed,
                f"{tier_zh}智能工厂须填报{names}，不得标为不适用",
                f"The {ctx.tier.value} tier must report "
                + ", ".join(table[k].name_en for k in keys)
                + "; it cannot be marked not applicable",
                expected=keys,
                actual={k: kpis[k] for k in keys},
                field=f"facts.kpis.{waived[0]}",
            )
        return emit(
            Status.passed,
            reported_zh,
            reported_en,
            expected=keys,
            actual={k: kpis[k] for k in keys},
            field="facts.kpis",
        )

    return RuleSpec(REQUIRED_ID, req.clause, Severity.error, f"须填报{names}", check)


def _completeness(ctx: Context) -> RuleSpec:
    req = ctx.requirements.kpis
    table = ctx.edition.kpi_table
    keys = [i.key for i in table.indicators]
    count = len(keys)
    key_set = frozenset(keys)
    emit = Emit(COMPLETENESS_ID, ctx.edition.id, table.clause, req.completeness)
    text = f"《智能工厂建设关键绩效指标参考》{count}项指标逐项填报或标注不适用"

    complete = [
        emit.constant(
            Status.passed,
            f"关键绩效指标{count}项均已填报（{applicable}项有数值）",
            f"All {count} KPI rows are answered ({applicable} with values)",
            expected=count,
            actual={"reported": count, "with_values": applicable},
            field="facts.kpis",
        )
        for applicable in range(count + 1)
    ]

    def check(facts: Facts) -> Finding:
        kpis = facts.given.kpis
        if kpis is None:
            return emit.missing("facts.kpis", "关键绩效指标", "The KPI table", expected=count)
        absent = [] if kpis.keys() >= key_set else [k for k in keys if k not in kpis]
        if absent:
            return emit(
                Status.failed,
                f"关键绩效指标表有{len(absent)}项未填报（可填数值或标注不适用）",
                f"{len(absent)} of the {count} KPI rows are neither filled nor marked not "
                "applicable",
                expected=count,
                actual={"reported": count - len(absent), "absent": absent},
                field=f"facts.kpis.{absent[0]}",
            )
        return complete[count - [kpis[k] for k in keys].count(None)]()

    return RuleSpec(COMPLETENESS_ID, table.clause, req.completeness, text, check)


def _plausibility(ctx: Context) -> RuleSpec:
    table = ctx.edition.kpi_table
    indicators: list[Indicator] = list(table.indicators)
    emit = Emit(PLAUSIBILITY_ID, ctx.edition.id, table.clause, Severity.error)
    text = "比例类指标在0–100%之间，下降类不超过100%，提升类不低于−100%，数量类为非负整数"

    plausible_finding = emit.constant(
        Status.passed,
        "关键绩效指标数值均在合理范围内",
        "Every KPI value is within its possible range",
        field="facts.kpis",
    )
    # One pass over the reported values against each indicator's limits.
    bounds = {i.key: _LIMITS[i.kind] for i in indicators}

    def check(facts: Facts) -> Finding | None:
        kpis = facts.given.kpis
        if not kpis:
            return None  # nothing reported, nothing to judge (completeness says what is missing)
        plausible = True
        for key, value in kpis.items():
            if value is not None:
                low, high, whole = bounds[key]
                if value < low or value > high or (whole and not value.is_integer()):
                    plausible = False
                    break
        bad = (
            []
            if plausible
            else [
                i
                for i in indicators
                if (v := kpis.get(i.key)) is not None and not possible(i.kind, v)
            ]
        )
        if not bad:
            return plausible_finding()
        first = bad[0]
        zh, en = _RANGE_TEXT[first.kind]
        more = f"等{len(bad)}项" if len(bad) > 1 else ""
        more_en = f" ({len(bad)} values out of range)" if len(bad) > 1 else ""
        return emit(
            Status.failed,
            f"{first.name}{zh}，填报为{kpis[first.key]:g}{more}",
            f"{first.name_en} {en}; reported {kpis[first.key]:g}{more_en}",
            expected={i.key: i.kind.value for i in bad},
            actual={i.key: kpis[i.key] for i in bad},
            field=f"facts.kpis.{first.key}",
        )

    return RuleSpec(PLAUSIBILITY_ID, table.clause, Severity.error, text, check)
