"""基础级 self-assessments: the enterprise's short form, reading, keyset pagination."""

from __future__ import annotations

import uuid

import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from self_assessment_data import YEAR, form, province, row, to_csv, upload, uscc
from sqlalchemy import text

from ladder.kit.testing import wire_peer

ENTERPRISE_USCC = "91350102MA2Y00001E"  # the seeded demo enterprise (see conftest.py)
URL = "/v1/self-assessments"


def _enterprise(issuer, org: str = ENTERPRISE_USCC, sub: str = "ent-user") -> dict[str, str]:
    return issuer.headers("enterprise", sub=sub, org=org, region="350102")


async def _submit(client, headers, body=None, key=None):
    return await client.post(
        URL, json=body or form(), headers={**headers, "Idempotency-Key": key or uuid.uuid4().hex}
    )


async def _count(client) -> int:
    async with client.app.state.db.transaction() as session:
        return (
            await session.execute(text("SELECT count(*) FROM declaration.self_assessment"))
        ).scalar_one()


async def test_short_form_is_evaluated_and_stored(client, issuer):
    resp = await _submit(client, _enterprise(issuer))
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["enterprise_uscc"] == ENTERPRISE_USCC
    assert body["outcome"] == "eligible"
    assert body["rules_edition"] == "2025"
    assert body["source"] == "form"
    assert body["findings"] == []  # only what did not pass is kept
    assert body["segments"] == [{"segment": "生产作业", "built": "在线智能检测、人机协同作业"}]
    assert body["kpis"] == {"productivity_gain": 12.5, "model_count": None}
    read = await client.get(f"{URL}/{body['id']}", headers=_enterprise(issuer))
    assert read.status_code == 200
    assert read.json()["attestations"]["above_scale"] is True


async def test_ineligible_outcome_is_recorded_with_its_findings(client, issuer):
    resp = await _submit(client, _enterprise(issuer), form(cmmm_level=1))
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["outcome"] == "ineligible"
    assert [f["rule_id"] for f in body["findings"]] == ["cmmm.level"]
    assert body["findings"][0]["status"] == "failed"


async def test_later_self_assessment_replaces_the_earlier(client, issuer):
    first = await _submit(client, _enterprise(issuer), form(cmmm_level=1))
    second = await _submit(client, _enterprise(issuer), form(cmmm_level=3))
    assert first.status_code == 201
    assert second.status_code == 200  # replaced, not created
    assert second.json()["id"] == first.json()["id"]
    assert second.json()["outcome"] == "eligible"
    other_factory = await _submit(client, _enterprise(issuer), form(factory_name="二号工厂"))
    whole = await _submit(client, _enterprise(issuer), form(factory_name=None))
    assert other_factory.status_code == whole.status_code == 201
    assert whole.json()["factory_name"] is None
    assert await _count(client) == 3


async def test_same_key_replays_and_key_is_required(client, issuer):
    a = await _submit(client, _enterprise(issuer), key="self-assess-1")
    b = await _submit(client, _enterprise(issuer), key="self-assess-1")
    assert a.status_code == b.status_code == 201
    assert a.json() == b.json()
    missing = await client.post(URL, json=form(), headers=_enterprise(issuer))
    assert missing.status_code == 428


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"cmmm_level": 9}, "cmmm_level"),
        ({"cmmm_level": "2"}, "cmmm_level"),
        ({"region_code": "359999"}, "region_code"),
        ({"enterprise_name": ""}, "enterprise_name"),
        ({"segments": [{"segment": "装配环节"}]}, "segments[0].segment"),
        ({"segments": []}, "segments"),
        ({"kpis": {"productivity_gain": "很多"}}, "kpis.productivity_gain"),
        ({"attestations": {"above_scale": "yes"}}, "attestations.above_scale"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
async def test_bad_field_is_422_naming_it(client, issuer, change, field):
    resp = await _submit(client, _enterprise(issuer), form(**change))
    assert resp.status_code == 422, resp.text
    fields = [f["field"] for f in resp.json()["error"]["details"]["fields"]]
    assert field in fields
    assert await _count(client) == 0


async def test_rules_refusal_is_422_naming_the_form_field(client, issuer):
    refusing = FastAPI()

    @refusing.post("/v1/evaluations")
    async def refuse(body: dict) -> JSONResponse:
        return JSONResponse(
            {
                "error": {
                    "code": "unknown_kpi",
                    "message": "不属于要素条件(2025)目录：facts.kpis.legacy",
                    "message_en": "Not in the catalogue of edition 2025: facts.kpis.legacy",
                    "details": {"fields": [{"field": "facts.kpis.legacy", "type": "unknown_kpi"}]},
                }
            },
            status_code=422,
        )

    wire_peer(client.app, "rules", refusing, issuer, "declaration")
    resp = await _submit(client, _enterprise(issuer), form(kpis={"legacy": 1}))
    assert resp.status_code == 422
    error = resp.json()["error"]
    assert error["code"] == "unknown_kpi"
    assert error["details"]["fields"][0]["field"] == "kpis.legacy"
    assert await _count(client) == 0


async def test_campaign_must_exist(client, issuer):
    resp = await _submit(client, _enterprise(issuer), form(campaign_year=2031))
    assert resp.status_code == 422
    assert resp.json()["error"]["code"] == "campaign_not_found"


async def test_only_an_enterprise_fills_in_the_form(client, issuer):
    county = await _submit(client, issuer.headers("county", region="350102"))
    assert county.status_code == 403
    assert county.json()["error"]["code"] == "not_own_enterprise"
    no_org = await _submit(client, issuer.headers("enterprise", sub="x"))
    assert no_org.status_code == 403
    bad_org = await _submit(client, _enterprise(issuer, org="91350102MA2Y00001F"))
    assert bad_org.status_code == 403


async def test_reading_is_own_or_in_jurisdiction(client, issuer):
    created = (await _submit(client, _enterprise(issuer))).json()
    other = uscc(7)
    await _submit(client, _enterprise(issuer, org=other, sub="other"), form(region_code="350203"))

    mine = await client.get(URL, params={"campaign_year": YEAR}, headers=_enterprise(issuer))
    assert [i["enterprise_uscc"] for i in mine.json()["items"]] == [ENTERPRISE_USCC]
    foreign = await client.get(
        URL,
        params={"campaign_year": YEAR, "enterprise_uscc": other},
        headers=_enterprise(issuer),
    )
    assert foreign.status_code == 403

    fuzhou = await client.get(
        URL, params={"campaign_year": YEAR}, headers=issuer.headers("city", region="350100")
    )
    assert [i["region_code"] for i in fuzhou.json()["items"]] == ["350102"]
    fujian = await client.get(URL, params={"campaign_year": YEAR}, headers=province(issuer))
    assert [i["region_code"] for i in fujian.json()["items"]] == ["350102", "350203"]
    xiamen = await client.get(
        URL, params={"campaign_year": YEAR, "region": "3502"}, headers=province(issuer)
    )
    assert [i["region_code"] for i in xiamen.json()["items"]] == ["350203"]
    outside = await client.get(
        URL,
        params={"campaign_year": YEAR, "region": "31"},
        headers=issuer.headers("city", region="350100"),
    )
    assert outside.status_code == 403
    assert outside.json()["error"]["code"] == "region_outside_jurisdiction"
    expert = await client.get(URL, params={"campaign_year": YEAR}, headers=issuer.headers("expert"))
    assert expert.status_code == 403

    by_id = f"{URL}/{created['id']}"
    assert (
        await client.get(by_id, headers=issuer.headers("county", region="350102"))
    ).status_code == 200
    assert (
        await client.get(by_id, headers=issuer.headers("county", region="350203"))
    ).status_code == 404
    assert (
        await client.get(by_id, headers=_enterprise(issuer, org=other, sub="other"))
    ).status_code == 404
    assert (await client.get(by_id, headers=issuer.headers("ministry"))).status_code == 200


async def _all_pages(client, headers, params, limit):
    seen, cursor, pages = [], None, 0
    while True:
        query = {**params, "limit": limit, **({"cursor": cursor} if cursor else {})}
        resp = await client.get(URL, params=query, headers=headers)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        seen += [(i["enterprise_uscc"], i["factory_name"]) for i in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return seen, pages


async def test_keyset_pages_neither_repeat_nor_skip(client, issuer):
    rows = [row(n, region=("350102", "350203", "350103")[n % 3]) for n in range(1, 48)]
    imported = await upload(client, province(issuer), to_csv(rows))
    assert imported.status_code == 201, imported.text
    headers = province(issuer)
    seen, pages = await _all_pages(client, headers, {"campaign_year": YEAR}, limit=10)
    assert pages == 5
    assert len(seen) == len(set(seen)) == 47
    # Ordered by region code, then USCC and factory: the index order.
    listing = await client.get(URL, params={"campaign_year": YEAR, "limit": 200}, headers=headers)
    keys = [(i["region_code"], i["enterprise_uscc"]) for i in listing.json()["items"]]
    assert keys == sorted(keys)

    by_name, _ = await _all_pages(
        client, headers, {"campaign_year": YEAR, "name": "福州企业0001"}, limit=3
    )
    assert sorted(by_name) == sorted((uscc(n), f"工厂{n}") for n in range(10, 20))


async def test_keyset_is_stable_under_inserts(client, issuer):
    headers = province(issuer)
    rows = [row(n) for n in range(100, 130)]
    assert (await upload(client, headers, to_csv(rows))).status_code == 201
    first = await client.get(URL, params={"campaign_year": YEAR, "limit": 10}, headers=headers)
    page1 = first.json()
    # Rows arrive between two page reads: some sort before the cursor, some after.
    extra = [row(n) for n in (1, 2, 998, 999)]
    assert (await upload(client, headers, to_csv(extra))).status_code == 201
    rest, _ = await _all_pages(
        client, headers, {"campaign_year": YEAR, "cursor": page1["next_cursor"]}, limit=10
    )
    seen = [(i["enterprise_uscc"], i["factory_name"]) for i in page1["items"]] + rest
    assert len(seen) == len(set(seen))
    original = {(uscc(n), f"工厂{n}") for n in range(100, 130)}
    assert original <= set(seen)  # nothing that was there is skipped
    assert {(uscc(n), f"工厂{n}") for n in (998, 999)} <= set(seen)  # inserted after: seen
    assert not {(uscc(n), f"工厂{n}") for n in (1, 2)} & set(seen)  # before the cursor: not


async def test_cursor_belongs_to_its_filters(client, issuer):
    headers = province(issuer)
    rows = [row(n) for n in range(1, 6)]
    assert (await upload(client, headers, to_csv(rows))).status_code == 201
    page = await client.get(URL, params={"campaign_year": YEAR, "limit": 2}, headers=headers)
    cursor = page.json()["next_cursor"]
    other = await client.get(
        URL,
        params={"campaign_year": YEAR, "limit": 2, "cursor": cursor, "outcome": "eligible"},
        headers=headers,
    )
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "invalid_cursor"
    garbage = await client.get(
        URL, params={"campaign_year": YEAR, "cursor": "not-a-cursor"}, headers=headers
    )
    assert garbage.status_code == 422


async def test_outcome_filter(client, issuer):
    headers = province(issuer)
    rows = [row(1), row(2, cmmm_level="1"), row(3)]
    assert (await upload(client, headers, to_csv(rows))).status_code == 201
    resp = await client.get(
        URL, params={"campaign_year": YEAR, "outcome": "ineligible"}, headers=headers
    )
    assert [i["enterprise_uscc"] for i in resp.json()["items"]] == [uscc(2)]
