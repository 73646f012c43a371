"""Fixtures of the review service's tests: the app on a freshly migrated database, a token
issuer, and a builder of `declaration.submitted` events."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from review_stand_ins import stand_in_declaration

from ladder.contracts import contract_for
from ladder.contracts.declaration import DECLARATION_SUBMITTED
from ladder.kit.testing import TestIssuer, event_envelope, running, settings_for_tests, wire_peer
from ladder.review.main import create_app
from ladder.review.settings import Settings


def make_settings(database_url: str) -> Settings:
    return settings_for_tests(Settings, database_url)


@pytest.fixture(scope="session")
def issuer() -> TestIssuer:
    return TestIssuer()


@pytest.fixture
def deadline_chains() -> dict[str, list[dict[str, Any]]]:
    """The deadlines the stand-in declaration service answers; none unless a test adds some."""
    return {}


@pytest.fixture
async def client(
    clean_db: str, issuer: TestIssuer, deadline_chains
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(make_settings(clean_db))
    async with running(app, issuer) as c:
        wire_peer(app, "declaration", stand_in_declaration(deadline_chains), issuer, "review")
        c.app = app  # type: ignore[attr-defined]  (tests reach app.state: clock, db)
        yield c


def _submitted_event(
    *, event_id: uuid.UUID | None = None, source: str = "declaration", **payload: Any
) -> dict[str, Any]:
    """A `declaration.submitted` envelope built from the producer's contract example (a Fuzhou
    (福州) case), with a new declaration id; `payload` overrides fields unchecked, so a test can
    also send what the contract forbids."""
    body: dict[str, Any] = {
        **contract_for(DECLARATION_SUBMITTED).example.model_dump(mode="json"),
        "declaration_id": str(uuid.uuid4()),
        "fingerprint": hashlib.sha256(b"v1").hexdigest(),
        "submitted_at": datetime.now(UTC).isoformat(),
    }
    body.update(payload)
    return event_envelope(DECLARATION_SUBMITTED, body, source=source, event_id=event_id)


@pytest.fixture
def make_event():
    """Builds `declaration.submitted` envelopes: `make_event(version=2, region_code=...)`."""
    return _submitted_event


@pytest.fixture
def deliver(client: httpx.AsyncClient, issuer: TestIssuer):
    """POST an event to /internal/events as the declaration service; returns the response."""

    async def _deliver(event: dict[str, Any]) -> httpx.Response:
        return await client.post(
            "/internal/events", json=event, headers=issuer.service_headers("declaration")
        )

    return _deliver
