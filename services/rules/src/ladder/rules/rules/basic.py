"""基础要求 1–4: attestations every applicant makes, whatever the tier (item 5 is cmmm.py)."""

from __future__ import annotations

from ladder.rules.editions.models import BasicRequirement
from ladder.rules.rules.base import Context, Emit, Facts, Finding, RuleSpec
from ladder.rules.vocabulary import Severity, Status

PASSED = Status.passed


def rule_id(requirement: BasicRequirement) -> str:
    return f"basic.{requirement.key}"


def build(ctx: Context) -> list[RuleSpec]:
    return [_build_one(ctx, r) for r in ctx.edition.basic_requirements]


def _build_one(ctx: Context, requirement: BasicRequirement) -> RuleSpec:
    rid = rule_id(requirement)
    emit = Emit(rid, ctx.edition.id, requirement.clause, Severity.error)
    keys = [f.key for f in requirement.facts]
    names = {f.key: f.name for f in requirement.facts}
    names_en = {f.key: f.name_en for f in requirement.facts}
    item = requirement.item

    expected = dict.fromkeys(keys, True)
    passed = emit.constant(
        PASSED,
        f"已承诺满足基础要求{item}",
        f"Basic requirement {item} attested",
        expected=expected,
        actual=expected,
        field="facts.basic_requirements",
    )

    def check(facts: Facts) -> Finding:
        given = facts.given.basic_requirements
        # Attestations are strict booleans, so a falsy answer is False or missing.
        if given is not None and all(map(given.get, keys)):
            return passed()
        answers = {k: (given.get(k) if given is not None else None) for k in keys}
        failed = [k for k in keys if answers[k] is False]
        if failed:
            return emit(
                Status.failed,
                f"不满足基础要求{item}：" + "、".join(names[k] for k in failed),
                f"Basic requirement {item} not met: " + "; ".join(names_en[k] for k in failed),
                expected=expected,
                actual=answers,
                field=f"facts.basic_requirements.{failed[0]}",
            )
        unanswered = [k for k in keys if answers[k] is None]
        return emit.missing(
            f"facts.basic_requirements.{unanswered[0]}",
            f"基础要求{item}中的" + "、".join(names[k] for k in unanswered),
            f"Basic requirement {item}: " + "; ".join(names_en[k] for k in unanswered),
            expected=expected,
        )

    return RuleSpec(rid, requirement.clause, Severity.error, requirement.text, check)
