"""What the review service would say: the events that tell this service where a case went."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime


async def routed(client, issuer, declaration_id: str, unit: str = "350000", version: int = 1):
    """Deliver the review service's `received` status naming the recommending unit (as the
    real service does when it opens the case), so the unit's authorities may read it."""
    at = datetime.now(UTC).isoformat()
    event = {
        "event_id": str(uuid.uuid4()),
        "topic": "review.status_changed",
        "source": "review",
        "occurred_at": at,
        "payload": {
            "declaration_id": declaration_id,
            "version": version,
            "event": "received",
            "status": "awaiting_initial_review",
            "at": at,
            "recommending_unit": unit,
        },
    }
    resp = await client.post(
        "/internal/events", json=event, headers=issuer.service_headers("review")
    )
    assert resp.status_code == 200, resp.text
