"""What the self-assessments ask of the rules service: the edition's forms (the KPI table and
基础要求 1–4, for the import columns; the edition is read once, by `catalogue_client`) and
基础级 evaluations, one at a time or in batches.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx

from ladder.declaration import catalogue_client
from ladder.declaration.selfassessments.errors import RulesRefused
from ladder.kit.errors import UpstreamError
from ladder.kit.http import call_json

TIER = "basic"
MAX_BATCH = 5000  # the rules service's batch limit
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


async def forms(rules: httpx.AsyncClient, edition: str) -> EditionForms:
    body = (await catalogue_client.edition(rules, edition)).raw
    return EditionForms(
        edition=edition,
        indicators=tuple(
            Indicator(i["key"], i.get("name") or i["key"], i.get("unit"))
            for i in body["kpi_table"]["indicators"]
        ),
        requirements=tuple(
            Requirement(
                item=r["item"],
                key=r["key"],
                facts=tuple(f["key"] for f in r["facts"]),
                names=tuple(f.get("name") or f["key"] for f in r["facts"]),
            )
            for r in body["basic_requirements"]
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


async def evaluate(
    rules: httpx.AsyncClient, *, edition: str, facts: dict[str, Any], jurisdiction: str
) -> dict[str, Any]:
    """One evaluation; a refusal (422: a name the edition does not know) is `RulesRefused`."""
    body = {
        "edition": edition,
        "tier": TIER,
        "facts": facts,
        "jurisdiction": jurisdiction,
        "explain": "failures",
    }
    resp = await call_json(rules, "POST", "/v1/evaluations", dependency="rules", json=body)
    if resp.status_code == 422:
        raise RulesRefused.from_rules(_json(resp))
    if resp.status_code != 200:
        raise _refused_call(resp)
    return resp.json()


async def evaluate_batch(
    rules: httpx.AsyncClient, *, edition: str, items: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """≤ MAX_BATCH items `{ref, facts, jurisdiction}` → one `{result}` or `{error}` each, in
    order."""
    assert len(items) <= MAX_BATCH
    payload = {
        "edition": edition,
        "explain": "failures",
        "items": [{**item, "tier": TIER} for item in items],
    }
    resp = await call_json(
        rules,
        "POST",
        "/v1/evaluations/batch",
        dependency="rules",
        content=json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode(),
        headers={"Content-Type": "application/json"},
    )
    if resp.status_code != 200:
        raise _refused_call(resp)
    results = resp.json()["results"]
    if len(results) != len(items):
        raise UpstreamError(
            "规则服务的批量评估结果条数不符",
            "The rules service answered a batch with the wrong number of results",
            details={"dependency": "rules", "sent": len(items), "answered": len(results)},
        )
    return results


def _refused_call(resp: httpx.Response) -> UpstreamError:
    return UpstreamError(
        "规则服务拒绝了评估请求",
        "The rules service refused the evaluation request",
        details={"dependency": "rules", "status": resp.status_code, "answer": _json(resp)},
    )


def _json(resp: httpx.Response) -> Any:
    try:
        return resp.json()
    except ValueError:
        return resp.text[:500]
