"""The public webhook event types: committed JSON Schemas match the models, each example is
valid against its schema wrapped in the message envelope, and `message` refuses data that
breaks its type."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import jsonschema_rs
import pytest
from pydantic import ValidationError

from ladder.contracts.export import webhook_documents
from ladder.contracts.webhooks import PUBLIC_TYPES, CaseStatusChanged, message

ROOT = Path(__file__).resolve().parents[3]
WEBHOOKS = ROOT / "docs" / "webhooks"
# The issue's list of public event types (issue 16 item 3).
REQUIRED = {
    "declaration.submitted",
    "declaration.withdrawn",
    "declaration.returned",
    "case.status_changed",
    "list.submitted",
    "decision.published",
    "publicity.opened",
    "publicity.closed",
    "cultivation.started",
    "cultivation.reminded",
    "cultivation.accepted",
    "cultivation.expired",
}


def test_committed_webhook_schemas_are_current() -> None:
    wanted = webhook_documents()
    committed = {p.name: p.read_text(encoding="utf-8") for p in WEBHOOKS.glob("*.json")}
    stale = sorted(n for n in wanted if committed.get(n) != wanted[n])
    extra = sorted(set(committed) - set(wanted))
    assert not stale and not extra, (
        f"docs/webhooks is stale (run `python -m ladder.contracts.export`): "
        f"differs {stale}, not a type {extra}"
    )


def test_every_public_type_the_issue_names_is_published() -> None:
    assert REQUIRED <= set(PUBLIC_TYPES)


@pytest.mark.parametrize("name", sorted(PUBLIC_TYPES))
def test_a_message_of_each_example_is_valid_against_the_published_schemas(name: str) -> None:
    public = PUBLIC_TYPES[name]
    body = message(name, uuid.uuid4(), datetime.now(UTC), public.example)
    envelope = json.loads((WEBHOOKS / "message.schema.json").read_text())
    jsonschema_rs.Draft202012Validator(envelope).validate(body)
    schema = json.loads((WEBHOOKS / f"{name}.v{public.version}.schema.json").read_text())
    jsonschema_rs.Draft202012Validator(schema).validate(body["data"])
    assert body["type"] == name and body["version"] == public.version


def test_data_breaking_its_type_is_refused() -> None:
    bad = CaseStatusChanged.model_construct(
        **{**PUBLIC_TYPES["case.status_changed"].example.model_dump(), "region_code": "x"}
    )
    with pytest.raises(ValidationError):
        message("case.status_changed", uuid.uuid4(), datetime.now(UTC), bad)
