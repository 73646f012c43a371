"""The rule cases in `cases/<edition>.yaml`, run through the evaluation service (no database).

Besides running each case, these tests hold the case files to their promise: every rule of
every edition (and of every overlay) has a case where it passes and one where it fails.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from ladder.rules import rules
from ladder.rules.editions.catalogue import catalogue
from ladder.rules.errors import NotInCatalogue
from ladder.rules.evaluations import service
from ladder.rules.evaluations.schemas import EvaluationRequest
from ladder.rules.overlays.catalogue import overlays
from ladder.rules.vocabulary import Tier

CASES_DIR = Path(__file__).parents[1] / "cases"


def _merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _unset(facts: dict[str, Any], paths: list[str]) -> dict[str, Any]:
    for path in paths:
        *parents, last = path.split(".")
        target = facts
        for p in parents:
            target = target[p]
        del target[last]
    return facts


def build_facts(bases: dict[str, Any], case: dict[str, Any]) -> dict[str, Any]:
    facts = _unset(copy.deepcopy(bases[case["tier"]]), case.get("unset", []))
    return _merge(facts, case.get("facts", {}))


def load_cases() -> list[tuple[str, dict[str, Any]]]:
    """(edition id, case with its facts built) for every case of every case file."""
    out = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in data["cases"]:
            out.append((str(data["edition"]), {**case, "built": build_facts(data["bases"], case)}))
    return out


CASES = load_cases()
EVALUATED = [(e, c) for e, c in CASES if "error" not in c]
REFUSED = [(e, c) for e, c in CASES if "error" in c]


def _request(edition: str, case: dict[str, Any]) -> EvaluationRequest:
    return EvaluationRequest.model_validate(
        {
            "edition": edition,
            "tier": case["tier"],
            "facts": case["built"],
            "jurisdiction": case.get("jurisdiction"),
            "explain": "full",
        }
    )


@pytest.mark.parametrize(
    ("edition", "case"), EVALUATED, ids=[f"{e}: {c['name']}" for e, c in EVALUATED]
)
def test_case(edition: str, case: dict[str, Any]) -> None:
    result = service.evaluate(_request(edition, case))
    assert result["edition"] == edition
    not_passed = {f["rule_id"]: f["status"] for f in result["findings"] if not f["passed"]}
    assert not_passed == case["not_passed"]
    assert result["outcome"] == case["outcome"]
    assert result["eligible"] is (case["outcome"] == "eligible")
    if "overlays" in case:
        assert result["overlays"] == case["overlays"]
    shown = {f["rule_id"] for f in result["findings"]}
    assert not shown & set(case.get("absent", []))
    for finding in result["findings"]:
        assert finding["message"] and finding["message_en"] and finding["clause"]


@pytest.mark.parametrize(
    ("edition", "case"), REFUSED, ids=[f"{e}: {c['name']}" for e, c in REFUSED]
)
def test_refused_case(edition: str, case: dict[str, Any]) -> None:
    with pytest.raises(NotInCatalogue) as caught:
        service.evaluate(_request(edition, case))
    assert caught.value.code == case["error"]
    assert case["field"] in [f["field"] for f in caught.value.details["fields"]]


def test_every_edition_has_cases() -> None:
    assert {e for e, _ in CASES} == set(catalogue().ids)


def _rule_ids(edition_id: str) -> set[str]:
    """Every rule the edition and its overlays can produce, over all tiers."""
    edition = catalogue().get(edition_id)
    ids = set()
    for tier in Tier:
        local = tuple(o for o in overlays().overlays if edition_id in o.editions)
        ctx = rules.Context(edition, tier, local)
        ids |= {spec.rule_id for spec in rules.rules_for(ctx)}
    return ids


@pytest.mark.parametrize("edition", catalogue().ids)
def test_every_rule_passes_and_fails_in_some_case(edition: str) -> None:
    cases = [c for e, c in EVALUATED if e == edition]
    failing = {r for c in cases for r, status in c["not_passed"].items() if status == "failed"}
    # A rule passes in a case when it applies there and is not listed as not passing.
    passing = set()
    for case in cases:
        result = service.evaluate(_request(edition, case))
        passing |= {f["rule_id"] for f in result["findings"] if f["passed"]}
    every = _rule_ids(edition)
    assert every - failing == set(), "rules without a failing case"
    assert every - passing == set(), "rules without a passing case"


@pytest.mark.parametrize("edition", catalogue().ids)
@pytest.mark.parametrize("tier", list(Tier))
def test_cmmm_and_segments_flip_for_every_tier(edition: str, tier: Tier) -> None:
    cases = [c for e, c in EVALUATED if e == edition and c["tier"] == tier.value]
    assert any(not c["not_passed"] for c in cases), "no case that passes every rule"
    for rule_id in ("cmmm.level", "segments.coverage"):
        assert any(c["not_passed"].get(rule_id) == "failed" for c in cases), rule_id


def test_rule_ids_in_cases_are_real() -> None:
    every = set().union(*(_rule_ids(e) for e in catalogue().ids))
    named = {r for _, c in EVALUATED for r in c["not_passed"]} | {
        r for _, c in EVALUATED for r in c.get("absent", [])
    }
    assert named <= every
