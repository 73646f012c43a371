"""What the review service would say: the events it sends this service, built from the
producer's own payload models (`ladder.contracts.review`), so a change to a contract breaks
these tests rather than only the slow end-to-end ones."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from declaration_documents import document
from pydantic import BaseModel

from ladder.contracts.review import (
    CULTIVATION_PREFIX,
    EXPERT_ACCESS_CHANGED,
    REVIEW_STATUS_CHANGED,
    CultivationChanged,
    ExpertAccessChanged,
    StatusChanged,
)
from ladder.kit.testing import event_envelope

FACTORY_ID = "00000000-0000-4000-8000-000000000101"  # the seeded factory of the enterprise


def envelope(topic: str, payload: BaseModel, at: datetime) -> dict[str, Any]:
    """The event as the review service's outbox sends it."""
    return event_envelope(topic, payload, source="review", at=at)


def status_changed(
    declaration_id: str,
    *,
    version: int = 1,
    event: str = "received",
    status: str = "awaiting_initial_review",
    at: datetime | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """`review.status_changed` (`extra`: reason, recommending_unit)."""
    at = at or datetime.now(UTC)
    payload = StatusChanged(
        declaration_id=uuid.UUID(declaration_id),
        version=version,
        event=event,
        status=status,
        at=at,
        **extra,
    )
    return envelope(REVIEW_STATUS_CHANGED, payload, at)


def cultivation_changed(
    declaration_id: str, event: str, status: str, at: datetime, **extra: Any
) -> dict[str, Any]:
    """`cultivation.<event>` (`extra`: reason, days_before, deadline)."""
    payload = CultivationChanged(
        declaration_id=uuid.UUID(declaration_id),
        enterprise_uscc="91350102MA2Y00001E",
        event=event,
        status=status,
        period_end=date(2027, 11, 21),
        at=at,
        **extra,
    )
    return envelope(CULTIVATION_PREFIX + event, payload, at)


async def deliver(client, issuer, event: dict[str, Any]):
    """POST the event to this service as the review service."""
    return await client.post(
        "/internal/events", json=event, headers=issuer.service_headers("review")
    )


async def submitted(client, enterprise) -> str:
    """A 领航级 declaration of the seeded factory, drafted and submitted; its id."""
    body = {"factory_id": FACTORY_ID, "campaign_year": 2025, "tier": "pilot", "facts": document()}
    created = await client.post(
        "/v1/declarations", json=body, headers={**enterprise, "Idempotency-Key": uuid.uuid4().hex}
    )
    assert created.status_code == 201, created.text
    did = created.json()["id"]
    resp = await client.post(
        f"/v1/declarations/{did}/submit",
        headers={**enterprise, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert resp.status_code == 200, resp.text
    return did


async def routed(client, issuer, declaration_id: str, unit: str = "350000", version: int = 1):
    """Deliver the review service's `received` status naming the recommending unit (as the
    real service does when it opens the case), so the unit's authorities may read it."""
    resp = await deliver(
        client, issuer, status_changed(declaration_id, version=version, recommending_unit=unit)
    )
    assert resp.status_code == 200, resp.text


EXPERT_ID = "5b0e2f7a-9c1d-4e3f-8a2b-1c0d9e8f7a6b"


def expert_access(
    declaration_id: str,
    expert: str,
    access: str = "granted",
    *,
    version: int = 1,
    cause: str | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """`review.expert_access_changed`: the expert (their token's `sub`) may read the version,
    or no longer."""
    at = at or datetime.now(UTC)
    payload = ExpertAccessChanged(
        declaration_id=uuid.UUID(declaration_id),
        version=version,
        expert=expert,
        expert_id=uuid.UUID(EXPERT_ID),
        access=access,  # type: ignore[arg-type]
        cause=cause or ("assigned" if access == "granted" else "unassigned"),  # type: ignore[arg-type]
        at=at,
    )
    return envelope(EXPERT_ACCESS_CHANGED, payload, at)
