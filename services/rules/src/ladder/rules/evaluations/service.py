"""Evaluating a factory's facts against an edition's rules for one tier."""

from __future__ import annotations

from datetime import date

from ladder.rules import rules
from ladder.rules.editions import service as editions
from ladder.rules.editions.catalogue import Edition
from ladder.rules.errors import UnknownSegment
from ladder.rules.evaluations.schemas import EvaluationRequest, EvaluationResult, Explain, FactsIn


def evaluate(request: EvaluationRequest, *, on: date | None = None) -> EvaluationResult:
    edition = editions.for_evaluation(request.edition, on)
    facts = _facts(edition, request.facts)
    findings = rules.evaluate(edition, request.tier, facts)
    shown = findings if request.explain is Explain.full else [f for f in findings if not f.passed]
    return EvaluationResult(
        edition=edition.id,
        tier=request.tier,
        eligible=rules.is_eligible(findings),
        findings=shown,
    )


def _facts(edition: Edition, data: FactsIn) -> rules.Facts:
    known = edition.segment_names
    unknown = [(f"facts.segments[{i}]", s) for i, s in enumerate(data.segments) if s not in known]
    if unknown:
        raise UnknownSegment(edition.id, unknown, list(known))
    return rules.Facts(cmmm_level=data.cmmm_level, segments=frozenset(data.segments))
