"""The movable clock of cross-service tests: off unless `clock_control`, refused in
production, forward only, service callers only (not even the ministry)."""

from __future__ import annotations

from datetime import datetime

import pytest
from pydantic import ValidationError

from ladder.kit.testing import running, settings_for_tests
from ladder.review.main import create_app
from ladder.review.settings import Settings


async def test_there_is_no_clock_route_by_default(client, issuer):
    resp = await client.post(
        "/internal/clock", json={"advance_seconds": 60}, headers=issuer.headers("ministry")
    )
    assert resp.status_code == 404


def test_production_refuses_clock_control(clean_db):
    with pytest.raises(ValidationError, match="clock_control"):
        settings_for_tests(Settings, clean_db, clock_control=True, environment="production")


async def test_a_service_moves_the_clock_forward_only(clean_db, issuer):
    app = create_app(settings_for_tests(Settings, clean_db, clock_control=True))
    async with running(app, issuer) as c:
        service = issuer.service_headers("test-harness")
        before = (await c.get("/internal/clock", headers=service)).json()
        moved = await c.post("/internal/clock", json={"advance_seconds": 86400}, headers=service)
        assert moved.status_code == 200, moved.text
        body = moved.json()
        assert body["offset_seconds"] == before["offset_seconds"] + 86400
        gap = datetime.fromisoformat(body["now"]) - datetime.fromisoformat(before["now"])
        assert gap.total_seconds() >= 86400
        assert app.state.clock.now() >= datetime.fromisoformat(body["now"])
        back = await c.post("/internal/clock", json={"advance_seconds": -1}, headers=service)
        assert back.status_code == 422
        for role in ("enterprise", "ministry"):
            refused = await c.post(
                "/internal/clock", json={"advance_seconds": 1}, headers=issuer.headers(role)
            )
            assert refused.status_code == 403, role
        assert (await c.get("/internal/clock", headers=service)).json()["offset_seconds"] == 86400
