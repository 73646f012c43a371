"""The checks local overlays add (上海: registered in Shanghai; 福建: operating in Fujian and
no credit-blacklist listing). Each check kind's numbers and clause come from the overlay file."""

from __future__ import annotations

from ladder.rules.overlays.models import ApplicantRegionCheck, CreditBlacklistCheck, Overlay
from ladder.rules.rules.base import Context, Emit, Facts, Finding, RuleSpec
from ladder.rules.vocabulary import CreditCheckResult, Severity, Status

_SOURCES = {
    "gsxt": (
        "国家企业信用信息公示系统",
        "the National Enterprise Credit Information Publicity System",
    ),
    "zxgk": ("中国执行信息公开网", "China Enforcement Information Disclosure"),
}


def build(ctx: Context) -> list[RuleSpec]:
    specs = []
    for overlay in ctx.overlays:
        for check in overlay.checks:
            if ctx.tier not in check.tiers:
                continue
            if isinstance(check, ApplicantRegionCheck):
                specs.append(_applicant_region(ctx, overlay, check))
            elif isinstance(check, CreditBlacklistCheck):
                specs.append(_credit_blacklist(ctx, overlay, check))
    return specs


def _applicant_region(ctx: Context, overlay: Overlay, rule: ApplicantRegionCheck) -> RuleSpec:
    emit = Emit(rule.rule_id, ctx.edition.id, rule.clause, Severity.error, overlay.id)
    prefixes, region, region_en = rule.region_prefixes, rule.region_name, rule.region_name_en
    registered = rule.where == "registered"
    field = (
        "facts.applicant.registered_region" if registered else "facts.applicant.operating_regions"
    )

    need_zh = "注册" if registered else "行政区域内依法生产经营"
    need_en = "registered" if registered else "lawfully operating"

    def check(facts: Facts) -> Finding:
        applicant = facts.given.applicant
        if applicant is None or (not registered and not applicant.operating_regions):
            what = "申报主体注册地" if registered else "申报主体生产经营地"
            what_en = (
                "The applicant's registration" if registered else "Where the applicant operates"
            )
            return emit.missing(field, what, what_en, expected=list(prefixes))
        places = [applicant.registered_region] if registered else applicant.operating_regions
        inside = [p for p in places if p.startswith(prefixes)]
        if inside:
            return emit(
                Status.passed,
                f"申报主体在{region}{'注册' if registered else '依法生产经营'}",
                f"The applicant is {'registered' if registered else 'operating'} in {region_en}",
                expected=list(prefixes),
                actual=places,
                field=field,
            )
        return emit(
            Status.failed,
            f"申报主体须在{region}{need_zh}",
            f"The applicant must be {need_en} in {region_en}",
            expected=list(prefixes),
            actual=places,
            field=field,
        )

    return RuleSpec(rule.rule_id, rule.clause, Severity.error, rule.text, check, overlay.id)


def _credit_blacklist(ctx: Context, overlay: Overlay, rule: CreditBlacklistCheck) -> RuleSpec:
    emit = Emit(rule.rule_id, ctx.edition.id, rule.clause, Severity.error, overlay.id)
    sources = list(rule.sources)

    def check(facts: Facts) -> Finding:
        result = facts.given.credit_check
        if result is None:
            return emit.missing(
                "facts.credit_check",
                "失信黑名单查询结果",
                "The credit-blacklist check",
                expected=sources,
            )
        outcome = {s: getattr(result, s).value for s in sources}
        actual = {**outcome, "checked_on": result.checked_on.isoformat()}
        listed = [s for s in sources if getattr(result, s) is CreditCheckResult.listed]
        if listed:
            return emit(
                Status.failed,
                "申报主体被列入失信黑名单（"
                + "、".join(_SOURCES[s][0] for s in listed)
                + "），应予排除",
                "The applicant is blacklisted in " + " and ".join(_SOURCES[s][1] for s in listed),
                expected=dict.fromkeys(sources, CreditCheckResult.clear.value),
                actual=actual,
                field=f"facts.credit_check.{listed[0]}",
            )
        return emit(
            Status.passed,
            f"经{'、'.join(_SOURCES[s][0] for s in sources)}查询，未列入失信黑名单",
            "Not blacklisted according to " + " and ".join(_SOURCES[s][1] for s in sources),
            expected=dict.fromkeys(sources, CreditCheckResult.clear.value),
            actual=actual,
            field="facts.credit_check",
        )

    return RuleSpec(rule.rule_id, rule.clause, Severity.error, rule.text, check, overlay.id)
