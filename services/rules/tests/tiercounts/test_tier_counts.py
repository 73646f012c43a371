"""recognition.tier_counts: the 领航级 quota reads the register's complete 卓越级 counts when no
table was uploaded; an uploaded table overrides them; neither is the existing 409."""

from __future__ import annotations

from datetime import timedelta

import asyncpg

from ladder.contracts.recognition import CHANGED, TIER_COUNTS
from ladder.kit.testing import event_envelope
from ladder.rules.reference.regions import regions

QUOTAS = "/v1/campaigns/2025/quotas"
FUJIAN_PILOT = {"tier": "pilot", "unit": "350000"}
EXAMPLE = CHANGED.example


def _counts(**changes) -> dict:
    payload = EXAMPLE.model_copy(update={"year": 2024, "counts": {"35": 12, "11": 25}, **changes})
    return event_envelope(TIER_COUNTS, payload, source="declaration")


async def _deliver(client, issuer, envelope: dict) -> None:
    resp = await client.post(
        "/internal/events", json=envelope, headers=issuer.service_headers("declaration")
    )
    assert resp.status_code == 200, resp.text


async def test_the_register_is_used_when_no_table_was_uploaded(client, issuer, enterprise):
    await _deliver(client, issuer, _counts())
    resp = await client.get(QUOTAS, params=FUJIAN_PILOT, headers=enterprise)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["limit"] == 2  # 12 卓越级 in 2024: 10~19 → 2
    assert body["reference"] is None
    assert body["input"] == {
        "kind": "excellence_count",
        "year": 2024,
        "source": "register",
        "reference": "publication:" + EXAMPLE.source.reference,
    }
    assert body["derivation"][-2]["value"] == 12
    # A province the complete register holds no 卓越级 of has none: the lowest band.
    hainan = await client.get(
        QUOTAS, params={"tier": "pilot", "unit": "460000"}, headers=enterprise
    )
    assert (hainan.status_code, hainan.json()["limit"]) == (200, 1)


async def test_incomplete_counts_are_not_used(client, issuer, enterprise, count):
    await _deliver(client, issuer, _counts(complete=False))
    assert await count("register_tier_count") == 1
    resp = await client.get(QUOTAS, params=FUJIAN_PILOT, headers=enterprise)
    assert resp.status_code == 409
    assert resp.json()["error"]["code"] == "reference_data_missing"
    assert resp.json()["error"]["details"]["kind"] == "excellence_count"


async def test_an_uploaded_table_overrides_the_register(client, issuer, ministry, enterprise):
    await _deliver(client, issuer, _counts())
    codes = [p.code for p in regions().provinces] + ["xpcc"]  # a whole table
    rows = [{"region": code, "value": 30 if code == "350000" else 0} for code in codes]
    uploaded = await client.post(
        "/v1/reference-datasets",
        json={
            "kind": "excellence_count",
            "year": 2024,
            "source_note": "工业和信息化部 2024 年卓越级数量（测试用）",
            "rows": rows,
        },
        headers={**ministry, "Idempotency-Key": "excellence-2024"},
    )
    assert uploaded.status_code == 201, uploaded.text
    body = (await client.get(QUOTAS, params=FUJIAN_PILOT, headers=enterprise)).json()
    assert body["limit"] == 3  # the table's 30, not the register's 12
    assert body["input"] == {
        "kind": "excellence_count",
        "year": 2024,
        "source": "uploaded",
        "reference": uploaded.json()["id"],
    }
    assert body["reference"]["dataset_id"] == uploaded.json()["id"]


async def test_older_counts_arriving_late_change_nothing(client, issuer, enterprise, clean_db):
    await _deliver(client, issuer, _counts())
    earlier = EXAMPLE.at - timedelta(days=1)
    await _deliver(client, issuer, _counts(counts={"35": 1}, at=earlier))
    body = (await client.get(QUOTAS, params=FUJIAN_PILOT, headers=enterprise)).json()
    assert body["limit"] == 2
    conn = await asyncpg.connect(clean_db.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        stored = await conn.fetchval("SELECT counts FROM rules.register_tier_count")
    finally:
        await conn.close()
    assert '"35": 12' in stored
