"""What the review service says comes back as events: shown on the declaration, and a return
for revision reopens it for the enterprise."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from review_said import deliver, status_changed, submitted


async def test_the_review_status_is_shown_to_the_enterprise(client, issuer, enterprise) -> None:
    did = await submitted(client, enterprise)
    now = datetime.now(UTC)
    assert (await deliver(client, issuer, status_changed(did, at=now))).status_code == 200
    read = (await client.get(f"/v1/declarations/{did}", headers=enterprise)).json()
    assert read["review_status"]["status"] == "awaiting_initial_review"
    assert read["review_status"]["event"] == "received"
    # A status older than the one shown (redelivered late) changes nothing.
    late = status_changed(did, at=now - timedelta(minutes=5), status="something_old", event="x")
    assert (await deliver(client, issuer, late)).status_code == 200
    again = (await client.get(f"/v1/declarations/{did}", headers=enterprise)).json()
    assert again["review_status"]["status"] == "awaiting_initial_review"


async def test_a_return_for_revision_reopens_the_declaration(client, issuer, enterprise) -> None:
    did = await submitted(client, enterprise)
    returned = status_changed(
        did, event="returned_for_revision", status="returned", reason="场景实例描述不完整"
    )
    assert (await deliver(client, issuer, returned)).status_code == 200
    read = await client.get(f"/v1/declarations/{did}", headers=enterprise)
    assert read.json()["status"] == "returned"
    history = (await client.get(f"/v1/declarations/{did}/history", headers=enterprise)).json()
    assert (history[-1]["event"], history[-1]["reason"], history[-1]["actor"]) == (
        "return_for_revision",
        "场景实例描述不完整",
        "service:review",
    )
    facts = {**read.json()["facts"], "summary": "补充后的建设概述"}
    edited = await client.patch(
        f"/v1/declarations/{did}",
        json={"facts": facts},
        headers={**enterprise, "If-Match": read.headers["etag"]},
    )
    assert edited.status_code == 200, edited.text
    again = await client.post(
        f"/v1/declarations/{did}/submit",
        headers={**enterprise, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert again.status_code == 200, again.text
    assert again.json()["current_version"] == 2
    # A status about version 1 arriving now is stale: version 2 is under review.
    stale = status_changed(did, version=1, status="something_old")
    assert (await deliver(client, issuer, stale)).status_code == 200
    final = (await client.get(f"/v1/declarations/{did}", headers=enterprise)).json()
    assert final["review_status"]["event"] == "returned_for_revision"


async def test_only_services_post_events_and_bad_payloads_are_refused(
    client, issuer, enterprise
) -> None:
    did = await submitted(client, enterprise)
    refused = await client.post("/internal/events", json=status_changed(did), headers=enterprise)
    assert refused.status_code == 403
    broken = status_changed(did)
    del broken["payload"]["version"]
    resp = await deliver(client, issuer, broken)
    assert resp.status_code == 422
    assert resp.json()["error"]["code"] == "invalid_event_payload"


async def test_a_status_forged_by_another_service_is_refused(client, issuer, enterprise) -> None:
    """Only the review service's own identity may say what the review did: the rules service's
    token (as `rules`, or pretending to be `review`) changes nothing."""
    did = await submitted(client, enterprise)
    forged = status_changed(did, status="published", event="published")
    as_itself = {**forged, "source": "rules"}
    pretending = await client.post(
        "/internal/events", json=forged, headers=issuer.service_headers("rules")
    )
    honest = await client.post(
        "/internal/events", json=as_itself, headers=issuer.service_headers("rules")
    )
    assert (pretending.status_code, pretending.json()["error"]["code"]) == (403, "wrong_producer")
    assert honest.status_code == 403
    read = (await client.get(f"/v1/declarations/{did}", headers=enterprise)).json()
    assert read["review_status"] is None


# The list events (review.list_submitted, review.list_published) write the register of
# recognised tiers: tests/recognitions/test_register.py.
