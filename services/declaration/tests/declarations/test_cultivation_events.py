"""The 领航级 cultivation comes back as events: the enterprise sees its status, the period end,
a return's reason and the last reminder; late events change nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from test_review_events import _deliver, _submitted


def _cultivation(did: str, topic: str, status: str, at: datetime, **extra) -> dict:
    return {
        "event_id": str(uuid.uuid4()),
        "topic": f"cultivation.{topic}",
        "source": "review",
        "occurred_at": at.isoformat(),
        "payload": {
            "declaration_id": did,
            "enterprise_uscc": "91350102MA2Y00001E",
            "event": extra.pop("event", topic),
            "status": status,
            "period_end": "2027-11-21",
            "at": at.isoformat(),
            **extra,
        },
    }


async def _shown(client, enterprise, did) -> dict | None:
    return (await client.get(f"/v1/declarations/{did}", headers=enterprise)).json()[
        "cultivation_status"
    ]


async def test_the_cultivation_is_mirrored_for_the_enterprise(client, issuer, enterprise):
    did = await _submitted(client, enterprise)
    assert await _shown(client, enterprise, did) is None
    t0 = datetime.now(UTC)
    for event in (
        _cultivation(did, "started", "cultivating", t0),
        _cultivation(
            did,
            "reminder",
            "cultivating",
            t0 + timedelta(seconds=1),
            days_before=90,
            deadline="2027-11-20T16:00:00+00:00",
        ),
        _cultivation(
            did,
            "application_returned",
            "cultivating",
            t0 + timedelta(seconds=2),
            reason="请补充第三方测评报告",
        ),
    ):
        assert (await _deliver(client, issuer, event)).status_code == 200
    shown = await _shown(client, enterprise, did)
    assert (shown["status"], shown["event"], shown["period_end"]) == (
        "cultivating",
        "application_returned",
        "2027-11-21",
    )
    assert shown["reason"] == "请补充第三方测评报告"
    assert shown["reminder"]["days_before"] == 90  # still running: the reminder still applies

    # A late event (older than the one shown) changes nothing.
    late = _cultivation(did, "started", "cultivating", t0 - timedelta(minutes=5))
    assert (await _deliver(client, issuer, late)).status_code == 200
    assert (await _shown(client, enterprise, did))["event"] == "application_returned"

    ended = _cultivation(did, "accepted", "accepted", t0 + timedelta(seconds=3))
    assert (await _deliver(client, issuer, ended)).status_code == 200
    shown = await _shown(client, enterprise, did)
    assert (shown["status"], shown["reminder"]) == ("accepted", None)


async def test_a_malformed_cultivation_event_is_422_and_kept_for_retry(client, issuer, enterprise):
    did = await _submitted(client, enterprise)
    bad = _cultivation(did, "started", "cultivating", datetime.now(UTC))
    del bad["payload"]["period_end"]
    resp = await _deliver(client, issuer, bad)
    assert resp.status_code == 422
    assert resp.json()["error"]["code"] == "invalid_event_payload"
    assert await _shown(client, enterprise, did) is None
