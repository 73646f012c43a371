"""campaign.changed: the review service keeps the 公示 and cultivation periods a campaign names
(entries of national.yaml and cultivation.yaml); a name they lack is refused, not stored."""

from __future__ import annotations

import asyncpg
import pytest

from ladder.contracts.campaign import CAMPAIGN_CHANGED, CHANGED
from ladder.kit.testing import event_envelope
from ladder.review.campaigns import service
from ladder.review.cultivation.data import cultivation_data
from ladder.review.national.data import national


def _changed(**changes) -> dict:
    return event_envelope(
        CAMPAIGN_CHANGED,
        CHANGED.example.model_copy(update={"year": 2030, **changes}),
        source="declaration",
    )


async def _stored(clean_db: str) -> list[tuple]:
    conn = await asyncpg.connect(clean_db.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        rows = await conn.fetch(
            "SELECT campaign_year, publicity_period, cultivation_period, row_version "
            "FROM review.campaign_periods"
        )
    finally:
        await conn.close()
    return [tuple(r) for r in rows]


async def test_a_campaigns_named_periods_are_kept(client, deliver, clean_db):
    resp = await deliver(_changed())
    assert resp.status_code == 200, resp.text
    assert await _stored(clean_db) == [(2030, "ladder-default", "251-2025", 1)]
    async with client.app.state.db.transaction() as session:
        assert await service.publicity_for(session, 2030) == national().publicity
        period = await service.cultivation_period_for(session, 2030)
    assert (period.id, period.max_months) == ("251-2025", 24)


@pytest.mark.parametrize("field", ["publicity_period", "cultivation_period"])
async def test_an_unknown_period_is_refused_and_not_stored(client, deliver, clean_db, field):
    resp = await deliver(_changed(**{field: "no-such-period"}))
    assert resp.status_code == 422
    assert resp.json()["error"]["details"]["fields"] == [field]
    assert await _stored(clean_db) == []


async def test_an_older_version_arriving_late_changes_nothing(client, deliver, clean_db):
    assert (await deliver(_changed(row_version=4))).status_code == 200
    assert (await deliver(_changed(row_version=2))).status_code == 200
    assert [r[3] for r in await _stored(clean_db)] == [4]


def test_the_catalogues_name_their_entries():
    assert national().publicity.id == "ladder-default"
    assert cultivation_data().period.id == "251-2025"
