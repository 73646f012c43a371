"""Routing along the chains and the initial-review opinions (初审意见): who holds a case, what
each decision does, the credit-check rule, the preconditions, and the events sent back."""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from datetime import date, timedelta

import asyncpg
import pytest

CLEAR = {"gsxt": "clear", "zxgk": "clear", "checked_on": date.today().isoformat()}
LISTED = {"gsxt": "clear", "zxgk": "listed", "checked_on": date.today().isoformat()}
FUJIAN = [("county", "350102"), ("city", "350100"), ("province", "350000")]


def _auth(issuer, role: str, region: str | None = None) -> dict[str, str]:
    return issuer.headers(role, region=region) if region else issuer.headers(role)


async def _open(deliver, make_event, region: str = "350102", **kw) -> str:
    event = make_event(region_code=region, **kw)
    assert (await deliver(event)).status_code == 200
    return event["payload"]["declaration_id"]


async def _case(client, issuer, did: str) -> dict:
    resp = await client.get(f"/v1/cases/{did}", headers=issuer.headers("ministry"))
    assert resp.status_code == 200, resp.text
    assert resp.headers["ETag"] == resp.json()["etag"]
    return resp.json()


async def _opine(client, issuer, did, role, region, body, *, if_match=..., key=...):
    headers = _auth(issuer, role, region)
    if if_match is ...:
        if_match = (await _case(client, issuer, did))["etag"]
    if if_match is not None:
        headers["If-Match"] = if_match
    if key is ...:
        key = uuid.uuid4().hex
    if key is not None:
        headers["Idempotency-Key"] = key
    return await client.post(f"/v1/cases/{did}/opinions", json=body, headers=headers)


async def _held(client, issuer, role, region) -> list[str]:
    resp = await client.get("/v1/inbox", headers=_auth(issuer, role, region))
    assert resp.status_code == 200, resp.text
    return [i["declaration_id"] for i in resp.json()["items"]]


async def _status_events(clean_db: str) -> list[dict]:
    conn = await asyncpg.connect(clean_db.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        rows = await conn.fetch("SELECT topic, destination, payload FROM review.outbox ORDER BY id")
    finally:
        await conn.close()
    assert {(r["topic"], r["destination"]) for r in rows} <= {
        ("review.status_changed", "declaration")
    }
    return [json.loads(r["payload"]) for r in rows]


# --- routing: where a case lands ------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "level", "holder", "holder_role"),
    [
        ("350102", "county", "350102", "county"),  # 福州市鼓楼区
        ("350203", "county", "350203", "county"),  # 厦门市思明区, a county under city 350200
        ("310115", "county", "310115", "county"),  # 上海市浦东新区 (the district)
        ("440106", "province", "440000", "province"),  # default chain: the province alone
    ],
)
async def test_a_case_lands_at_the_first_level_of_its_chain(
    client, issuer, make_event, deliver, region, level, holder, holder_role
):
    did = await _open(deliver, make_event, region)
    case = await _case(client, issuer, did)
    assert (case["level"], case["holder_region"]) == (level, holder)
    assert (case["history"][0]["level"], case["history"][0]["holder_region"]) == (level, holder)
    assert await _held(client, issuer, holder_role, holder) == [did]
    # Above the holder, the case is visible for oversight but not held.
    if holder_role != "province":
        province = region[:2] + "0000"
        assert await _held(client, issuer, "province", province) == []
        oversight = await client.get(
            "/v1/inbox?held=false", headers=issuer.headers("province", region=province)
        )
        assert [i["declaration_id"] for i in oversight.json()["items"]] == [did]


async def test_xiamen_goes_to_city_3502_after_its_district(client, issuer, make_event, deliver):
    did = await _open(deliver, make_event, "350203")
    resp = await _opine(
        client, issuer, did, "county", "350203", {"decision": "forward", "credit_check": CLEAR}
    )
    assert resp.status_code == 201, resp.text
    assert (resp.json()["case"]["level"], resp.json()["case"]["holder_region"]) == (
        "city",
        "350200",
    )
    assert await _held(client, issuer, "city", "350200") == [did]
    assert await _held(client, issuer, "city", "350100") == []


# --- the chains, end to end in the service ---------------------------------------------------


async def test_the_fujian_chain_up_to_the_recommendation(client, issuer, make_event, deliver):
    did = await _open(deliver, make_event, "350102")
    steps = [
        ("county", "350102", {"decision": "forward", "credit_check": CLEAR}, "city", "350100"),
        ("city", "350100", {"decision": "forward", "reasons": "同意转报"}, "province", "350000"),
        ("province", "350000", {"decision": "forward"}, "province", "350000"),
    ]
    for role, region, body, level, holder in steps:
        assert await _held(client, issuer, role, region) == [did]
        resp = await _opine(client, issuer, did, role, region, body)
        assert resp.status_code == 201, resp.text
        assert resp.headers["ETag"] == resp.json()["etag"] == resp.json()["case"]["etag"]
        case = resp.json()["case"]
        assert (case["level"], case["holder_region"]) == (level, holder)
        assert resp.json()["opinion"]["level"] == role
        assert resp.json()["opinion"]["region"] == region
    assert case["status"] == "awaiting_recommendation"
    # The province holds it for its recommendation (推荐) list; the county and city no longer.
    assert await _held(client, issuer, "province", "350000") == [did]
    assert await _held(client, issuer, "county", "350102") == []
    assert await _held(client, issuer, "city", "350100") == []
    assert [
        (h["event"], h["from_status"], h["to_status"], h["level"]) for h in case["history"]
    ] == [
        ("received", None, "awaiting_initial_review", "county"),
        ("forwarded", "awaiting_initial_review", "awaiting_initial_review", "city"),
        ("forwarded", "awaiting_initial_review", "awaiting_initial_review", "province"),
        ("forwarded", "awaiting_initial_review", "awaiting_recommendation", "province"),
    ]

    opinions = await client.get(f"/v1/cases/{did}/opinions", headers=issuer.headers("ministry"))
    assert opinions.status_code == 200
    listed = opinions.json()
    assert [(o["role"], o["level"], o["region"], o["decision"]) for o in listed] == [
        ("county", "county", "350102", "forward"),
        ("city", "city", "350100", "forward"),
        ("province", "province", "350000", "forward"),
    ]
    assert listed[0]["credit_check"] == CLEAR
    assert listed[1]["reasons"] == "同意转报"
    assert listed[2]["credit_check"] is None
    assert all(o["version"] == 1 and o["actor"] for o in listed)


async def test_a_shanghai_district_forwards_only_through_its_ranked_table(
    client, issuer, make_event, deliver, clean_db
):
    """沪经信制〔2025〕430号 一(二)2: the district ranks its 推荐汇总表 (capped, 一(二)4); a case
    goes up with the table (tests/recommendations/test_district_tables.py), not alone."""
    did = await _open(deliver, make_event, "310115")
    refused = await _opine(client, issuer, did, "county", "310115", {"decision": "forward"})
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "forward_through_table")
    details = refused.json()["error"]["details"]
    assert details["unit"] == "310115"
    assert details["list"] == "/v1/recommendation-lists/2025/excellence/310115"
    assert "沪经信制〔2025〕430号 一(二)2" in details["source"]
    case = await _case(client, issuer, did)
    assert (case["level"], case["holder_region"]) == ("county", "310115")
    # Returning stays case by case.
    back = await _opine(
        client, issuer, did, "county", "310115", {"decision": "return", "reasons": "补充材料"}
    )
    assert back.status_code == 201, back.text
    events = await _status_events(clean_db)
    assert [(e["event"], e["status"]) for e in events] == [
        ("received", "awaiting_initial_review"),
        ("returned_for_revision", "returned_for_revision"),
    ]


async def test_the_default_chain_is_the_province_alone(client, issuer, make_event, deliver):
    did = await _open(deliver, make_event, "440106")
    resp = await _opine(client, issuer, did, "province", "440000", {"decision": "forward"})
    assert resp.status_code == 201, resp.text
    assert resp.json()["case"]["status"] == "awaiting_recommendation"


# --- return and not recommended --------------------------------------------------------------


async def test_return_reopens_the_declaration_with_the_reasons(
    client, issuer, make_event, deliver, clean_db
):
    did = await _open(deliver, make_event, "350102")
    await _opine(
        client, issuer, did, "county", "350102", {"decision": "forward", "credit_check": CLEAR}
    )
    resp = await _opine(
        client,
        issuer,
        did,
        "city",
        "350100",
        {"decision": "return", "reasons": "  缺少关键绩效指标表  "},
    )
    assert resp.status_code == 201, resp.text
    case = resp.json()["case"]
    assert case["status"] == "returned_for_revision"
    assert case["history"][-1]["reason"] == "缺少关键绩效指标表"
    assert await _held(client, issuer, "city", "350100") == []
    event = (await _status_events(clean_db))[-1]
    assert event["declaration_id"] == did
    assert event["version"] == 1
    assert event["event"] == "returned_for_revision"
    assert event["status"] == "returned_for_revision"
    assert event["reason"] == "缺少关键绩效指标表"
    assert event["at"]


async def test_resubmission_after_a_return_lands_at_the_first_level_again(
    client, issuer, make_event, deliver, clean_db
):
    did = await _open(deliver, make_event, "350102")
    await _opine(
        client, issuer, did, "county", "350102", {"decision": "forward", "credit_check": CLEAR}
    )
    await _opine(
        client, issuer, did, "city", "350100", {"decision": "return", "reasons": "补充材料"}
    )
    again = make_event(declaration_id=did, version=2, fingerprint=hashlib.sha256(b"v2").hexdigest())
    assert (await deliver(again)).status_code == 200
    case = await _case(client, issuer, did)
    assert (case["status"], case["level"], case["holder_region"], case["version"]) == (
        "awaiting_initial_review",
        "county",
        "350102",
        2,
    )
    assert case["history"][-1]["event"] == "resubmitted"
    assert case["history"][-1]["from_status"] == "returned_for_revision"
    assert await _held(client, issuer, "county", "350102") == [did]
    assert await _held(client, issuer, "city", "350100") == []
    assert (await _status_events(clean_db))[-1]["event"] == "resubmitted"
    # The county reviews the new version from the start.
    resp = await _opine(
        client, issuer, did, "county", "350102", {"decision": "forward", "credit_check": CLEAR}
    )
    assert resp.status_code == 201
    assert resp.json()["opinion"]["version"] == 2


async def test_not_recommended_is_final(client, issuer, make_event, deliver, clean_db):
    did = await _open(deliver, make_event, "350102")
    resp = await _opine(
        client,
        issuer,
        did,
        "county",
        "350102",
        {"decision": "not_recommended", "reasons": "列入失信被执行人名单", "credit_check": LISTED},
    )
    assert resp.status_code == 201, resp.text
    assert resp.json()["case"]["status"] == "not_recommended"
    assert resp.json()["opinion"]["credit_check"] == LISTED
    event = (await _status_events(clean_db))[-1]
    assert (event["event"], event["status"], event["reason"]) == (
        "not_recommended",
        "not_recommended",
        "列入失信被执行人名单",
    )
    # A late newer version changes nothing: the decision stands.
    late = make_event(declaration_id=did, version=2, fingerprint=hashlib.sha256(b"v2").hexdigest())
    assert (await deliver(late)).status_code == 200
    case = await _case(client, issuer, did)
    assert (case["status"], case["version"]) == ("not_recommended", 1)


@pytest.mark.parametrize("decision", ["return", "not_recommended"])
@pytest.mark.parametrize("reasons", [None, "", "   "])
async def test_return_and_refusal_need_reasons(
    client, issuer, make_event, deliver, decision, reasons
):
    did = await _open(deliver, make_event, "350102")
    before = await _case(client, issuer, did)
    body = {"decision": decision} if reasons is None else {"decision": decision, "reasons": reasons}
    resp = await _opine(client, issuer, did, "county", "350102", body)
    assert resp.status_code == 422
    assert resp.json()["error"]["code"] == "reasons_required"
    assert await _case(client, issuer, did) == before


async def test_reasons_are_at_most_2000_characters(client, issuer, make_event, deliver):
    did = await _open(deliver, make_event, "350102")
    body = {"decision": "return", "reasons": "理" * 2001}
    resp = await _opine(client, issuer, did, "county", "350102", body)
    assert resp.status_code == 422
    assert resp.json()["error"]["code"] == "validation_error"
    body["reasons"] = "理" * 2000
    assert (await _opine(client, issuer, did, "county", "350102", body)).status_code == 201


# --- the credit-check rule (榕工信装备〔2025〕96号 第2条) ----------------------------------------


@pytest.mark.parametrize(
    ("credit_check", "status", "code"),
    [
        (None, 409, "credit_check_required"),
        (LISTED, 409, "credit_blacklisted"),
        ({**CLEAR, "gsxt": "listed"}, 409, "credit_blacklisted"),
        (CLEAR, 201, None),
    ],
)
async def test_a_fujian_county_checks_credit_before_forwarding(
    client, issuer, make_event, deliver, clean_db, credit_check, status, code
):
    did = await _open(deliver, make_event, "350102")
    before = await _case(client, issuer, did)
    body = {"decision": "forward"}
    if credit_check is not None:
        body["credit_check"] = credit_check
    resp = await _opine(client, issuer, did, "county", "350102", body)
    assert resp.status_code == status, resp.text
    if code is None:
        assert resp.json()["case"]["level"] == "city"
        return
    assert resp.json()["error"]["code"] == code
    assert await _case(client, issuer, did) == before
    opinions = await client.get(f"/v1/cases/{did}/opinions", headers=issuer.headers("ministry"))
    assert opinions.json() == []
    assert len(await _status_events(clean_db)) == 1  # only `received`


async def test_a_credit_check_cannot_be_dated_in_the_future(client, issuer, make_event, deliver):
    did = await _open(deliver, make_event, "350102")
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    body = {"decision": "forward", "credit_check": {**CLEAR, "checked_on": tomorrow}}
    resp = await _opine(client, issuer, did, "county", "350102", body)
    assert resp.status_code == 422
    assert resp.json()["error"]["code"] == "validation_error"


# --- who may, and the preconditions ----------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "region", "status", "code"),
    [
        ("city", "350100", 403, "not_case_holder"),  # right region, wrong level
        ("province", "350000", 403, "not_case_holder"),
        ("ministry", None, 403, "not_case_holder"),
        ("county", "350103", 404, "case_not_found"),  # another county
        ("city", "350200", 404, "case_not_found"),
        ("county", None, 404, "case_not_found"),
        ("central_soe_hq", None, 404, "case_not_found"),
        ("enterprise", None, 403, "forbidden"),
        ("expert", None, 403, "forbidden"),
    ],
)
async def test_only_the_holder_gives_an_opinion(
    client, issuer, make_event, deliver, clean_db, role, region, status, code
):
    did = await _open(deliver, make_event, "350102")
    before = await _case(client, issuer, did)
    resp = await _opine(
        client, issuer, did, role, region, {"decision": "forward", "credit_check": CLEAR}
    )
    assert resp.status_code == status, resp.text
    assert resp.json()["error"]["code"] == code
    assert await _case(client, issuer, did) == before
    assert len(await _status_events(clean_db)) == 1


async def test_a_county_no_longer_holds_a_forwarded_case(client, issuer, make_event, deliver):
    did = await _open(deliver, make_event, "350102")
    await _opine(
        client, issuer, did, "county", "350102", {"decision": "forward", "credit_check": CLEAR}
    )
    before = await _case(client, issuer, did)
    resp = await _opine(
        client, issuer, did, "county", "350102", {"decision": "return", "reasons": "x"}
    )
    assert resp.status_code == 403
    assert resp.json()["error"]["code"] == "not_case_holder"
    assert await _case(client, issuer, did) == before


@pytest.mark.parametrize(
    ("if_match", "key", "status", "code"),
    [
        (None, ..., 428, "if_match_required"),
        ('W/"review-case-stale-v1"', ..., 412, "stale_etag"),
        (..., None, 428, "idempotency_key_required"),
    ],
)
async def test_preconditions(client, issuer, make_event, deliver, if_match, key, status, code):
    did = await _open(deliver, make_event, "350102")
    before = await _case(client, issuer, did)
    body = {"decision": "forward", "credit_check": CLEAR}
    resp = await _opine(client, issuer, did, "county", "350102", body, if_match=if_match, key=key)
    assert resp.status_code == status, resp.text
    assert resp.json()["error"]["code"] == code
    assert await _case(client, issuer, did) == before


async def test_an_etag_read_before_a_change_is_stale(client, issuer, make_event, deliver):
    did = await _open(deliver, make_event, "350102")
    old = (await _case(client, issuer, did))["etag"]
    again = make_event(declaration_id=did, version=2, fingerprint=hashlib.sha256(b"v2").hexdigest())
    await deliver(again)  # the resubmission bumps the row version
    before = await _case(client, issuer, did)
    resp = await _opine(
        client,
        issuer,
        did,
        "county",
        "350102",
        {"decision": "forward", "credit_check": CLEAR},
        if_match=old,
    )
    assert resp.status_code == 412
    assert resp.json()["error"]["details"]["current_etag"] == before["etag"]
    assert await _case(client, issuer, did) == before


async def test_a_retried_opinion_is_replayed_not_repeated(client, issuer, make_event, deliver):
    did = await _open(deliver, make_event, "350102")
    etag = (await _case(client, issuer, did))["etag"]
    body = {"decision": "forward", "credit_check": CLEAR}
    first = await _opine(
        client, issuer, did, "county", "350102", body, if_match=etag, key="opinion-1"
    )
    retried = await _opine(
        client, issuer, did, "county", "350102", body, if_match=etag, key="opinion-1"
    )
    assert first.status_code == retried.status_code == 201
    assert retried.json() == first.json()
    assert retried.headers["ETag"] == first.headers["ETag"]
    opinions = await client.get(f"/v1/cases/{did}/opinions", headers=issuer.headers("ministry"))
    assert len(opinions.json()) == 1
    other = await _opine(
        client,
        issuer,
        did,
        "county",
        "350102",
        {"decision": "return", "reasons": "x"},
        if_match=etag,
        key="opinion-1",
    )
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"


@pytest.mark.parametrize(
    "decision", [{"decision": "forward"}, {"decision": "return", "reasons": "再次退回"}]
)
async def test_no_opinion_on_a_case_not_awaiting_review(
    client, issuer, make_event, deliver, decision
):
    did = await _open(deliver, make_event, "440106")  # the province holds it alone
    await _opine(client, issuer, did, "province", "440000", {"decision": "forward"})
    before = await _case(client, issuer, did)
    assert before["status"] == "awaiting_recommendation"
    resp = await _opine(client, issuer, did, "province", "440000", decision)
    assert resp.status_code == 409
    error = resp.json()["error"]
    assert error["code"] == "case_not_awaiting_review"
    assert error["details"]["status"] == "awaiting_recommendation"
    assert await _case(client, issuer, did) == before


async def test_no_opinion_on_a_returned_case(client, issuer, make_event, deliver):
    did = await _open(deliver, make_event, "350102")
    await _opine(client, issuer, did, "county", "350102", {"decision": "return", "reasons": "补正"})
    before = await _case(client, issuer, did)
    resp = await _opine(
        client, issuer, did, "county", "350102", {"decision": "return", "reasons": "补正"}
    )
    assert resp.status_code == 409
    assert resp.json()["error"]["code"] == "case_not_awaiting_review"
    assert await _case(client, issuer, did) == before


async def test_opinions_of_an_unseen_case_are_not_found(client, issuer, make_event, deliver):
    did = await _open(deliver, make_event, "350102")
    for path in (f"/v1/cases/{did}/opinions", f"/v1/cases/{uuid.uuid4()}/opinions"):
        resp = await client.get(path, headers=issuer.headers("county", region="350103"))
        assert resp.status_code == 404
        assert resp.json()["error"]["code"] == "case_not_found"


async def test_a_case_at_a_level_its_chain_no_longer_has_is_a_409(
    client, issuer, make_event, deliver, monkeypatch
) -> None:
    """If the chains file loses a level while a case sits there, the holder gets a clear 409,
    not a 500, and nothing changes."""
    from ladder.review.cases import service
    from ladder.review.routing.chains import Route, chains

    did = await _open(deliver, make_event, region="350102")  # held by county 350102
    real = chains()

    class OnlyDefault:
        def route_of(self, unit: str, _code: str, **_: object) -> Route:
            return Route(real.default, unit)  # the province alone: no county level

    monkeypatch.setattr(service, "chains", lambda: OnlyDefault())
    before = await _case(client, issuer, did)
    resp = await _opine(
        client, issuer, did, "county", "350102", {"decision": "not_recommended", "reasons": "x"}
    )
    assert resp.status_code == 409, resp.text
    assert resp.json()["error"]["code"] == "case_level_not_in_chain"
    assert (await _case(client, issuer, did))["status"] == before["status"]


async def test_concurrent_opinions_with_one_if_match_keep_exactly_one(
    client, issuer, make_event, deliver
):
    """10 opinions racing with one If-Match (each with its own Idempotency-Key): one is taken,
    nine refused, one opinion stored, and the case is where the winner moved it (issue 12)."""
    did = await _open(deliver, make_event, "350102")
    etag = (await _case(client, issuer, did))["etag"]
    answers = await asyncio.gather(
        *(
            _opine(
                client,
                issuer,
                did,
                "county",
                "350102",
                {"decision": "forward", "credit_check": CLEAR},
                if_match=etag,
            )
            for i in range(10)
        )
    )
    # The loser sees the case moved on under the lock: the winner's forward made the county
    # no longer its holder, which is checked first (403 `not_case_holder`), else 412.
    refused = sorted(a.status_code for a in answers if a.status_code >= 300)
    assert len(refused) == 9 and set(refused) <= {403, 412}, [a.text for a in answers]
    (winner,) = [a for a in answers if a.status_code < 300]
    stored = await _case(client, issuer, did)
    assert stored["etag"] == winner.headers["ETag"]
    opinions = await client.get(f"/v1/cases/{did}/opinions", headers=issuer.headers("ministry"))
    assert len(opinions.json()) == 1, opinions.text
    assert await _held(client, issuer, "city", "350100") == [did]
