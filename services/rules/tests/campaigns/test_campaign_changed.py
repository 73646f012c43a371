"""campaign.changed: a year the rules service has no policy file for answers quotas with the
policy its campaign names; an unknown policy id is refused, not stored."""

from __future__ import annotations

import asyncpg

from ladder.contracts.campaign import CAMPAIGN_CHANGED, CHANGED
from ladder.kit.testing import event_envelope

SHANGHAI_DISTRICT = {"tier": "excellence", "unit": "310115"}


def _changed(**changes) -> dict:
    return event_envelope(
        CAMPAIGN_CHANGED,
        CHANGED.example.model_copy(update={"year": 2030, **changes}),
        source="declaration",
    )


async def test_a_new_year_answers_with_the_policy_its_campaign_names(
    client, issuer, enterprise, count
):
    url = "/v1/campaigns/2030/quotas"
    before = await client.get(url, params=SHANGHAI_DISTRICT, headers=enterprise)
    assert before.status_code == 404
    delivered = await client.post(
        "/internal/events", json=_changed(), headers=issuer.service_headers("declaration")
    )
    assert delivered.status_code == 200, delivered.text
    assert await count("campaign_quota_policy") == 1
    after = await client.get(url, params=SHANGHAI_DISTRICT, headers=enterprise)
    assert after.status_code == 200, after.text
    body = after.json()
    assert (body["campaign"], body["limit"], body["demo"]) == ("2030", 6, False)
    assert body["policy"]["clause"].startswith("沪经信制〔2025〕430号")


async def test_an_unknown_policy_is_refused_and_not_stored(client, issuer, count):
    resp = await client.post(
        "/internal/events",
        json=_changed(quota_policy="2031"),
        headers=issuer.service_headers("declaration"),
    )
    assert resp.status_code == 422
    assert resp.json()["error"]["code"] == "invalid_event_payload"
    assert resp.json()["error"]["details"]["field"] == "quota_policy"
    assert await count("campaign_quota_policy") == 0


async def test_an_older_version_arriving_late_changes_nothing(client, issuer, clean_db):
    headers = issuer.service_headers("declaration")
    for version in (3, 2):
        resp = await client.post(
            "/internal/events", json=_changed(row_version=version), headers=headers
        )
        assert resp.status_code == 200, resp.text
    conn = await asyncpg.connect(clean_db.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        stored = await conn.fetchval(
            "SELECT row_version FROM rules.campaign_quota_policy WHERE campaign_year = 2030"
        )
    finally:
        await conn.close()
    assert stored == 3
