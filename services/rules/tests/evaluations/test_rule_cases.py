"""The rule cases in `cases/<edition>.yaml`, run through the evaluation service (no database)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from ladder.rules import rules
from ladder.rules.editions.catalogue import catalogue
from ladder.rules.evaluations import service
from ladder.rules.evaluations.schemas import EvaluationRequest
from ladder.rules.vocabulary import Tier

CASES_DIR = Path(__file__).parents[1] / "cases"


def load_cases() -> list[tuple[str, dict[str, Any]]]:
    """(edition id, case) for every case of every case file."""
    out = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        out.extend((str(data["edition"]), case) for case in data["cases"])
    return out


CASES = load_cases()
RULE_IDS = {"cmmm.level", "segments.coverage"}


@pytest.mark.parametrize(("edition", "case"), CASES, ids=[f"{e}: {c['name']}" for e, c in CASES])
def test_case(edition: str, case: dict[str, Any]) -> None:
    request = EvaluationRequest.model_validate(
        {"edition": edition, "tier": case["tier"], "facts": case["facts"], "explain": "full"}
    )
    result = service.evaluate(request)
    assert result.edition == edition
    assert result.eligible is case["eligible"]
    failing = sorted(f.rule_id for f in result.findings if not f.passed)
    assert failing == sorted(case["failing"])
    assert {f.rule_id for f in result.findings} == RULE_IDS


def test_every_edition_has_cases() -> None:
    assert {e for e, _ in CASES} == set(catalogue().ids)


@pytest.mark.parametrize("edition", catalogue().ids)
@pytest.mark.parametrize("tier", list(Tier))
def test_every_rule_is_flipped_for_every_tier(edition: str, tier: Tier) -> None:
    """Each rule has, per edition and tier, a case where it passes and one where it fails."""
    cases = [c for e, c in CASES if e == edition and c["tier"] == tier.value]
    assert any(not c["failing"] for c in cases), "no case that passes every rule"
    for rule_id in RULE_IDS:
        assert any(rule_id in c["failing"] for c in cases), f"no case failing {rule_id}"


def test_rule_ids_in_cases_are_real() -> None:
    named = {r for _, c in CASES for r in c["failing"]}
    assert named <= RULE_IDS
    assert len(rules.RULES) == len(RULE_IDS)
