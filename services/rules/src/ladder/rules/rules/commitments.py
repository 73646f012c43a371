"""The commitments of the applicant: authenticity (真实性承诺) and no state or commercial
secrets in the material."""

from __future__ import annotations

from ladder.rules.editions.models import Commitment
from ladder.rules.rules.base import Context, Emit, Facts, Finding, RuleSpec
from ladder.rules.vocabulary import Severity, Status


def rule_id(commitment: Commitment) -> str:
    return f"commitment.{commitment.key}"


def build(ctx: Context) -> list[RuleSpec]:
    return [_build_one(ctx, c) for c in ctx.edition.commitments if ctx.tier in c.tiers]


def _build_one(ctx: Context, commitment: Commitment) -> RuleSpec:
    rid = rule_id(commitment)
    key, name, name_en = commitment.key, commitment.name, commitment.name_en
    field = f"facts.commitments.{key}"
    emit = Emit(rid, ctx.edition.id, commitment.clause, Severity.error)

    made_it = emit.constant(
        Status.passed,
        f"已作出{name}",
        f"Made the {name_en}",
        expected=True,
        actual=True,
        field=field,
    )
    refused = emit.constant(
        Status.failed,
        f"未作出{name}：{commitment.text}",
        f"The {name_en} is required",
        expected=True,
        actual=False,
        field=field,
    )
    unanswered = emit.missing(field, name, name_en.capitalize(), expected=True).copy

    def check(facts: Facts) -> Finding:
        given = facts.given.commitments
        made = given.get(key) if given is not None else None
        if made is None:
            return unanswered()
        return made_it() if made else refused()

    return RuleSpec(rid, commitment.clause, Severity.error, commitment.text, check)
