"""The province's recommendation list (推荐汇总表): quota from the rules service, ranks, the
cap's refusal, the quota race, lock/unlock, permissions and preconditions. (The 揭榜 exemption
is the rules service's, through its registry: tests/e2e/test_district_tables.py.)"""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import httpx
import pytest

from ladder.kit.testing import wire_peer

LIST = "/v1/recommendation-lists/2025/excellence/440000"
PROVINCE = ("province", "440000")


def _h(issuer, role="province", region="440000", **extra) -> dict[str, str]:
    return {**issuer.headers(role, region=region), **extra}


async def _open(rec, issuer) -> dict:
    resp = await rec.put(LIST, headers=_h(issuer))
    assert resp.status_code in (200, 201), resp.text
    return resp.json()


async def _add(rec, issuer, did, *, key=None, url=LIST):
    body: dict = {"declaration_id": did}
    headers = _h(issuer, **{"Idempotency-Key": key or uuid.uuid4().hex})
    return await rec.post(f"{url}/entries", json=body, headers=headers)


async def _get(rec, issuer) -> dict:
    resp = await rec.get(LIST, headers=_h(issuer))
    assert resp.status_code == 200, resp.text
    assert resp.headers["ETag"] == resp.json()["etag"]
    return resp.json()


async def _counted_rows(clean_db: str) -> int:
    conn = await asyncpg.connect(clean_db.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        return await conn.fetchval("SELECT count(*) FROM review.recommendation_entry WHERE counts")
    finally:
        await conn.close()


def _code(resp: httpx.Response) -> str:
    return resp.json()["error"]["code"]


# --- opening and reading --------------------------------------------------------------------


async def test_put_opens_the_list_with_the_quota_once(rec, issuer, quota):
    first = await rec.put(LIST, headers=_h(issuer))
    assert first.status_code == 201, first.text
    body = first.json()
    assert first.headers["ETag"] == body["etag"]
    assert (body["status"], body["limit"], body["counted"], body["remaining"]) == (
        "open",
        2,
        0,
        2,
    )
    assert body["quota"]["derivation"][0]["step"] == "band"
    assert body["quota"]["policy"]["id"] == "national-2025"
    assert [h["action"] for h in body["history"]] == ["created"]
    again = await rec.put(LIST, headers=_h(issuer))
    assert again.status_code == 200
    assert again.json()["etag"] == body["etag"]
    assert quota["calls"] == 1


async def test_rules_down_is_503_and_nothing_is_created(rec, issuer):
    rec.app.state.peers["rules"] = httpx.AsyncClient(base_url="http://127.0.0.1:9")
    resp = await rec.put(LIST, headers=_h(issuer))
    assert resp.status_code == 503, resp.text
    assert _code(resp) == "service_unavailable"
    assert (await rec.get(LIST, headers=_h(issuer))).status_code == 404


def _refused_app():
    from fastapi import FastAPI

    return FastAPI()


async def test_rules_without_a_quota_is_409(rec, issuer):
    wire_peer(rec.app, "rules", _refused_app(), issuer, "review")  # every path 404
    resp = await rec.put(LIST, headers=_h(issuer))
    assert resp.status_code == 409
    assert _code(resp) == "quota_unavailable"


# --- entries, ranks, the exemption -----------------------------------------------------------


async def test_happy_path_ranks_and_removal_renumbers(rec, issuer, ready, clean_db, quota):
    quota["limit"] = 3
    await _open(rec, issuer)
    a, b, c = await ready(3)
    for did in (a, b, c):
        resp = await _add(rec, issuer, did)
        assert resp.status_code == 201, resp.text
        assert resp.headers["ETag"] == resp.json()["etag"]
    body = await _get(rec, issuer)
    assert [(e["rank"], e["declaration_id"]) for e in body["entries"]] == [(1, a), (2, b), (3, c)]
    assert (body["counted"], body["exempt"], body["remaining"]) == (3, 0, 0)
    assert body["entries"][0]["enterprise_name"] == "示例企业0"

    resp = await rec.delete(f"{LIST}/entries/{b}", headers=_h(issuer, **{"If-Match": body["etag"]}))
    assert resp.status_code == 200, resp.text
    after = resp.json()
    assert [(e["rank"], e["declaration_id"]) for e in after["entries"]] == [(1, a), (2, c)]
    assert after["remaining"] == 1
    assert [h["action"] for h in after["history"]] == [
        "created",
        "added",
        "added",
        "added",
        "removed",
    ]
    assert [h["row_version"] for h in after["history"]] == [1, 2, 3, 4, 5]
    assert all(h["actor"] == "test-province" for h in after["history"])
    assert await _counted_rows(clean_db) == 2


async def test_the_cap_refusal_names_the_cap(rec, issuer, ready, quota):
    quota.update(clause="工信厅联通装函〔2025〕251号 二(二)2", name="广东省")
    await _open(rec, issuer)
    a, b, c = await ready(3)
    assert (await _add(rec, issuer, a)).status_code == 201
    assert (await _add(rec, issuer, b)).status_code == 201
    full = await _add(rec, issuer, c)
    assert (full.status_code, _code(full)) == (409, "quota_exhausted")
    assert full.json()["error"]["details"] == {
        "limit": 2,
        "counted": 2,
        "unit": "440000",
        "unit_name": "广东省",
        "tier": "excellence",
        "clause": "工信厅联通装函〔2025〕251号 二(二)2",
        "source": "test",
    }
    # The usage check is asked with each candidate's enterprise, never an exemption flag.
    assert quota["last_candidates"][-1] == {"id": c, "enterprise_uscc": "91440100M000100Y43"}
    flagged = await rec.post(
        f"{LIST}/entries",
        json={"declaration_id": c, "jiebang_accepted": True},
        headers=_h(issuer, **{"Idempotency-Key": uuid.uuid4().hex}),
    )
    assert (flagged.status_code, _code(flagged)) == (422, "validation_error")


async def test_whether_an_entry_counts_is_the_rules_services_usage_check(rec, issuer, ready, quota):
    """One implementation of the exemption: the rules service's `/quotas/usage`, asked with
    the ranked list; review keeps only the limit read when the list was opened."""
    await _open(rec, issuer)
    a, b = await ready(2)
    assert (await _add(rec, issuer, a)).status_code == 201
    assert quota["usage_calls"] == 1
    rec.app.state.peers["rules"] = httpx.AsyncClient(base_url="http://127.0.0.1:9")
    resp = await _add(rec, issuer, b)
    assert resp.status_code == 503, resp.text
    assert _code(resp) == "service_unavailable"
    entries = (await rec.get(LIST, headers=_h(issuer))).json()["entries"]
    assert [e["declaration_id"] for e in entries] == [a]


async def test_cases_that_cannot_be_listed(rec, issuer, ready):
    await _open(rec, issuer)
    (reviewing,) = await ready(status="awaiting_initial_review")
    (fujian,) = await ready(unit="350000", region="350102")
    (pilot,) = await ready(tier="pilot")
    (ok,) = await ready()
    cases = [
        (reviewing, 409, "case_not_awaiting_recommendation"),
        (fujian, 404, "case_not_found"),
        (pilot, 409, "case_not_for_this_list"),
        (str(uuid.uuid4()), 404, "case_not_found"),
    ]
    for did, status, code in cases:
        resp = await _add(rec, issuer, did)
        assert (resp.status_code, _code(resp)) == (status, code), did
    assert (await _add(rec, issuer, ok)).status_code == 201
    again = await _add(rec, issuer, ok)
    assert (again.status_code, _code(again)) == (409, "already_listed")
    missing = await rec.post(
        "/v1/recommendation-lists/2025/pilot/440000/entries",
        json={"declaration_id": ok},
        headers=_h(issuer, **{"Idempotency-Key": uuid.uuid4().hex}),
    )
    assert (missing.status_code, _code(missing)) == (404, "recommendation_list_not_found")


async def test_idempotent_replay_adds_once(rec, issuer, ready):
    await _open(rec, issuer)
    (did,) = await ready()
    first = await _add(rec, issuer, did, key="add-once-0001")
    second = await _add(rec, issuer, did, key="add-once-0001")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers["ETag"] == first.headers["ETag"]
    assert len((await _get(rec, issuer))["entries"]) == 1
    (another,) = await ready()
    other = await _add(rec, issuer, another, key="add-once-0001")
    assert (other.status_code, _code(other)) == (422, "idempotency_key_reused")
    no_key = await rec.post(f"{LIST}/entries", json={"declaration_id": did}, headers=_h(issuer))
    assert (no_key.status_code, _code(no_key)) == (428, "idempotency_key_required")


async def test_a_case_forwarded_by_the_province_goes_on_the_list(rec, issuer, make_event):
    event = make_event(region_code="440106")
    delivered = await rec.post(
        "/internal/events", json=event, headers=issuer.service_headers("declaration")
    )
    assert delivered.status_code == 200, delivered.text
    did = event["payload"]["declaration_id"]
    case = (await rec.get(f"/v1/cases/{did}", headers=_h(issuer))).json()
    forwarded = await rec.post(
        f"/v1/cases/{did}/opinions",
        json={"decision": "forward"},
        headers=_h(issuer, **{"If-Match": case["etag"], "Idempotency-Key": uuid.uuid4().hex}),
    )
    assert forwarded.json()["case"]["status"] == "awaiting_recommendation"
    await _open(rec, issuer)
    resp = await _add(rec, issuer, did)
    assert resp.status_code == 201, resp.text
    assert resp.json()["entries"][0]["factory_name"] == event["payload"]["factory_name"]


# --- the quota race ---------------------------------------------------------------------------


async def test_fifty_concurrent_additions_for_one_slot(rec, issuer, ready, clean_db):
    await _open(rec, issuer)
    first, *rest = await ready(51)
    assert (await _add(rec, issuer, first)).status_code == 201  # one slot remains
    responses = await asyncio.gather(*(_add(rec, issuer, did) for did in rest))
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 1, statuses
    assert statuses.count(409) == 49, statuses
    assert {_code(r) for r in responses if r.status_code == 409} == {"quota_exhausted"}
    assert await _counted_rows(clean_db) == 2
    body = await _get(rec, issuer)
    assert [e["rank"] for e in body["entries"]] == [1, 2]
    assert (body["counted"], body["remaining"]) == (2, 0)


async def test_concurrent_lock_unlock_and_additions_keep_the_invariant(
    rec, issuer, ready, clean_db, quota
):
    quota["limit"] = 5
    await _open(rec, issuer)
    dids = await ready(30)

    async def toggle(i: int) -> httpx.Response:
        action = "lock" if i % 2 == 0 else "unlock"
        return await rec.post(f"{LIST}/{action}", headers=_h(issuer, **{"If-Match": "*"}))

    calls = []
    for i, did in enumerate(dids):
        calls.append(_add(rec, issuer, did))
        if i % 3 == 0:
            calls.append(toggle(i))
    responses = await asyncio.gather(*calls)
    adds = [r for r in responses if r.request.url.path.endswith("/entries")]
    assert {r.status_code for r in responses} <= {200, 201, 409}
    assert {_code(r) for r in adds if r.status_code == 409} <= {"quota_exhausted", "list_locked"}
    ok = [r for r in adds if r.status_code == 201]
    assert all(r.json()["status"] == "open" for r in ok)
    assert await _counted_rows(clean_db) <= 5

    body = await _get(rec, issuer)
    assert body["counted"] == len(ok) == len(body["entries"]) <= 5
    # Replay the history: every addition happened while the list was open.
    state = None
    for h in body["history"]:
        if h["action"] in ("created", "unlocked"):
            state = "open"
        elif h["action"] == "locked":
            state = "locked"
        else:
            assert h["action"] == "added" and state == "open", body["history"]
    assert [h["row_version"] for h in body["history"]] == list(range(1, len(body["history"]) + 1))


# --- lock, unlock, preconditions --------------------------------------------------------------


async def test_lock_and_unlock(rec, issuer, ready):
    body = await _open(rec, issuer)
    a, b = await ready(2)
    assert (await _add(rec, issuer, a)).status_code == 201
    body = await _get(rec, issuer)
    no_match = await rec.post(f"{LIST}/lock", headers=_h(issuer))
    assert (no_match.status_code, _code(no_match)) == (428, "if_match_required")
    locked = await rec.post(f"{LIST}/lock", headers=_h(issuer, **{"If-Match": body["etag"]}))
    assert locked.status_code == 200, locked.text
    assert locked.json()["status"] == "locked"
    stale = await rec.post(f"{LIST}/unlock", headers=_h(issuer, **{"If-Match": body["etag"]}))
    assert (stale.status_code, _code(stale)) == (412, "stale_etag")

    refused = await _add(rec, issuer, b)
    assert (refused.status_code, _code(refused)) == (409, "list_locked")
    removal = await rec.delete(
        f"{LIST}/entries/{a}", headers=_h(issuer, **{"If-Match": locked.json()["etag"]})
    )
    assert (removal.status_code, _code(removal)) == (409, "list_locked")

    opened = await rec.post(
        f"{LIST}/unlock", headers=_h(issuer, **{"If-Match": locked.json()["etag"]})
    )
    assert opened.status_code == 200
    assert opened.json()["status"] == "open"
    assert (await _add(rec, issuer, b)).status_code == 201


async def test_removal_needs_a_fresh_if_match(rec, issuer, ready):
    await _open(rec, issuer)
    (a,) = await ready()
    added = await _add(rec, issuer, a)
    missing = await rec.delete(f"{LIST}/entries/{a}", headers=_h(issuer))
    assert (missing.status_code, _code(missing)) == (428, "if_match_required")
    stale = await rec.delete(
        f"{LIST}/entries/{a}", headers=_h(issuer, **{"If-Match": 'W/"recommendation-list-x-v1"'})
    )
    assert (stale.status_code, _code(stale)) == (412, "stale_etag")
    etag = added.json()["etag"]
    absent = await rec.delete(
        f"{LIST}/entries/{uuid.uuid4()}", headers=_h(issuer, **{"If-Match": etag})
    )
    assert (absent.status_code, _code(absent)) == (404, "entry_not_found")
    ok = await rec.delete(f"{LIST}/entries/{a}", headers=_h(issuer, **{"If-Match": etag}))
    assert ok.status_code == 200
    assert ok.json()["entries"] == []


# --- permissions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "region", "status", "code"),
    [
        ("county", "440106", 404, "recommendation_list_not_found"),
        ("city", "440100", 403, "forbidden"),
        ("ministry", None, 403, "forbidden"),
        ("enterprise", None, 403, "forbidden"),
        ("province", "350000", 404, "recommendation_list_not_found"),
    ],
)
async def test_only_the_province_of_the_unit(rec, issuer, ready, role, region, status, code):
    await _open(rec, issuer)
    (did,) = await ready()
    headers = issuer.headers(role, region=region) if region else issuer.headers(role)
    key = {"Idempotency-Key": uuid.uuid4().hex, "If-Match": "*"}
    for resp in (
        await rec.put(LIST, headers=headers),
        await rec.post(f"{LIST}/entries", json={"declaration_id": did}, headers={**headers, **key}),
        await rec.delete(f"{LIST}/entries/{did}", headers={**headers, **key}),
        await rec.post(f"{LIST}/lock", headers={**headers, **key}),
    ):
        assert (resp.status_code, _code(resp)) == (status, code), resp.request.url
    read = await rec.get(LIST, headers=headers)
    if role == "ministry":  # reads lists once submitted; this one is still the unit's draft
        assert (read.status_code, _code(read)) == (404, "recommendation_list_not_found")
    else:
        assert (read.status_code, _code(read)) == (status, code)
    assert (await rec.get(LIST)).status_code == 401


async def test_the_unit_must_be_a_province_code_or_a_ranking_unit(rec, issuer):
    county = issuer.headers("county", region="440106")
    # A Guangdong county does not rank (ranking_levels.yaml): it has no table.
    resp = await rec.put("/v1/recommendation-lists/2025/excellence/440106", headers=county)
    assert (resp.status_code, _code(resp)) == (404, "recommendation_list_not_found")
    resp = await rec.put("/v1/recommendation-lists/2025/excellence/44010", headers=_h(issuer))
    assert resp.status_code == 422
    resp = await rec.put("/v1/recommendation-lists/2025/basic/440000", headers=_h(issuer))
    assert resp.status_code == 422


# --- one If-Match, many writers at once (issue 12) ---------------------------------------------
# Every If-Match route of a list (removal, lock, unlock, order, submission) takes the list row
# `FOR UPDATE` (`_get(..., for_update=True)`) before `check_if_match(list_etag)`.


async def test_concurrent_removals_with_one_if_match_keep_exactly_one(rec, issuer, ready, quota):
    """6 removals of different entries racing with one If-Match: 1 × 200, 5 × 412, one
    `removed` in the history, and the stored entries are the winner's (issue 12)."""
    quota["limit"] = 6
    await _open(rec, issuer)
    dids = await ready(6)
    for did in dids:
        assert (await _add(rec, issuer, did)).status_code == 201
    etag = (await _get(rec, issuer))["etag"]
    answers = await asyncio.gather(
        *(
            rec.delete(f"{LIST}/entries/{did}", headers=_h(issuer, **{"If-Match": etag}))
            for did in dids
        )
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [412] * 5, [a.text for a in answers]
    (winner,) = [a for a in answers if a.status_code == 200]
    stored = await _get(rec, issuer)
    assert stored == winner.json()
    assert len(stored["entries"]) == 5 and [e["rank"] for e in stored["entries"]] == [1, 2, 3, 4, 5]
    assert [h["action"] for h in stored["history"]].count("removed") == 1


async def test_concurrent_locks_with_one_if_match_keep_exactly_one(rec, issuer, ready):
    """10 locks racing with one If-Match: 1 × 200, 9 × 412, one `locked` in the history, and
    the stored list is the winner's (issue 12). Unlocking takes the same path (`set_locked`)."""
    await _open(rec, issuer)
    (did,) = await ready()
    assert (await _add(rec, issuer, did)).status_code == 201
    etag = (await _get(rec, issuer))["etag"]
    answers = await asyncio.gather(
        *(rec.post(f"{LIST}/lock", headers=_h(issuer, **{"If-Match": etag})) for _ in range(10))
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [412] * 9, [a.text for a in answers]
    (winner,) = [a for a in answers if a.status_code == 200]
    stored = await _get(rec, issuer)
    assert stored == winner.json() and stored["status"] == "locked"
    assert [h["action"] for h in stored["history"]].count("locked") == 1
