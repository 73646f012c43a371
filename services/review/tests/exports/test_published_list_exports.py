"""Exports of a published list (`GET /public/v1/published-lists/{campaign}/{tier}/export`):
public like the list, only once the 公示 is closed, only the entries published, numbered.

The 公示 rows are written straight into the tables here (its steps are tested in
tests/national/publicity); the cases are opened by real submission events."""

from __future__ import annotations

import csv
import io
import uuid
from urllib.parse import quote

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from ladder.review.exports.schemas import PUBLISHED_COLUMNS

EXPORT = "/public/v1/published-lists/2025/{tier}/export"
NAMES = ["=cmd|' /C calc'!A0", "福州示范智能装备有限公司", "+厦门智造", "泉州撤回企业"]


async def _sql(client, query: str, **params) -> None:
    async with client.app.state.db.transaction() as session:
        await session.execute(text(query), params)


async def _publicity(client, make_event, deliver, *, tier: str, status: str) -> list[str]:
    """A 公示 of four cases in `status`; the fourth withdrawn (an upheld objection)."""
    publicity_id = uuid.uuid4()
    await _sql(
        client,
        "INSERT INTO review.national_publicity (id, campaign_year, tier, status, days, "
        "starts_at, ends_at, created_by, closed_at, row_version) VALUES (:id, 2025, :tier, "
        ":status, 5, now(), now(), 'ministry-official', "
        "CASE WHEN :closed THEN now() END, 1)",
        id=publicity_id,
        tier=tier,
        status=status,
        closed=status == "closed",
    )
    dids = []
    # Positions out of the order of the names, to see the export follow the positions.
    for position, name in zip((3, 1, 2, 4), NAMES, strict=True):
        event = make_event(tier=tier, enterprise_name=name, region_code="350102")
        assert (await deliver(event)).status_code == 200
        did = event["payload"]["declaration_id"]
        dids.append(did)
        outcome = None if status != "closed" else ("withdrawn" if position == 4 else "published")
        await _sql(
            client,
            "INSERT INTO review.national_publicity_entry (publicity_id, case_id, declaration_id,"
            " position, enterprise_name, factory_name, region_code, outcome) SELECT :p, c.id, "
            "c.declaration_id, :position, c.enterprise_name, c.factory_name, c.region_code, "
            ":outcome FROM review.review_case c WHERE c.declaration_id = :d",
            p=publicity_id,
            position=position,
            outcome=outcome,
            d=did,
        )
    return dids


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
async def test_no_list_before_the_publicity_closes(client, make_event, deliver, fmt):
    url = EXPORT.format(tier="excellence")
    for step in ("none", "open"):
        if step == "open":
            await _publicity(client, make_event, deliver, tier="excellence", status="open")
        resp = await client.get(url, params={"format": fmt})
        assert resp.status_code == 404, step
        assert resp.json()["error"]["code"] == "published_list_not_found"
        assert resp.json()["error"]["details"] == {"campaign_year": 2025, "tier": "excellence"}


async def test_the_published_list_is_public_numbered_in_its_order(
    client, issuer, make_event, deliver
):
    dids = await _publicity(client, make_event, deliver, tier="pilot", status="closed")
    url = EXPORT.format(tier="pilot")
    for headers in ({}, issuer.headers("enterprise", org="91350100M000100Y43"),
                    issuer.headers("public")):  # fmt: skip
        resp = await client.get(url, params={"format": "json"}, headers=headers)
        assert resp.status_code == 200, resp.text
        assert resp.json() == [
            {"number": n, "campaign_year": 2025, "tier": "pilot", "enterprise_name": NAMES[i],
             "factory_name": "福州示例工厂", "region_code": "350102", "declaration_id": dids[i]}
            for n, i in ((1, 1), (2, 2), (3, 0))
        ]  # fmt: skip
    listed = (await client.get("/public/v1/published-lists/2025/pilot")).json()
    assert [e["declaration_id"] for e in listed["items"]] == [dids[1], dids[2], dids[0]]


async def test_the_published_list_as_csv_and_xlsx(client, make_event, deliver):
    await _publicity(client, make_event, deliver, tier="excellence", status="closed")
    url = EXPORT.format(tier="excellence")
    resp = await client.get(url, params={"format": "csv"})
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-disposition"] == (
        'attachment; filename="published-list-2025-excellence.csv"; '
        f"filename*=UTF-8''{quote('2025年卓越级智能工厂名单.csv')}"
    )
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"), newline="")))
    assert rows[0] == [c.header for c in PUBLISHED_COLUMNS]
    assert [(r[0], r[3]) for r in rows[1:]] == [
        ("1", NAMES[1]),
        ("2", "'" + NAMES[2]),
        ("3", "'" + NAMES[0]),
    ]
    book = await client.get(url, params={"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(book.content)).active
    assert sheet.title == "名单"
    names = [sheet.cell(r, 4) for r in range(2, 5)]
    assert [(c.value, c.data_type, c.quotePrefix) for c in names] == [
        (NAMES[1], "s", False),
        (NAMES[2], "s", True),
        (NAMES[0], "s", True),
    ]
    assert [sheet.cell(r, 1).value for r in range(2, 5)] == [1, 2, 3]
    assert sheet.max_row == 4


async def test_tier_and_campaign_are_checked(client):
    for url in ("/public/v1/published-lists/2025/basic/export",
                "/public/v1/published-lists/1999/pilot/export"):  # fmt: skip
        resp = await client.get(url, params={"format": "json"})
        assert resp.status_code == 422
        assert resp.json()["error"]["code"] == "validation_error"
