"""Sign-in fixtures: `started(**settings)` runs the app with those settings on a frozen clock
(lockouts, windows and TOTP steps move when the test says so), the demo accounts seeded, and
yields it with a client at 203.0.113.7."""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import UTC, datetime

import httpx
import pytest

from ladder.identity.main import create_app
from ladder.identity.seed import seed
from ladder.kit.clock import FrozenClock


def step_start() -> datetime:
    """Now, on the 5th second of a TOTP step (access tokens are minted at the real time, so
    the frozen clock stays near it; the steps a test counts should not straddle a boundary)."""
    ts = int(datetime.now(UTC).timestamp())
    return datetime.fromtimestamp(ts - ts % 30 + 5, UTC)


def _client_at(app, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://identity")


@pytest.fixture
def client_at():
    """`client_at(app, address)`: a client of `app` from another address."""
    return _client_at


@pytest.fixture
def started(identity_settings):
    @asynccontextmanager
    async def start(**overrides):
        app = create_app(identity_settings(**overrides))
        async with app.router.lifespan_context(app):
            app.state.clock = FrozenClock(step_start())
            async with app.state.db.transaction() as session:
                await seed(session)
            async with _client_at(app, "203.0.113.7") as client:
                yield app, client

    return start
