"""The rules of 要素条件 and of local overlays, and how their findings decide the outcome.

Every rule has a stable id and cites the clause it implements (from the edition's or the
overlay's data). Add a rule by writing a module with `build(ctx) -> list[RuleSpec]` and
listing it in `BUILDERS`; the order there is the order of the findings.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from ladder.rules.rules import (
    ai_share,
    applicant,
    basic,
    cmmm,
    commitments,
    kpis,
    local,
    materials,
    prerequisite,
    segments,
)
from ladder.rules.rules.base import Context, Facts, Finding, RuleSpec
from ladder.rules.vocabulary import Outcome, Severity, Status

BUILDERS: tuple[Callable[[Context], list[RuleSpec]], ...] = (
    applicant.build,
    basic.build,
    cmmm.build,
    prerequisite.build,
    segments.build,
    ai_share.build,
    kpis.build,
    materials.build,
    commitments.build,
    local.build,
)

# Keyed by the edition's identity (held, so the id is not reused) with tier and overlays.
_ERROR, _FAILED, _NOT_PROVIDED = Severity.error, Status.failed, Status.not_provided

_compiled: dict[tuple[int, str, tuple[str, ...]], tuple[object, tuple[RuleSpec, ...]]] = {}
_lock = threading.Lock()
# The same for a context object seen before (contexts are cached by the evaluation service).
_by_context: dict[int, tuple[Context, tuple[RuleSpec, ...]]] = {}
_checks_by_context: dict[int, tuple[Context, tuple[Callable[[Facts], Finding | None], ...]]] = {}


def rules_for(ctx: Context) -> tuple[RuleSpec, ...]:
    """The rules that apply under `ctx`, built once per (edition, tier, overlays)."""
    seen = _by_context.get(id(ctx))
    if seen is not None and seen[0] is ctx:
        return seen[1]
    specs = _rules_for(ctx)
    if len(_by_context) < 50_000:
        _by_context[id(ctx)] = (ctx, specs)
    return specs


def _rules_for(ctx: Context) -> tuple[RuleSpec, ...]:
    key = (id(ctx.edition), ctx.tier.value, tuple(o.id for o in ctx.overlays))
    entry = _compiled.get(key)
    if entry is None or entry[0] is not ctx.edition:
        with _lock:
            entry = _compiled.get(key)
            if entry is None or entry[0] is not ctx.edition:
                entry = (ctx.edition, tuple(spec for build in BUILDERS for spec in build(ctx)))
                _compiled[key] = entry
    return entry[1]


def evaluate(ctx: Context, facts: Facts) -> list[Finding]:
    """Every applicable rule's finding, in the order of `BUILDERS`."""
    return [f for check in checks_for(ctx) if (f := check(facts)) is not None]


def checks_for(ctx: Context) -> tuple[Callable[[Facts], Finding | None], ...]:
    """Just the check functions of `rules_for(ctx)`, in order (the evaluation's inner loop)."""
    seen = _checks_by_context.get(id(ctx))
    if seen is not None and seen[0] is ctx:
        return seen[1]
    checks = tuple(spec.check for spec in rules_for(ctx))
    if len(_checks_by_context) < 50_000:
        _checks_by_context[id(ctx)] = (ctx, checks)
    return checks


def outcome(findings: list[Finding]) -> Outcome:
    """Ineligible when an error-severity rule failed; incomplete when none failed but one could
    not be checked for want of facts; eligible otherwise. Warnings and infos never bar."""
    incomplete = False
    for f in findings:
        if f["severity"] is _ERROR:
            status = f["status"]
            if status is _FAILED:
                return Outcome.ineligible
            if status is _NOT_PROVIDED:
                incomplete = True
    return Outcome.incomplete if incomplete else Outcome.eligible


def is_eligible(findings: list[Finding]) -> bool:
    return outcome(findings) is Outcome.eligible


__all__ = [
    "BUILDERS",
    "Context",
    "Facts",
    "Finding",
    "RuleSpec",
    "evaluate",
    "is_eligible",
    "outcome",
    "rules_for",
]
