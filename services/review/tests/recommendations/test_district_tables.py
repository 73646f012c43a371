"""A Shanghai district's ranked table (推荐汇总表, 沪经信制〔2025〕430号 一(二)2): the district's
own list keyed by its code, its cap read from the rules service (here a stand-in answering the
cap of 一(二)4; the 揭榜 exemption is the real rules service's, in
tests/e2e/test_district_tables.py), its submission forwarding the cases in rank order, and the
municipal list taking in what the districts forwarded, rank 1s first."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

BASE = "/v1/recommendation-lists/2025/excellence"
PUDONG, XUHUI, MUNICIPAL = "310115", "310104", "310000"
CAP = "沪经信制〔2025〕430号 一(二)4"


@pytest.fixture
def quota() -> dict:
    return {"limit": 6, "clause": CAP, "name": "浦东新区"}


def _h(issuer, role="county", region=PUDONG, **extra) -> dict[str, str]:
    return {**issuer.headers(role, region=region, name=f"unit {region}"), **extra}


def _key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


@pytest.fixture
def held(ready):
    """`n` cases a district holds at its level, awaiting its initial review (待初审)."""

    async def _held(n: int, district: str = PUDONG) -> list[str]:
        return await ready(
            n,
            unit=MUNICIPAL,
            region=district,
            status="awaiting_initial_review",
            level="county",
            holder_region=district,
        )

    return _held


async def _table(rec, issuer, dids: list[str], district: str = PUDONG) -> dict:
    url = f"{BASE}/{district}"
    opened = await rec.put(url, headers=_h(issuer, region=district))
    assert opened.status_code in (200, 201), opened.text
    body = opened.json()
    for did in dids:
        added = await rec.post(
            f"{url}/entries",
            json={"declaration_id": did},
            headers=_h(issuer, region=district, **_key()),
        )
        assert added.status_code == 201, added.text
        body = added.json()
    return body


async def _submit(rec, issuer, district: str = PUDONG) -> dict:
    url = f"{BASE}/{district}"
    etag = (await rec.get(url, headers=_h(issuer, region=district))).json()["etag"]
    locked = await rec.post(
        f"{url}/lock", headers=_h(issuer, region=district, **{"If-Match": etag})
    )
    assert locked.status_code == 200, locked.text
    submitted = await rec.post(
        f"{url}/submit",
        headers=_h(issuer, region=district, **{"If-Match": locked.headers["ETag"]}, **_key()),
    )
    assert submitted.status_code == 200, submitted.text
    return submitted.json()


async def test_the_seventh_entry_of_a_district_is_refused_naming_the_cap(rec, issuer, held):
    dids = await held(7)
    body = await _table(rec, issuer, dids[:6])
    assert (body["unit"], body["limit"], body["counted"], body["remaining"]) == (PUDONG, 6, 6, 0)
    assert body["ranking_level"].startswith("沪经信制〔2025〕430号 一(二)2")
    assert [e["rank"] for e in body["entries"]] == [1, 2, 3, 4, 5, 6]
    seventh = await rec.post(
        f"{BASE}/{PUDONG}/entries",
        json={"declaration_id": dids[6]},
        headers=_h(issuer, **_key()),
    )
    assert seventh.status_code == 409, seventh.text
    error = seventh.json()["error"]
    assert error["code"] == "quota_exhausted"
    assert error["details"] == {
        "limit": 6,
        "counted": 6,
        "unit": PUDONG,
        "unit_name": "浦东新区",
        "tier": "excellence",
        "clause": CAP,
        "source": "test",
    }


async def test_only_the_district_keeps_its_table_and_only_its_cases(rec, issuer, held, ready):
    (mine,) = await held(1)
    (xuhui,) = await held(1, district=XUHUI)
    (awaiting,) = await ready(1, unit=MUNICIPAL, region=PUDONG)  # already past the district
    url = f"{BASE}/{PUDONG}"
    for headers in (_h(issuer, region=XUHUI), _h(issuer, "province", MUNICIPAL)):
        refused = await rec.put(url, headers=headers)
        assert refused.status_code == 404, refused.text
    # A level that does not rank has no table: a Fuzhou county (榕工信装备〔2025〕96号 第2条
    # sets no order or number, ranking_levels.yaml), nor a district for 先进级.
    fuzhou = await rec.put(f"{BASE}/350102", headers=_h(issuer, region="350102"))
    assert fuzhou.status_code == 404
    advanced = await rec.put(f"/v1/recommendation-lists/2025/advanced/{PUDONG}", headers=_h(issuer))
    assert advanced.status_code == 404
    await _table(rec, issuer, [mine])
    for did, status, code in (
        (xuhui, 404, "case_not_found"),
        (awaiting, 409, "case_not_awaiting_recommendation"),
    ):
        resp = await rec.post(
            f"{url}/entries", json={"declaration_id": did}, headers=_h(issuer, **_key())
        )
        assert (resp.status_code, resp.json()["error"]["code"]) == (status, code), did


async def test_submitting_the_table_forwards_its_cases_in_rank_order(rec, issuer, held, clean_db):
    a, b, c = await held(3)
    body = await _table(rec, issuer, [a, b, c])
    reordered = await rec.put(
        f"{BASE}/{PUDONG}/order",
        json={"declaration_ids": [c, a, b]},
        headers=_h(issuer, **{"If-Match": body["etag"]}),
    )
    assert reordered.status_code == 200, reordered.text
    submitted = await _submit(rec, issuer)
    assert submitted["status"] == "submitted"
    assert submitted["submission"]["reported_to"] == [MUNICIPAL]
    for rank, did in enumerate([c, a, b], 1):
        case = (await rec.get(f"/v1/cases/{did}", headers=_h(issuer, "ministry", None))).json()
        assert (case["status"], case["level"], case["holder_region"]) == (
            "awaiting_initial_review",
            "province",
            MUNICIPAL,
        )
        opinions = (
            await rec.get(f"/v1/cases/{did}/opinions", headers=_h(issuer, "ministry", None))
        ).json()
        assert [(o["decision"], o["level"], o["region"]) for o in opinions] == [
            ("forward", "county", PUDONG)
        ]
        assert opinions[0]["reasons"] == f"excellence list of {PUDONG}, rank {rank}"
    # The municipal unit reads the table that came up to it; the ministry does not (it is
    # no recommendation to the ministry), and nothing told the declaration service.
    assert (
        await rec.get(f"{BASE}/{PUDONG}", headers=_h(issuer, "province", MUNICIPAL))
    ).status_code == 200
    assert (
        await rec.get(f"{BASE}/{PUDONG}", headers=_h(issuer, "ministry", None))
    ).status_code == 404
    index = await rec.get("/v1/recommendation-lists", headers=_h(issuer, "ministry", None))
    assert index.json()["total"] == 0
    conn = await asyncpg.connect(clean_db.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        told = await conn.fetchval(
            "SELECT count(*) FROM review.outbox WHERE topic = 'review.list_submitted'"
        )
    finally:
        await conn.close()
    assert told == 0


async def test_the_district_deadline_holds_its_table(rec, issuer, held, deadline_chains):
    (did,) = await held(1)
    closed = datetime.now(UTC) - timedelta(days=1)
    deadline_chains["31"] = [
        {
            "level": "county",
            "closes_at": closed.isoformat(),
            "last_day": closed.date().isoformat(),
            "source": "沪经信制〔2025〕430号",
            "clause": "一(二)2",
        }
    ]
    await _table(rec, issuer, [did])
    url = f"{BASE}/{PUDONG}"
    etag = (await rec.get(url, headers=_h(issuer))).json()["etag"]
    locked = await rec.post(f"{url}/lock", headers=_h(issuer, **{"If-Match": etag}))
    late = await rec.post(
        f"{url}/submit", headers=_h(issuer, **{"If-Match": locked.headers["ETag"]}, **_key())
    )
    assert (late.status_code, late.json()["error"]["code"]) == (409, "deadline_passed")
    assert late.json()["error"]["details"]["level"] == "county"


async def test_a_returned_case_leaves_the_district_table(rec, issuer, held):
    a, b = await held(2)
    await _table(rec, issuer, [a, b])
    case = await rec.get(f"/v1/cases/{a}", headers=_h(issuer))
    back = await rec.post(
        f"/v1/cases/{a}/opinions",
        json={"decision": "return", "reasons": "补充佐证材料"},
        headers=_h(issuer, **{"If-Match": case.json()["etag"]}, **_key()),
    )
    assert back.status_code == 201, back.text
    table = (await rec.get(f"{BASE}/{PUDONG}", headers=_h(issuer))).json()
    assert [(e["rank"], e["declaration_id"]) for e in table["entries"]] == [(1, b)]
    assert table["history"][-1]["action"] == "returned_for_revision"


async def _municipal_forward(rec, issuer, did: str) -> None:
    case = await rec.get(f"/v1/cases/{did}", headers=_h(issuer, "province", MUNICIPAL))
    resp = await rec.post(
        f"/v1/cases/{did}/opinions",
        json={"decision": "forward"},
        headers=_h(issuer, "province", MUNICIPAL, **{"If-Match": case.json()["etag"]}, **_key()),
    )
    assert resp.status_code == 201, resp.text


async def test_the_municipal_list_takes_in_the_districts_ranks(rec, issuer, held, quota):
    p1, p2, p3 = await held(3)
    x1, x2 = await held(2, district=XUHUI)
    await _table(rec, issuer, [p1, p2, p3])
    await _submit(rec, issuer)
    await _table(rec, issuer, [x1, x2], district=XUHUI)
    await _submit(rec, issuer, district=XUHUI)
    for did in (x2, p3, x1, p1, p2):
        await _municipal_forward(rec, issuer, did)
    municipal = _h(issuer, "province", MUNICIPAL)
    url = f"{BASE}/{MUNICIPAL}"
    quota["limit"] = 4
    assert (await rec.put(url, headers=municipal)).status_code == 201
    taken = await rec.post(f"{url}/entries/forwarded", headers={**municipal, **_key()})
    assert taken.status_code == 200, taken.text
    body = taken.json()
    # Rank 1 of each table (浦东 submitted first), then rank 2 of each; the fifth is over the
    # municipal quota of 4 and stays off, said in the history.
    assert [e["declaration_id"] for e in body["entries"]] == [p1, x1, p2, x2]
    assert body["history"][-1]["action"] == "taken_in"
    assert body["history"][-1]["reason"].startswith("4 of 5 cases forwarded")
    again = await rec.post(f"{url}/entries/forwarded", headers={**municipal, **_key()})
    assert [e["declaration_id"] for e in again.json()["entries"]] == [p1, x1, p2, x2]
