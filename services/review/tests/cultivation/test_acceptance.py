"""The acceptance workflow (验收申请 → 初审 → 专家委验收认定): the full Fujian path, the default
and XPCC chains, and every guard refusing with a stable code and changing nothing."""

from __future__ import annotations

import asyncio

FUZHOU_USCC = "91350100M000100Y43"  # the make_case default
GUANGZHOU_USCC = "91440100M000100Y43"
CITY = {"region": "350100"}
PROVINCE = {"region": "350000"}


def _code(resp) -> str:
    return resp.json()["error"]["code"]


async def _ok(resp, status: int = 200) -> dict:
    assert resp.status_code == status, resp.text
    assert resp.headers["ETag"] == resp.json()["etag"]
    return resp.json()


async def _unchanged(api, did: str, before: dict) -> None:
    """Nothing changed: the same ETag (row version) and the same history."""
    now = await api.get(did)
    assert now["etag"] == before["etag"]
    assert now["history"] == before["history"]
    assert now["status"] == before["status"]


async def _at_expert_acceptance(api, did: str) -> None:
    await _ok(await api.apply(did))
    await _ok(await api.review(did, api.h("city", **CITY), "pass"))
    await _ok(await api.review(did, api.h("province", **PROVINCE), "pass"))


# --- the full path ---------------------------------------------------------------------------


async def test_fujian_full_path_to_the_public_list(api, make_case, outbox, clock):
    did = await make_case()
    await api.started(did, goals="建成全球领先的领航级智能工厂")
    # The ministry assigns the guiding experts; one reports guidance, the enterprise progress.
    await _ok(await api.experts(did, ["expert-1", "expert-2"]))
    report = await api.c.post(
        f"/v1/cultivations/{did}/reports",
        json={"period": "2026-H1", "text": "完成数字孪生工厂建设", "kpis": {"生产效率提升": 35.0}},
        headers={**api.enterprise(), **api.key()},
    )
    assert report.status_code == 201, report.text
    assert report.json()["kpis"] == {"生产效率提升": 35.0}
    note = await api.c.post(
        f"/v1/cultivations/{did}/guidance",
        json={"text": "建议加强供应链协同"},
        headers={**api.h("expert", sub="expert-1", name="王专家"), **api.key()},
    )
    assert note.status_code == 201, note.text
    assert (note.json()["expert"], note.json()["expert_name"]) == ("expert-1", "王专家")

    # Apply → the city (350100) holds it and forwards → the province returns it.
    body = await _ok(await api.apply(did))
    assert (body["status"], body["level"], body["holder"]) == (
        "acceptance_initial_review",
        "city",
        "350100",
    )
    assert body["application"]["summary"].startswith("培育目标均已达到")
    body = await _ok(await api.review(did, api.h("city", **CITY), "pass"))
    assert (body["level"], body["holder"]) == ("province", "350000")
    body = await _ok(
        await api.review(did, api.h("province", **PROVINCE), "return", reasons="佐证材料不足")
    )
    assert (body["status"], body["level"], body["holder"]) == ("cultivating", None, None)

    # The enterprise applies again; this time the province passes it to the committee.
    clock.advance(days=30)
    await _ok(await api.apply(did, summary="补充佐证材料后再次申请"))
    await _ok(await api.review(did, api.h("city", **CITY), "pass"))
    body = await _ok(await api.review(did, api.h("province", **PROVINCE), "pass"))
    assert (body["status"], body["level"], body["holder"]) == ("expert_acceptance", None, None)
    clock.advance(days=10)
    body = await _ok(await api.decide(did, "accept", conclusion="达到领航级智能工厂要求"))
    assert (body["status"], body["conclusion"]) == ("accepted", "达到领航级智能工厂要求")
    assert body["reports"] == 1
    assert body["application"]["summary"] == "补充佐证材料后再次申请"

    assert [(h["event"], h["to_status"], h["level"]) for h in body["history"]] == [
        ("started", "cultivating", None),
        ("experts_assigned", "cultivating", None),
        ("acceptance_applied", "acceptance_initial_review", "city"),
        ("forwarded", "acceptance_initial_review", "province"),
        ("application_returned", "cultivating", None),
        ("acceptance_applied", "acceptance_initial_review", "city"),
        ("forwarded", "acceptance_initial_review", "province"),
        ("initial_review_passed", "expert_acceptance", None),
        ("accepted", "accepted", None),
    ]
    returned = body["history"][4]
    assert (returned["actor"], returned["reason"]) == ("test-province", "佐证材料不足")
    assert [t for t, _, _ in await outbox()] == [
        "cultivation.started",
        "cultivation.acceptance_applied",
        "cultivation.forwarded",
        "cultivation.application_returned",
        "cultivation.acceptance_applied",
        "cultivation.forwarded",
        "cultivation.initial_review_passed",
        "cultivation.accepted",
    ]
    assert {d for _, d, _ in await outbox()} == {"declaration"}

    # On the public list, no token needed; the accepted date is Beijing's.
    public = await api.c.get("/public/v1/leading-factories")
    assert public.status_code == 200, public.text
    assert public.json()["total"] == 1
    [item] = public.json()["items"]
    assert item == {
        "enterprise_name": body["enterprise_name"],
        "factory_name": body["factory_name"],
        "region_code": "350102",
        "accepted_on": "2026-02-19",
    }
    # A closed record takes no more reports (and its pending reminders are cancelled).
    late = await api.c.post(
        f"/v1/cultivations/{did}/reports",
        json={"period": "2026-Q3", "text": "继续推广"},
        headers={**api.enterprise(), **api.key()},
    )
    assert late.status_code == 409
    assert _code(late) == "cultivation_closed"


async def test_the_default_chain_is_the_province_alone_and_a_failure_ends_it(
    api, make_case, outbox
):
    did = await make_case(region="440106", uscc=GUANGZHOU_USCC)
    await api.started(did)
    body = await _ok(await api.apply(did, api.enterprise(GUANGZHOU_USCC)))
    assert (body["level"], body["holder"]) == ("province", "440000")
    body = await _ok(await api.review(did, api.h("province", region="440000"), "pass"))
    assert body["status"] == "expert_acceptance"
    body = await _ok(await api.decide(did, "fail", conclusion="未达到全球领先水平"))
    assert (body["status"], body["conclusion"]) == ("failed", "未达到全球领先水平")
    assert (await outbox())[-1][0] == "cultivation.failed"
    public = await api.c.get("/public/v1/leading-factories")
    assert public.json()["total"] == 0


async def test_the_xpcc_holds_its_own_application(api, make_case):
    did = await make_case(region="659001", unit="xpcc", uscc="91659001M000100Y43")
    await api.started(did)
    applicant = api.enterprise("91659001M000100Y43")
    body = await _ok(await api.apply(did, applicant))
    assert (body["level"], body["holder"]) == ("province", "xpcc")
    # Xinjiang's own province authority (650000) does not see the 兵团's record.
    xinjiang = await api.review(did, api.h("province", region="650000"), "pass")
    assert xinjiang.status_code == 404
    body = await _ok(await api.review(did, api.h("province", region="xpcc"), "pass"))
    assert body["status"] == "expert_acceptance"


async def test_pingtan_receives_its_own_acceptance_application_as_the_city(api, make_case):
    """321号 四(六) "向所在地市工信部门提交验收申请": for 平潭 that is 平潭综合实验区经发局
    (a city-level unit under the province), not 福州."""
    uscc = "91350128M000100Y43"
    did = await make_case(region="350128", uscc=uscc)
    await api.started(did)
    body = await _ok(await api.apply(did, api.enterprise(uscc)))
    assert (body["level"], body["holder"]) == ("city", "350128")
    fuzhou = await api.review(did, api.h("city", region="350100"), "pass")
    assert fuzhou.status_code == 404
    body = await _ok(await api.review(did, api.h("city", region="350128"), "pass"))
    assert (body["level"], body["holder"]) == ("province", "350000")


# --- guards of the application -----------------------------------------------------------------


async def test_apply_guards(api, make_case):
    did = await make_case()
    await api.started(did)
    before = await api.get(did)
    # Wrong role: 403; another enterprise: 404; no If-Match: 428; stale: 412.
    resp = await api.apply(did, api.h("province", **PROVINCE))
    assert (resp.status_code, _code(resp)) == (403, "forbidden")
    resp = await api.apply(did, api.enterprise(GUANGZHOU_USCC))
    assert (resp.status_code, _code(resp)) == (404, "cultivation_not_found")
    resp = await api.apply(did, if_match=None)
    assert (resp.status_code, _code(resp)) == (428, "if_match_required")
    resp = await api.apply(did, if_match='W/"cultivation-x-v0"')
    assert (resp.status_code, _code(resp)) == (412, "stale_etag")
    resp = await api.apply(did, key=False)
    assert (resp.status_code, _code(resp)) == (428, "idempotency_key_required")
    await _unchanged(api, did, before)
    # Wrong state: under review already.
    await _ok(await api.apply(did))
    before = await api.get(did)
    resp = await api.apply(did)
    assert (resp.status_code, _code(resp)) == (409, "not_cultivating")
    await _unchanged(api, did, before)


async def test_an_application_is_replayed_by_its_key(api, make_case):
    did = await make_case()
    await api.started(did)
    etag = (await api.get(did))["etag"]
    headers = {**api.enterprise(), "If-Match": etag, "Idempotency-Key": "apply-key-0001"}
    body = {"summary": "培育目标均已达到"}
    url = f"/v1/cultivations/{did}/acceptance-application"
    first = await api.c.post(url, json=body, headers=headers)
    again = await api.c.post(url, json=body, headers=headers)
    assert (first.status_code, again.status_code) == (200, 200)
    assert first.json() == again.json()
    assert again.headers["ETag"] == first.headers["ETag"]
    assert len((await api.get(did))["history"]) == 2


# --- guards of the initial review --------------------------------------------------------------


async def test_initial_review_guards(api, make_case):
    did = await make_case()
    await api.started(did)
    before = await api.get(did)
    # Wrong state: nothing applied for.
    resp = await api.review(did, api.h("city", **CITY), "pass")
    assert (resp.status_code, _code(resp)) == (409, "not_awaiting_initial_review")
    await _unchanged(api, did, before)

    await _ok(await api.apply(did))
    before = await api.get(did)
    cases = [
        # Wrong role (route level): enterprise, ministry, expert, county.
        (api.enterprise(), 403, "forbidden"),
        (api.ministry, 403, "forbidden"),
        (api.h("expert"), 403, "forbidden"),
        (api.h("county", region="350102"), 403, "forbidden"),
        # Another region: 404, no leak.
        (api.h("city", region="350200"), 404, "cultivation_not_found"),
        (api.h("province", region="440000"), 404, "cultivation_not_found"),
        # In the region but not holding it: the province while the city has it.
        (api.h("province", **PROVINCE), 403, "not_acceptance_holder"),
    ]
    for headers, status, code in cases:
        resp = await api.review(did, headers, "pass")
        assert (resp.status_code, _code(resp)) == (status, code), headers
    # The city receives and forwards; returning is the province's initial review.
    resp = await api.review(did, api.h("city", **CITY), "return", reasons="材料不全")
    assert (resp.status_code, _code(resp)) == (409, "return_reserved_for_initial_review")
    resp = await api.review(did, api.h("city", **CITY), "pass", if_match=None)
    assert (resp.status_code, _code(resp)) == (428, "if_match_required")
    resp = await api.review(did, api.h("city", **CITY), "pass", if_match='W/"x"')
    assert (resp.status_code, _code(resp)) == (412, "stale_etag")
    await _unchanged(api, did, before)

    await _ok(await api.review(did, api.h("city", **CITY), "pass"))
    before = await api.get(did)
    # Now the city no longer holds it; a return without reasons is refused.
    resp = await api.review(did, api.h("city", **CITY), "pass")
    assert (resp.status_code, _code(resp)) == (403, "not_acceptance_holder")
    resp = await api.review(did, api.h("province", **PROVINCE), "return", reasons="  ")
    assert (resp.status_code, _code(resp)) == (422, "reasons_required")
    resp = await api.review(did, api.h("province", **PROVINCE), "return")
    assert (resp.status_code, _code(resp)) == (422, "reasons_required")
    await _unchanged(api, did, before)


# --- guards of the committee's conclusion ------------------------------------------------------


async def test_acceptance_decision_guards(api, make_case):
    did = await make_case()
    await api.started(did)
    before = await api.get(did)
    resp = await api.decide(did, "accept")
    assert (resp.status_code, _code(resp)) == (409, "not_awaiting_expert_acceptance")
    await _unchanged(api, did, before)

    await _at_expert_acceptance(api, did)
    before = await api.get(did)
    for headers in (api.h("province", **PROVINCE), api.enterprise(), api.h("expert")):
        resp = await api.decide(did, "accept", headers)
        assert (resp.status_code, _code(resp)) == (403, "forbidden")
    resp = await api.decide(did, "fail")
    assert (resp.status_code, _code(resp)) == (422, "reasons_required")
    resp = await api.decide(did, "accept", if_match=None)
    assert (resp.status_code, _code(resp)) == (428, "if_match_required")
    resp = await api.decide(did, "accept", if_match='W/"x"')
    assert (resp.status_code, _code(resp)) == (412, "stale_etag")
    await _unchanged(api, did, before)

    await _ok(await api.decide(did, "accept"))
    before = await api.get(did)
    resp = await api.decide(did, "fail", conclusion="重复")
    assert (resp.status_code, _code(resp)) == (409, "not_awaiting_expert_acceptance")
    resp = await api.review(did, api.h("province", **PROVINCE), "pass")
    assert (resp.status_code, _code(resp)) == (409, "not_awaiting_initial_review")
    resp = await api.apply(did)
    assert (resp.status_code, _code(resp)) == (409, "not_cultivating")
    await _unchanged(api, did, before)


# --- experts, reports, guidance ----------------------------------------------------------------


async def test_experts_guards(api, make_case):
    did = await make_case()
    await api.started(did)
    before = await api.get(did)
    resp = await api.experts(did, ["e1"], api.h("province", **PROVINCE))
    assert (resp.status_code, _code(resp)) == (403, "forbidden")
    resp = await api.experts(did, ["e1"], if_match=None)
    assert (resp.status_code, _code(resp)) == (428, "if_match_required")
    resp = await api.experts(did, ["e1"], if_match='W/"x"')
    assert (resp.status_code, _code(resp)) == (412, "stale_etag")
    resp = await api.experts(did, ["e1", "e1"])
    assert (resp.status_code, _code(resp)) == (422, "validation_error")
    await _unchanged(api, did, before)
    # Closed: no more changes.
    await _at_expert_acceptance(api, did)
    await _ok(await api.decide(did, "fail", conclusion="未达标"))
    before = await api.get(did)
    resp = await api.experts(did, ["e1"])
    assert (resp.status_code, _code(resp)) == (409, "cultivation_closed")
    await _unchanged(api, did, before)


async def test_reports_guards_and_pages(api, make_case):
    did = await make_case()
    await api.started(did)
    url = f"/v1/cultivations/{did}/reports"
    body = {"period": "2026-Q1", "text": "进展"}
    for headers, status, code in (
        (api.h("province", **PROVINCE), 403, "forbidden"),
        (api.h("expert"), 403, "forbidden"),
        (api.enterprise(GUANGZHOU_USCC), 404, "cultivation_not_found"),
    ):
        resp = await api.c.post(url, json=body, headers={**headers, **api.key()})
        assert (resp.status_code, _code(resp)) == (status, code)
    too_long = {"period": "2026-Q1", "text": "长" * 10_001}
    resp = await api.c.post(url, json=too_long, headers={**api.enterprise(), **api.key()})
    assert (resp.status_code, _code(resp)) == (422, "validation_error")
    resp = await api.c.post(url, json=body, headers=api.enterprise())
    assert (resp.status_code, _code(resp)) == (428, "idempotency_key_required")
    assert (await api.get(did))["reports"] == 0

    for i in range(3):
        resp = await api.c.post(
            url,
            json={"period": f"2026-Q{i + 1}", "text": f"进展{i}"},
            headers={**api.enterprise(), **api.key()},
        )
        assert resp.status_code == 201, resp.text
    page = await api.c.get(url + "?page=2&page_size=2", headers=api.enterprise())
    assert page.status_code == 200, page.text
    assert (page.json()["total"], [r["period"] for r in page.json()["items"]]) == (3, ["2026-Q3"])
    other = await api.c.get(url, headers=api.enterprise(GUANGZHOU_USCC))
    assert other.status_code == 404
    detail = await api.get(did)
    assert detail["reports"] == 3
    assert len(detail["history"]) == 1  # reports are not transitions


async def test_guidance_only_by_an_assigned_expert(api, make_case):
    did = await make_case()
    await api.started(did)
    await _ok(await api.experts(did, ["expert-1"]))
    url = f"/v1/cultivations/{did}/guidance"
    body = {"text": "建议"}
    for headers, status, code in (
        (api.h("expert", sub="expert-9"), 404, "cultivation_not_found"),
        (api.enterprise(), 403, "forbidden"),
        (api.ministry, 403, "forbidden"),
    ):
        resp = await api.c.post(url, json=body, headers={**headers, **api.key()})
        assert (resp.status_code, _code(resp)) == (status, code)
    resp = await api.c.post(
        url, json=body, headers={**api.h("expert", sub="expert-1"), **api.key()}
    )
    assert resp.status_code == 201, resp.text
    listed = await api.c.get(url, headers=api.enterprise())
    assert [n["text"] for n in listed.json()["items"]] == ["建议"]
    # Unassigned, the expert no longer sees it.
    await _ok(await api.experts(did, ["expert-2"]))
    resp = await api.c.post(
        url, json=body, headers={**api.h("expert", sub="expert-1"), **api.key()}
    )
    assert (resp.status_code, _code(resp)) == (404, "cultivation_not_found")


async def test_the_enterprise_reads_its_own_record_only(api, make_case):
    uscc = FUZHOU_USCC
    mine = await make_case(uscc=uscc)
    theirs = await make_case(region="440106", uscc=GUANGZHOU_USCC)
    await api.started(mine)
    await api.started(theirs)
    assert (await api.read(mine, api.enterprise(uscc))).status_code == 200
    resp = await api.read(theirs, api.enterprise(uscc))
    assert (resp.status_code, _code(resp)) == (404, "cultivation_not_found")
    listed = await api.c.get("/v1/cultivations", headers=api.enterprise(uscc))
    assert [r["declaration_id"] for r in listed.json()["items"]] == [mine]


# --- one If-Match, many writers at once (issue 12) ---------------------------------------------
# The four If-Match routes of a record share one row and one lock path: `get_readable(...,
# for_update=True)`, then `check_if_match(record_etag)`; each is raced once.


async def _race(edit, n: int = 10) -> tuple[dict, list]:
    """`n` calls of `edit(i)` at once: the one 200's body and the refusals."""
    answers = await asyncio.gather(*(edit(i) for i in range(n)))
    won = [a for a in answers if a.status_code == 200]
    assert len(won) == 1, [a.text for a in answers]
    return await _ok(won[0]), [a for a in answers if a.status_code != 200]


def _events(record: dict, event: str) -> int:
    return [h["event"] for h in record["history"]].count(event)


async def test_concurrent_expert_assignments_with_one_if_match_keep_exactly_one(api, make_case):
    did = await make_case()
    await api.started(did)
    tag = (await api.get(did))["etag"]
    winner, refused = await _race(lambda i: api.experts(did, [f"expert-{i}"], if_match=tag))
    assert sorted((r.status_code, _code(r)) for r in refused) == [(412, "stale_etag")] * 9
    stored = await api.get(did)
    assert stored == winner and stored["experts"] == winner["experts"]
    assert _events(stored, "experts_assigned") == 1


async def test_concurrent_applications_with_one_if_match_keep_exactly_one(api, make_case, outbox):
    did = await make_case()
    await api.started(did)
    tag = (await api.get(did))["etag"]
    winner, refused = await _race(lambda i: api.apply(did, if_match=tag, summary=f"第{i}次申请"))
    assert sorted((r.status_code, _code(r)) for r in refused) == [(412, "stale_etag")] * 9
    stored = await api.get(did)
    assert stored == winner
    assert _events(stored, "acceptance_applied") == 1
    assert [t for t, _, _ in await outbox()].count("cultivation.acceptance_applied") == 1


async def test_concurrent_initial_reviews_with_one_if_match_keep_exactly_one(api, make_case):
    """The holder is checked before the ETag: the city's nine losers, queued behind the lock,
    find the province holding it (403 `not_acceptance_holder`)."""
    did = await make_case()
    await api.started(did)
    await _ok(await api.apply(did))
    tag = (await api.get(did))["etag"]
    city = api.h("city", **CITY)
    winner, refused = await _race(lambda i: api.review(did, city, "pass", if_match=tag))
    assert (
        sorted((r.status_code, _code(r)) for r in refused) == [(403, "not_acceptance_holder")] * 9
    )
    stored = await api.get(did)
    assert stored == winner and (stored["level"], stored["holder"]) == ("province", "350000")
    assert _events(stored, "forwarded") == 1


async def test_concurrent_acceptance_decisions_with_one_if_match_keep_exactly_one(
    api, make_case, outbox
):
    did = await make_case()
    await api.started(did)
    await _at_expert_acceptance(api, did)
    tag = (await api.get(did))["etag"]

    def decide(i: int):
        if i % 2:
            return api.decide(did, "accept", if_match=tag, conclusion=f"达到要求{i}")
        return api.decide(did, "fail", if_match=tag, conclusion=f"未达标{i}")

    winner, refused = await _race(decide)
    assert sorted((r.status_code, _code(r)) for r in refused) == [(412, "stale_etag")] * 9
    stored = await api.get(did)
    assert stored == winner
    assert _events(stored, "accepted") + _events(stored, "failed") == 1
    told = [t for t, _, _ in await outbox()]
    assert told.count("cultivation.accepted") + told.count("cultivation.failed") == 1
