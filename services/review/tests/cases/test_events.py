"""`declaration.submitted` → review case: intake, dedupe, resubmission, stale versions, bad
payloads, and who may post events."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid

import pytest

MINISTRY = {"role": "ministry"}


def fp(label: str) -> str:
    return hashlib.sha256(label.encode()).hexdigest()


async def _case(client, issuer, declaration_id: str) -> dict:
    resp = await client.get(f"/v1/cases/{declaration_id}", headers=issuer.headers("ministry"))
    assert resp.status_code == 200, resp.text
    return resp.json()


async def test_event_opens_a_case_awaiting_initial_review(client, issuer, make_event, deliver):
    event = make_event()
    resp = await deliver(event)
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"event_id": event["event_id"], "status": "accepted"}

    case = await _case(client, issuer, event["payload"]["declaration_id"])
    payload = event["payload"]
    for field in (
        "declaration_id",
        "tier",
        "campaign_year",
        "enterprise_uscc",
        "enterprise_name",
        "factory_name",
        "region_code",
        "version",
        "fingerprint",
    ):
        assert case[field] == payload[field], field
    assert case["status"] == "awaiting_initial_review"
    assert [h["event"] for h in case["history"]] == ["received"]
    received = case["history"][0]
    assert received["from_status"] is None
    assert received["to_status"] == "awaiting_initial_review"
    assert received["actor"] == "service:declaration"
    assert received["version"] == 1


async def test_same_event_twice_makes_one_case(client, issuer, make_event, deliver):
    event = make_event()
    assert (await deliver(event)).json()["status"] == "accepted"
    again = await deliver(event)
    assert again.status_code == 200
    assert again.json()["status"] == "duplicate"

    inbox = await client.get("/v1/inbox?held=false", headers=issuer.headers("ministry"))
    assert inbox.json()["total"] == 1
    case = await _case(client, issuer, event["payload"]["declaration_id"])
    assert len(case["history"]) == 1


async def test_only_services_may_post_events(client, issuer, make_event):
    event = make_event()
    enterprise = issuer.headers("enterprise", org=event["payload"]["enterprise_uscc"])
    forbidden = await client.post("/internal/events", json=event, headers=enterprise)
    assert forbidden.status_code == 403
    assert forbidden.json()["error"]["code"] == "forbidden"

    anonymous = await client.post("/internal/events", json=event)
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "unauthenticated"

    for role, kw in [("county", {"region": "350102"}), ("ministry", {})]:
        resp = await client.post("/internal/events", json=event, headers=issuer.headers(role, **kw))
        assert resp.status_code == 403, role

    inbox = await client.get("/v1/inbox?held=false", headers=issuer.headers("ministry"))
    assert inbox.json()["total"] == 0


async def test_resubmission_moves_the_case_to_the_newer_version(
    client, issuer, make_event, deliver
):
    first = make_event()
    declaration_id = first["payload"]["declaration_id"]
    await deliver(first)
    second = make_event(
        declaration_id=declaration_id,
        version=2,
        fingerprint=fp("v2"),
        tier="advanced",
        submitted_at="2025-07-10T09:30:00+08:00",
    )
    resp = await deliver(second)
    assert resp.json()["status"] == "accepted"

    case = await _case(client, issuer, declaration_id)
    assert case["version"] == 2
    assert case["fingerprint"] == fp("v2")
    assert case["tier"] == "advanced"
    assert case["status"] == "awaiting_initial_review"
    assert case["submitted_at"].startswith("2025-07-10T01:30:00")
    assert [
        (h["event"], h["from_status"], h["to_status"], h["version"]) for h in case["history"]
    ] == [
        ("received", None, "awaiting_initial_review", 1),
        ("resubmitted", "awaiting_initial_review", "awaiting_initial_review", 2),
    ]
    inbox = (await client.get("/v1/inbox?held=false", headers=issuer.headers("ministry"))).json()
    assert inbox["total"] == 1
    assert inbox["items"][0]["version"] == 2


async def test_an_older_version_arriving_late_changes_nothing(client, issuer, make_event, deliver):
    newer = make_event(version=3, fingerprint=fp("v3"))
    declaration_id = newer["payload"]["declaration_id"]
    await deliver(newer)
    for version in (2, 3):  # older, and the same version delivered under another event id
        late = make_event(declaration_id=declaration_id, version=version, fingerprint=fp("old"))
        resp = await deliver(late)
        assert resp.status_code == 200
        assert resp.json()["status"] == "accepted"

    case = await _case(client, issuer, declaration_id)
    assert case["version"] == 3
    assert case["fingerprint"] == fp("v3")
    assert [h["event"] for h in case["history"]] == ["received"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("region_code", "35010"),
        ("region_code", "abcdef"),
        ("tier", "gold"),
        ("version", 0),
        ("fingerprint", "not-a-sha256"),
        ("declaration_id", "42"),
        ("submitted_at", "2025-07-10T09:30:00"),  # no time zone
        ("enterprise_uscc", "123"),
        ("factory_name", ""),
        ("campaign_year", None),
    ],
)
async def test_bad_payload_is_refused_and_can_be_retried(
    client, issuer, make_event, deliver, caplog, field, value
):
    event = make_event(**{field: value})
    with caplog.at_level(logging.WARNING, logger="ladder.review.cases"):
        resp = await deliver(event)
    assert resp.status_code == 422, resp.text
    error = resp.json()["error"]
    assert error["code"] == "invalid_event_payload"
    assert error["details"]["event_id"] == event["event_id"]
    assert [f["field"] for f in error["details"]["fields"]] == [field]
    assert any("invalid payload" in r.getMessage() for r in caplog.records)

    # Nothing was recorded, not even the event id: the publisher's retry is processed.
    fixed = make_event(event_id=uuid.UUID(event["event_id"]))
    resp = await deliver(fixed)
    assert resp.json()["status"] == "accepted"
    inbox = await client.get("/v1/inbox?held=false", headers=issuer.headers("ministry"))
    assert inbox.json()["total"] == 1


async def test_missing_payload_field_is_refused(client, make_event, deliver):
    event = make_event()
    del event["payload"]["fingerprint"]
    resp = await deliver(event)
    assert resp.status_code == 422
    assert resp.json()["error"]["code"] == "invalid_event_payload"


async def test_unknown_payload_fields_are_tolerated(client, issuer, make_event, deliver):
    event = make_event(scenes=["生产作业—人机协同作业—示例"])
    assert (await deliver(event)).json()["status"] == "accepted"
    await _case(client, issuer, event["payload"]["declaration_id"])


async def test_concurrent_deliveries_make_one_case_at_the_newest_version(
    client, issuer, make_event, deliver
):
    first = make_event()
    declaration_id = first["payload"]["declaration_id"]
    events = [first] + [
        make_event(declaration_id=declaration_id, version=v, fingerprint=fp(f"v{v}"))
        for v in (2, 3)
    ]
    answers = await asyncio.gather(*(deliver(e) for e in [*events, first]))
    assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
    assert sorted(a.json()["status"] for a in answers) == ["accepted"] * 3 + ["duplicate"]

    inbox = (await client.get("/v1/inbox?held=false", headers=issuer.headers("ministry"))).json()
    assert inbox["total"] == 1
    case = await _case(client, issuer, declaration_id)
    assert case["version"] == 3
    assert case["fingerprint"] == fp("v3")
    assert case["history"][0]["event"] == "received"
    assert case["history"][-1]["version"] == 3


async def test_the_case_status_goes_back_to_the_declaration_service(
    clean_db, make_event, deliver
) -> None:
    """Opening the case and each resubmission queue `review.status_changed` for the
    declaration service in the same transaction; a late older version queues nothing."""
    import json

    import asyncpg

    first = make_event(version=1)
    assert (await deliver(first)).status_code == 200
    assert (
        await deliver(make_event(version=2, declaration_id=first["payload"]["declaration_id"]))
    ).status_code == 200
    assert (
        await deliver(make_event(version=1, declaration_id=first["payload"]["declaration_id"]))
    ).status_code == 200
    conn = await asyncpg.connect(clean_db.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        found = await conn.fetch(
            "SELECT topic, destination, payload FROM review.outbox ORDER BY id"
        )
    finally:
        await conn.close()
    rows = [{**r, "payload": json.loads(r["payload"])} for r in found]
    assert [(r["topic"], r["destination"]) for r in rows] == [
        ("review.status_changed", "declaration")
    ] * 2
    assert [(r["payload"]["event"], r["payload"]["version"]) for r in rows] == [
        ("received", 1),
        ("resubmitted", 2),
    ]
    assert rows[0]["payload"]["status"] == "awaiting_initial_review"
