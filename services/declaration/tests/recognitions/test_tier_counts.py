"""recognition.tier_counts: queued with the act that completes a year's 卓越级 counts — a
consumed publication of the 卓越级 list, a ministry import marked as the whole national list —
and not for a province's import, whatever it says."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from review_said import deliver, envelope, submitted
from self_assessment_data import uscc
from sqlalchemy import text

from ladder.contracts.recognition import TIER_COUNTS, TierCounts
from ladder.contracts.review import LIST_PUBLISHED, ListPublished, PublishedEntry

IMPORTS = "/v1/recognitions/imports"


def list_published(did: str, tier: str) -> dict:
    at = datetime.now(UTC)
    listed = PublishedEntry(
        declaration_id=uuid.UUID(did),
        version=1,
        enterprise_uscc="91350102MA2Y00001E",
        enterprise_name="福州示范制造有限公司",
        factory_name="高端装备智能工厂",
        region_code="350102",
    )
    payload = ListPublished(campaign_year=2025, tier=tier, published_at=at, entries=[listed])
    return envelope(LIST_PUBLISHED, payload, at)


def entries(tier: str, region: str, *numbers: int) -> list[dict]:
    return [
        {"uscc": uscc(i, region), "enterprise_name": f"企业{i}", "factory_name": f"工厂{i}",
         "region_code": region, "tier": tier, "year": 2023}
        for i in numbers
    ]  # fmt: skip


async def send(client, headers, key: str, number: str, items: list[dict], complete: bool):
    body = {"document_number": number, "complete_national_list": complete, "rows": items}
    return await client.post(IMPORTS, json=body, headers={**headers, "Idempotency-Key": key})


async def _queued(client) -> list[tuple[str, TierCounts]]:
    async with client.app.state.db.transaction() as s:
        found = await s.execute(
            text("SELECT destination, payload FROM declaration.outbox WHERE topic = :t"),
            {"t": TIER_COUNTS},
        )
        return [(r[0], TierCounts.model_validate(r[1])) for r in found]


async def test_a_consumed_excellence_publication_is_announced(client, issuer, enterprise):
    did = await submitted(client, enterprise)
    await deliver(client, issuer, list_published(did, "pilot"))  # recognises nothing
    assert await _queued(client) == []
    resp = await deliver(client, issuer, list_published(did, "excellence"))
    assert resp.status_code == 200, resp.text
    ((destination, counts),) = await _queued(client)
    assert destination == "rules"
    assert (counts.year, counts.tier, counts.counts, counts.complete) == (
        2025,
        "excellence",
        {"35": 1},
        True,
    )
    assert counts.source.kind == "publication"


async def test_a_complete_ministry_import_is_announced(client, issuer):
    ministry = issuer.headers("ministry", sub="miit")
    items = entries("卓越级", "350102", 1, 2) + entries("卓越级", "110105", 3)
    items += entries("先进级", "350102", 4)  # a 先进级 entry is not counted
    resp = await send(client, ministry, "complete-2023", "工信厅联通装函〔2023〕9号", items, True)
    assert resp.status_code == 201, resp.text
    assert resp.json()["complete_national_list"] is True
    ((_, counts),) = await _queued(client)
    assert (counts.year, counts.counts, counts.complete) == (2023, {"35": 2, "11": 1}, True)
    assert (counts.source.kind, counts.source.reference) == ("import", "工信厅联通装函〔2023〕9号")


async def test_an_ordinary_import_and_a_province_import_are_not(client, issuer):
    ministry = issuer.headers("ministry", sub="miit")
    plain = await send(
        client,
        ministry,
        "plain-2023",
        "工信厅联通装函〔2023〕9号",
        entries("卓越级", "350102", 1),
        False,
    )
    assert plain.status_code == 201, plain.text
    fujian = issuer.headers("province", sub="fj", region="350000")
    items = entries("先进级", "350102", 2)
    resp = await send(client, fujian, "fj-complete", "闽工信函〔2023〕1号", items, True)
    assert resp.status_code == 201, resp.text
    assert resp.json()["complete_national_list"] is False  # a province's never completes it
    assert await _queued(client) == []
