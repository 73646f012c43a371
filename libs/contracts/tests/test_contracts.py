"""The event contracts: committed JSON Schemas match the models, and each example is valid."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema_rs
import pytest

from ladder.contracts import CONTRACTS, contract_for
from ladder.contracts.export import documents

ROOT = Path(__file__).resolve().parents[3]
EVENTS = ROOT / "docs" / "events"


def test_committed_schemas_are_current() -> None:
    """Regenerate with `python -m ladder.contracts.export` when a payload model changes."""
    wanted = documents()
    committed = {p.name: p.read_text(encoding="utf-8") for p in EVENTS.glob("*.json")}
    stale = sorted(n for n in wanted if committed.get(n) != wanted[n])
    extra = sorted(set(committed) - set(wanted))
    assert not stale and not extra, (
        f"docs/events is stale (run `python -m ladder.contracts.export`): "
        f"differs {stale}, not a contract {extra}"
    )


@pytest.mark.parametrize("topic", sorted(CONTRACTS))
def test_example_is_valid_against_the_published_schema(topic: str) -> None:
    contract = contract_for(topic)
    schema = json.loads((EVENTS / f"{topic}.v{contract.version}.schema.json").read_text())
    jsonschema_rs.Draft202012Validator(schema).validate(contract.example.model_dump(mode="json"))


def test_a_payload_breaking_the_contract_is_refused_by_the_schema() -> None:
    contract = contract_for("declaration.submitted")
    body = contract.example.model_dump(mode="json")
    body["fingerprint"] = "not-a-sha"
    with pytest.raises(jsonschema_rs.ValidationError):
        jsonschema_rs.Draft202012Validator(contract.schema()).validate(body)


def test_unknown_fields_are_ignored_so_producers_may_add_one() -> None:
    contract = contract_for("review.status_changed")
    body = {**contract.example.model_dump(mode="json"), "added_later": 1}
    assert contract.model.model_validate(body) == contract.example
