"""The quota cases in `cases/quotas/<campaign>.yaml`, computed without a database, and a check
that they reach every branch of the policy they test."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from ladder.kit.errors import LadderError
from ladder.rules.quotas import compute, units
from ladder.rules.quotas.compute import Reference
from ladder.rules.quotas.policy import ExemptionKey, QuotaPolicy, policies
from ladder.rules.quotas.schemas import CandidateIn, QuotaAnswer, UsageAnswer
from ladder.rules.quotas.units import UnitKind
from ladder.rules.quotas.usage import usage as quota_usage
from ladder.rules.reference.kinds import DatasetKind
from ladder.rules.reference.schemas import RowIn
from ladder.rules.reference.validation import check_rows
from ladder.rules.vocabulary import Tier

CASES_DIR = Path(__file__).parents[1] / "cases" / "quotas"


def _load() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(campaign, reference tables by name, case) for every case of every file."""
    out = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        out.extend((str(data["campaign"]), data["references"], case) for case in data["cases"])
    return out


CASES = _load()


def _reference(tables: dict[str, Any], name: str | None) -> Reference | None:
    if name is None:
        return None
    table = tables[name]
    kind = DatasetKind(table["kind"])
    rows = [RowIn(region=str(r), value=v) for r, v in table["rows"].items()]
    check_rows(kind, rows)  # the cases use tables an upload would accept
    return Reference(
        dataset_id=uuid.uuid5(uuid.NAMESPACE_URL, name),
        kind=kind,
        year=table["year"],
        version=1,
        source_note=f"test table {name}",
        sample=False,
        values={r.region: r.value for r in rows},
    )


@dataclass
class Outcome:
    """What one case did, for the coverage check."""

    tier: Tier
    unit_kind: UnitKind
    answer: QuotaAnswer | None = None
    error: LadderError | None = None
    exempted: set[str] = field(default_factory=set)


def run(campaign: str, tables: dict[str, Any], case: dict[str, Any]) -> Outcome:
    policy = policies().get(campaign)
    assert policy is not None
    tier = Tier(case["tier"])
    unit = units.parse(str(case["unit"]))
    reference = _reference(tables, case.get("reference"))
    province = unit.province.code if unit.province else None
    try:
        kind = units.within(unit, policy.overlay_for(province) if province else None).kind
    except LadderError:
        kind = unit.kind
    outcome = Outcome(tier, kind)
    try:
        answer = compute.quota(policy, tier, unit, reference)
        if "candidates" in case:
            raw = case["candidates"]
            candidates = [
                CandidateIn(id=c["id"], enterprise_uscc=f"91310115MA1K{i:06d}")
                for i, c in enumerate(raw)
            ]
            registered = {
                cand.enterprise_uscc: uuid.uuid4()
                for cand, c in zip(candidates, raw, strict=True)
                if c.get("jiebang_registered")
            }
            answer = quota_usage(answer, candidates, {ExemptionKey.jiebang_accepted: registered})
            outcome.exempted = {c.exemption.value for c in answer.candidates if c.exemption}
        outcome.answer = answer
    except LadderError as exc:
        outcome.error = exc
    return outcome


@pytest.mark.parametrize(
    ("campaign", "tables", "case"), CASES, ids=[f"{c}: {case['name']}" for c, _, case in CASES]
)
def test_case(campaign: str, tables: dict[str, Any], case: dict[str, Any]) -> None:
    outcome = run(campaign, tables, case)
    if "error" in case:
        assert outcome.error is not None, "expected an error"
        assert outcome.error.code == case["error"]["code"]
        if "region" in case["error"]:
            assert outcome.error.details["region"] == case["error"]["region"]
        return
    assert outcome.error is None, outcome.error and outcome.error.body()
    answer = outcome.answer
    assert answer is not None
    expect = case["expect"]
    assert answer.limit == expect["limit"]
    assert answer.level.value == expect["level"]
    assert answer.unit.kind.value == expect["unit_kind"]
    assert answer.unit.requested == str(case["unit"])
    assert answer.quota_unit.code == str(expect["quota_unit"])
    if "derivation" in expect:
        steps = [[s.step, s.clause, s.value] for s in answer.derivation]
        assert steps == expect["derivation"]
    assert all(s.text and s.text_en for s in answer.derivation)
    if "exemptions" in expect:
        assert [e.key.value for e in answer.exemptions] == expect["exemptions"]
    assert (answer.reference is None) == (case.get("reference") is None or answer.level == "local")
    if "counted" in expect:
        assert isinstance(answer, UsageAnswer)
        for name in ("counted", "exempt", "remaining", "within_quota"):
            assert getattr(answer, name) == expect[name], name
        assert [c.reason.value for c in answer.candidates] == expect["reasons"]


def test_every_campaign_has_cases() -> None:
    assert {c for c, _, _ in CASES} == set(policies().campaigns)


def _branches(policy: QuotaPolicy) -> set[str]:
    """Every branch of a policy a case must reach."""
    out = set()
    for tier, rule in policy.national.tiers.items():
        for band in rule.basis.bands:
            out.add(f"{tier.value}: {rule.basis.kind.value} = {band.min} → {band.limit}")
            if band.max is not None:
                out.add(f"{tier.value}: {rule.basis.kind.value} = {band.max} → {band.limit}")
        for kind in ("xpcc", "central_soe", "separately_planned_city", "city"):
            out.add(f"{tier.value}: unit {kind}")
    for overlay in policy.local:
        for tier, local in overlay.tiers.items():
            out.add(f"{tier.value}: {overlay.id} district → {local.limit}")
            for exemption in local.exemptions:
                out.add(f"{tier.value}: {overlay.id} exempts {exemption.key.value}")
    return out


def _reached(policy: QuotaPolicy, outcome: Outcome) -> set[str]:
    tier, answer = outcome.tier.value, outcome.answer
    out = {f"{tier}: unit {outcome.unit_kind.value}"}
    if answer is None:
        return out
    steps = {s.step: s for s in answer.derivation}
    rule = policy.national.tiers.get(outcome.tier)
    if rule is not None and "band" in steps and steps["reference"].value is not None:
        kind = rule.basis.kind.value
        out.add(f"{tier}: {kind} = {steps['reference'].value} → {answer.limit}")
    if answer.level == "local":
        out.add(f"{tier}: {answer.policy.id} district → {answer.limit}")
        out |= {f"{tier}: {answer.policy.id} exempts {key}" for key in outcome.exempted}
    return out


@pytest.mark.parametrize("campaign", policies().campaigns)
def test_every_branch_has_a_case(campaign: str) -> None:
    """Each band at both of its edges, each special unit in each tier, each local cap and
    each exemption is reached by some case."""
    policy = policies().get(campaign)
    assert policy is not None
    reached: set[str] = set()
    for c, tables, case in CASES:
        if c == campaign:
            reached |= _reached(policy, run(c, tables, case))
    missing = sorted(_branches(policy) - reached)
    assert not missing, f"branches without a case: {missing}"
