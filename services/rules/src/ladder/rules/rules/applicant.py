"""申报主体: an independent legal person registered in the PRC, or a branch where the industry
has special circumstances (石油石化、有色金属等)."""

from __future__ import annotations

from ladder.rules.rules.base import Context, Emit, Facts, Finding, RuleSpec
from ladder.rules.vocabulary import LegalForm, Severity, Status

RULE_ID = "applicant.form"


def division(industry: str) -> str:
    """The GB/T 4754 division (大类, two digits) of an industry code such as C3311 or 3311."""
    return industry.lstrip("ABCDEFGHIJKLMNOPQRST")[:2]


def build(ctx: Context) -> list[RuleSpec]:
    rule = ctx.edition.applicant
    if ctx.tier not in rule.tiers:
        return []
    special = {d: s for s in rule.special_industries for d in s.divisions}
    listed = "、".join(s.name for s in rule.special_industries)
    # "等": the notice's list is open, so a branch outside it is a judgement, not a bar.
    severity = Severity.error
    emit = Emit(RULE_ID, ctx.edition.id, rule.clause, severity)
    judged = Emit(RULE_ID, ctx.edition.id, rule.clause, Severity.warning)

    legal_person = emit.constant(
        Status.passed,
        "申报主体为境内注册的独立法人",
        "The applicant is an independent legal person registered in China",
        expected=LegalForm.legal_person.value,
        actual=LegalForm.legal_person.value,
        field="facts.applicant.legal_form",
    )

    def check(facts: Facts) -> Finding:
        applicant = facts.given.applicant
        if applicant is None:
            return emit.missing("facts.applicant", "申报主体信息", "Applicant details")
        if applicant.legal_form is LegalForm.legal_person:
            return legal_person()
        industry = applicant.industry
        found = special.get(division(industry)) if industry else None
        if found is not None:
            return emit(
                Status.passed,
                f"分支机构申报：所属行业属{found.name}，为有行业特殊情况的行业",
                f"A branch may apply: its industry ({found.name_en}) has special circumstances",
                expected=listed,
                actual=industry,
                field="facts.applicant.industry",
            )
        if applicant.special_circumstance:
            return judged(
                Status.failed,
                f"分支机构申报，所属行业不在通知列举的{listed}之列，"
                "所述行业特殊情况须由推荐单位认定",
                "A branch applies from an industry the notice does not list; the stated "
                "special circumstances are for the recommending unit to accept",
                expected=listed,
                actual=industry,
                field="facts.applicant.special_circumstance",
            )
        return emit(
            Status.failed,
            f"法人的分支机构仅在有行业特殊情况（{listed}等）时允许申报",
            "A branch may apply only where its industry has special circumstances "
            "(petrochemicals, non-ferrous metals and the like)",
            expected=listed,
            actual=industry,
            field="facts.applicant.legal_form",
        )

    return [RuleSpec(RULE_ID, rule.clause, severity, rule.text, check)]
