"""形式审查 and the national case view: moves with history and status events, and the guards
(wrong status, wrong role, out of reach, preconditions) changing nothing."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from national_facts import code


async def test_a_pass_sends_the_case_to_the_expert_review(nat):
    did = await nat.case()
    resp = await nat.post(did, "formal-check", {"outcome": "pass"})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["status"] == "in_expert_review"
    assert resp.headers["ETag"] == body["etag"] == (await nat.read(did))["etag"]
    last = body["history"][-1]
    assert (last["event"], last["from_status"], last["to_status"], last["actor"]) == (
        "passed_formal_check",
        "recommended",
        "in_expert_review",
        "ministry-official",
    )
    told = (await nat.status_events(did))[-1]
    assert (told["event"], told["status"]) == ("passed_formal_check", "in_expert_review")
    assert "reason" not in told


async def test_a_fail_with_reasons_ends_the_case_and_tells_the_enterprise_why(nat):
    did = await nat.case()
    resp = await nat.post(did, "formal-check", {"outcome": "fail", "reasons": "缺少推荐函"})
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "formal_check_failed"
    assert resp.json()["history"][-1]["reason"] == "缺少推荐函"
    told = (await nat.status_events(did))[-1]
    assert (told["status"], told["reason"]) == ("formal_check_failed", "缺少推荐函")


async def test_a_fail_without_reasons_is_refused_and_changes_nothing(nat):
    did = await nat.case()
    before = await nat.row_version(did)
    resp = await nat.post(did, "formal-check", {"outcome": "fail", "reasons": "  "})
    assert resp.status_code == 422 and code(resp) == "reasons_required"
    assert (await nat.status(did), await nat.row_version(did)) == ("recommended", before)


@pytest.mark.parametrize("status", ["awaiting_recommendation", "in_expert_review", "published"])
async def test_a_case_not_recommended_cannot_be_checked(nat, status):
    did = await nat.case(status)
    events = await nat.events(did)
    resp = await nat.post(did, "formal-check", {"outcome": "pass"})
    assert resp.status_code == 409 and code(resp) == "transition_not_allowed"
    assert resp.json()["error"]["details"] == {"status": status, "action": "pass_formal_check"}
    assert (await nat.status(did), await nat.events(did)) == (status, events)


@pytest.mark.parametrize("role", ["province", "expert", "central_soe_hq", "enterprise"])
async def test_only_the_ministry_checks(nat, client, issuer, role):
    did = await nat.case()
    etag = await nat.etag(did)
    headers = {
        **issuer.headers(role, region="350000"),
        "If-Match": etag,
        "Idempotency-Key": uuid.uuid4().hex,
    }
    resp = await client.post(
        f"/v1/national/cases/{did}/formal-check", json={"outcome": "pass"}, headers=headers
    )
    assert resp.status_code == 403 and code(resp) == "forbidden"
    assert await nat.status(did) == "recommended"


async def test_an_unknown_case_is_404(nat, client):
    resp = await client.post(
        f"/v1/national/cases/{uuid.uuid4()}/formal-check",
        json={"outcome": "pass"},
        headers=nat.keyed("*"),
    )
    assert resp.status_code == 404 and code(resp) == "case_not_found"


async def test_preconditions_and_replay(nat, client):
    did = await nat.case()
    url = f"/v1/national/cases/{did}/formal-check"
    no_etag = await client.post(url, json={"outcome": "pass"}, headers=nat.keyed())
    assert no_etag.status_code == 428 and code(no_etag) == "if_match_required"
    stale = await client.post(url, json={"outcome": "pass"}, headers=nat.keyed('W/"old"'))
    assert stale.status_code == 412
    no_key = await client.post(
        url, json={"outcome": "pass"}, headers=nat.ministry(**{"If-Match": await nat.etag(did)})
    )
    assert no_key.status_code == 428 and code(no_key) == "idempotency_key_required"
    assert await nat.status(did) == "recommended"

    headers = nat.keyed(await nat.etag(did))
    first = await client.post(url, json={"outcome": "pass"}, headers=headers)
    replay = await client.post(url, json={"outcome": "pass"}, headers=headers)
    assert first.status_code == replay.status_code == 200
    assert replay.json() == first.json() and replay.headers["ETag"] == first.headers["ETag"]
    assert (await nat.events(did)).count("passed_formal_check") == 1


async def test_experts_see_only_the_cases_they_are_on(nat, client):
    did, experts = await nat.in_review()
    other = await nat.case()
    me = nat.expert(experts[0]["account"])
    mine = await client.get(f"/v1/national/cases/{did}", headers=me)
    assert mine.status_code == 200
    assert mine.json()["experts"] is None  # who else reviews is the ministry's to know
    assert mine.json()["details"]["integrators"] == ["华数智能系统集成有限公司"]
    assert (await client.get(f"/v1/national/cases/{other}", headers=me)).status_code == 404
    listed = await client.get("/v1/national/cases", headers=me)
    assert [c["declaration_id"] for c in listed.json()["items"]] == [did]
    stranger = nat.expert("not-in-the-pool")
    assert (await client.get(f"/v1/national/cases/{did}", headers=stranger)).status_code == 404
    assert (await client.get("/v1/national/cases", headers=stranger)).json()["total"] == 0


async def test_the_ministry_lists_the_national_cases_with_filters(nat, client):
    in_review, _ = await nat.in_review()
    recommended = await nat.case()
    await nat.case("awaiting_initial_review")  # not in the national review yet
    await nat.case(tier="pilot")

    async def ids(**params) -> set[str]:
        resp = await client.get("/v1/national/cases", params=params, headers=nat.ministry())
        assert resp.status_code == 200, resp.text
        return {c["declaration_id"] for c in resp.json()["items"]}

    assert len(await ids()) == 3
    assert await ids(status="in_expert_review") == {in_review}
    assert await ids(tier="excellence", status="recommended") == {recommended}
    assert len(await ids(campaign=2025, tier="pilot")) == 1
    provinces = await client.get(
        "/v1/national/cases", headers=nat.issuer.headers("province", region="350000")
    )
    assert provinces.status_code == 403


async def test_concurrent_formal_checks_with_one_if_match_keep_exactly_one(nat, client):
    """10 形式审查 racing with one If-Match, passes and fails mixed (each with its own
    Idempotency-Key): 1 × 200, 9 × 412 (the case is locked before its ETag is compared), one
    move in the history, and the stored case is the winner's (issue 12). The case's other
    If-Match moves (reviewers, 现场核查 scheduling, decision) take the same path:
    `reach(..., for_update=True)` then `check_if_match(case_etag)`."""
    did = await nat.case()
    tag = await nat.etag(did)
    bodies = [
        {"outcome": "pass"} if i % 2 else {"outcome": "fail", "reasons": f"缺少推荐函{i}"}
        for i in range(10)
    ]
    answers = await asyncio.gather(
        *(
            client.post(f"/v1/national/cases/{did}/formal-check", json=body, headers=nat.keyed(tag))
            for body in bodies
        )
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [412] * 9, statuses
    (winner,) = [a for a in answers if a.status_code == 200]
    assert await nat.read(did) == winner.json()
    checked = ("passed_formal_check", "failed_formal_check")
    moves = [e for e in await nat.events(did) if e in checked]
    assert len(moves) == 1, moves
    assert (await nat.status_events(did))[-1]["status"] == winner.json()["status"]
