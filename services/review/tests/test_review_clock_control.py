"""The movable clock of cross-service tests: off unless `clock_control`, refused in
production, forward only, ministry or service callers only."""

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


async def test_the_ministry_moves_the_clock_forward_only(clean_db, issuer):
    app = create_app(settings_for_tests(Settings, clean_db, clock_control=True))
    async with running(app, issuer) as c:
        ministry = issuer.headers("ministry")
        before = (await c.get("/internal/clock", headers=ministry)).json()
        moved = await c.post("/internal/clock", json={"advance_seconds": 86400}, headers=ministry)
        assert moved.status_code == 200, moved.text
        body = moved.json()
        assert body["offset_seconds"] == before["offset_seconds"] + 86400
        gap = datetime.fromisoformat(body["now"]) - datetime.fromisoformat(before["now"])
        assert gap.total_seconds() >= 86400
        assert app.state.clock.now() >= datetime.fromisoformat(body["now"])
        back = await c.post("/internal/clock", json={"advance_seconds": -1}, headers=ministry)
        assert back.status_code == 422
        enterprise = await c.post(
            "/internal/clock", json={"advance_seconds": 1}, headers=issuer.headers("enterprise")
        )
        assert enterprise.status_code == 403
        assert (await c.get("/internal/clock", headers=ministry)).json()["offset_seconds"] == 86400
