"""The 领航级 cultivation comes back as events: the enterprise sees its status, the period end,
a return's reason and the last reminder; late events change nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from review_said import cultivation_changed, deliver, envelope, submitted

from ladder.contracts.registry import contract_for
from ladder.contracts.review import CULTIVATION_TOPICS


async def _shown(client, enterprise, did) -> dict | None:
    return (await client.get(f"/v1/declarations/{did}", headers=enterprise)).json()[
        "cultivation_status"
    ]


async def test_the_cultivation_is_mirrored_for_the_enterprise(client, issuer, enterprise):
    did = await submitted(client, enterprise)
    assert await _shown(client, enterprise, did) is None
    t0 = datetime.now(UTC)
    for event in (
        cultivation_changed(did, "started", "cultivating", t0),
        cultivation_changed(
            did,
            "reminder",
            "cultivating",
            t0 + timedelta(seconds=1),
            days_before=90,
            deadline="2027-11-20T16:00:00+00:00",
        ),
        cultivation_changed(
            did,
            "application_returned",
            "cultivating",
            t0 + timedelta(seconds=2),
            reason="请补充第三方测评报告",
        ),
    ):
        assert (await deliver(client, issuer, event)).status_code == 200
    shown = await _shown(client, enterprise, did)
    assert (shown["status"], shown["event"], shown["period_end"]) == (
        "cultivating",
        "application_returned",
        "2027-11-21",
    )
    assert shown["reason"] == "请补充第三方测评报告"
    assert shown["reminder"]["days_before"] == 90  # still running: the reminder still applies

    # A late event (older than the one shown) changes nothing.
    late = cultivation_changed(did, "started", "cultivating", t0 - timedelta(minutes=5))
    assert (await deliver(client, issuer, late)).status_code == 200
    assert (await _shown(client, enterprise, did))["event"] == "application_returned"

    ended = cultivation_changed(did, "accepted", "accepted", t0 + timedelta(seconds=3))
    assert (await deliver(client, issuer, ended)).status_code == 200
    shown = await _shown(client, enterprise, did)
    assert (shown["status"], shown["reminder"]) == ("accepted", None)


async def test_a_malformed_cultivation_event_is_422_and_kept_for_retry(client, issuer, enterprise):
    did = await submitted(client, enterprise)
    bad = cultivation_changed(did, "started", "cultivating", datetime.now(UTC))
    del bad["payload"]["period_end"]
    resp = await deliver(client, issuer, bad)
    assert resp.status_code == 422
    assert resp.json()["error"]["code"] == "invalid_event_payload"
    assert await _shown(client, enterprise, did) is None


@pytest.mark.parametrize("topic", CULTIVATION_TOPICS)
async def test_each_cultivation_topic_of_the_contract_is_mirrored(
    client, issuer, enterprise, topic
):
    """Every topic the review service's contract sends here, from its own example."""
    did = await submitted(client, enterprise)
    example = contract_for(topic).example
    payload = example.model_copy(update={"declaration_id": uuid.UUID(did)})
    resp = await deliver(client, issuer, envelope(topic, payload, datetime.now(UTC)))
    assert (resp.status_code, resp.json()["status"]) == (200, "accepted"), resp.text
    shown = await _shown(client, enterprise, did)
    assert (shown["event"], shown["status"]) == (example.event, example.status)
