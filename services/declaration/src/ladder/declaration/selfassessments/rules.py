"""What the self-assessments take from the rules service (`rules_client`): the edition's forms
(the KPI table and 基础要求 1–4, for the import columns) and the facts a 基础级 evaluation is
given, and what of its findings is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ladder.declaration.rules_client import MAX_BATCH, RulesClient

TIER = "basic"
__all__ = ["MAX_BATCH", "TIER", "EditionForms", "facts_of", "forms", "kept_findings"]
MAX_FINDINGS = 20  # findings kept per self-assessment (those that did not pass)
_FINDING_KEYS = ("rule_id", "clause", "severity", "status", "field", "message", "message_en")


@dataclass(frozen=True)
class Indicator:
    key: str
    name: str
    unit: str | None


@dataclass(frozen=True)
class Requirement:
    """基础要求 item (1–4): attested as a whole in the import, by its facts in the form."""

    item: int
    key: str
    facts: tuple[str, ...]
    names: tuple[str, ...]


@dataclass(frozen=True)
class EditionForms:
    edition: str
    indicators: tuple[Indicator, ...]
    requirements: tuple[Requirement, ...]


async def forms(rules: RulesClient, edition: str) -> EditionForms:
    body = await rules.edition(edition)
    return EditionForms(
        edition=edition,
        indicators=tuple(
            Indicator(i.key, i.name or i.key, i.unit) for i in body.kpi_table.indicators
        ),
        requirements=tuple(
            Requirement(
                item=r.item,
                key=r.key,
                facts=tuple(f.key for f in r.facts),
                names=tuple(f.name or f.key for f in r.facts),
            )
            for r in body.basic_requirements
        ),
    )


def facts_of(
    *,
    cmmm_level: int,
    segments: list[str],
    attestations: dict[str, bool] | None,
    kpis: dict[str, float | None] | None,
) -> dict[str, Any]:
    """The facts a 基础级 self-assessment gives the rules. What was not given is left out, so
    the rules answer `not_provided` (outcome incomplete) rather than guess."""
    facts: dict[str, Any] = {"cmmm_level": cmmm_level, "segments": segments}
    if attestations:
        facts["basic_requirements"] = attestations
    if kpis:
        facts["kpis"] = kpis
    return facts


def kept_findings(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The findings that did not pass, trimmed to what a reader needs, at most MAX_FINDINGS."""
    return [{k: f.get(k) for k in _FINDING_KEYS} for f in findings if not f.get("passed", False)][
        :MAX_FINDINGS
    ]
