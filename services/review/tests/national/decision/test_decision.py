"""The decision: select (scores complete; 领航级 after its 现场核查) or reject with reasons,
each guard refusing with its code and nothing changed."""

from __future__ import annotations

import uuid

import pytest
from national_facts import code


async def _refused(nat, did, body, status, error) -> None:
    before = (await nat.status(did), await nat.row_version(did), await nat.events(did))
    resp = await nat.post(did, "decision", body)
    assert resp.status_code == status and code(resp) == error, resp.text
    assert (await nat.status(did), await nat.row_version(did), await nat.events(did)) == before
    return resp


async def test_an_excellence_case_is_selected_once_every_reviewer_scored(nat):
    did, experts = await nat.in_review()
    await nat.score(did, experts[0])
    resp = await _refused(nat, did, {"outcome": "select"}, 409, "scores_incomplete")
    assert set(resp.json()["error"]["details"]["unscored"]) == {e["id"] for e in experts[1:]}
    for e in experts[1:]:
        await nat.score(did, e)
    ok = await nat.post(did, "decision", {"outcome": "select", "reasons": "综合评分靠前"})
    assert ok.status_code == 200, ok.text
    assert ok.json()["status"] == "selected"
    last = ok.json()["history"][-1]
    assert (last["event"], last["from_status"], last["reason"]) == (
        "selected",
        "in_expert_review",
        "综合评分靠前",
    )
    told = (await nat.status_events(did))[-1]
    assert (told["status"], told.get("reason")) == ("selected", None)


async def test_no_reviewer_no_selection(nat):
    did = await nat.case("in_expert_review")
    await _refused(nat, did, {"outcome": "select"}, 409, "scores_incomplete")


async def test_a_pilot_case_is_selected_only_after_its_onsite_verification(nat, client):
    did, experts = await nat.scored("pilot")
    await _refused(nat, did, {"outcome": "select"}, 409, "onsite_verification_required")
    onsite = (await nat.schedule_onsite(did, experts[:2])).json()
    resp = await _refused(nat, did, {"outcome": "select"}, 409, "onsite_findings_missing")
    assert len(resp.json()["error"]["details"]["unrecorded"]) == len(onsite["items"])
    await nat.sql(
        "UPDATE review.national_onsite_item SET finding = 'verified' "
        "WHERE onsite_id IN (SELECT o.id FROM review.national_onsite o JOIN review.review_case c "
        "ON c.id = o.case_id WHERE c.declaration_id = :d)",
        d=did,
    )
    await _refused(nat, did, {"outcome": "select"}, 409, "onsite_findings_missing")  # conclusion
    fresh = (await client.get(f"/v1/national/cases/{did}/onsite", headers=nat.ministry())).json()
    r = await client.put(
        f"/v1/national/cases/{did}/onsite/conclusion",
        json={"conclusion": "属实"},
        headers=nat.ministry(**{"If-Match": fresh["etag"]}),
    )
    assert r.status_code == 200
    ok = await nat.post(did, "decision", {"outcome": "select"})
    assert ok.status_code == 200 and ok.json()["status"] == "selected"


@pytest.mark.parametrize("tier", ["excellence", "pilot"])
async def test_reject_needs_reasons_and_is_final(nat, tier):
    did, _ = await nat.in_review(tier)
    await _refused(nat, did, {"outcome": "reject"}, 422, "reasons_required")
    ok = await nat.post(did, "decision", {"outcome": "reject", "reasons": "智能化水平不足"})
    assert ok.status_code == 200 and ok.json()["status"] == "not_selected"
    told = (await nat.status_events(did))[-1]
    assert (told["status"], told["reason"]) == ("not_selected", "智能化水平不足")
    await _refused(nat, did, {"outcome": "select"}, 409, "transition_not_allowed")


@pytest.mark.parametrize("status", ["recommended", "selected", "in_publicity", "published"])
async def test_deciding_from_another_status_is_refused(nat, status):
    did = await nat.case(status)
    await _refused(nat, did, {"outcome": "reject", "reasons": "x"}, 409, "transition_not_allowed")


async def test_decision_guards_role_reach_and_preconditions(nat, client, issuer):
    did, experts = await nat.scored()
    url = f"/v1/national/cases/{did}/decision"
    etag = await nat.etag(did)
    for headers in (nat.expert(experts[0]["account"]), issuer.headers("province", region="350000")):
        resp = await client.post(
            url,
            json={"outcome": "select"},
            headers={**headers, "If-Match": etag, "Idempotency-Key": uuid.uuid4().hex},
        )
        assert resp.status_code == 403
    unknown = await client.post(
        f"/v1/national/cases/{uuid.uuid4()}/decision",
        json={"outcome": "select"},
        headers=nat.keyed("*"),
    )
    assert unknown.status_code == 404 and code(unknown) == "case_not_found"
    stale = await client.post(url, json={"outcome": "select"}, headers=nat.keyed('W/"x"'))
    assert stale.status_code == 412
    assert await nat.status(did) == "in_expert_review"


async def test_no_selection_after_the_publicity_is_announced(nat, client):
    first = await nat.selected()
    late, _ = await nat.scored()
    draft = await client.post(
        "/v1/national/publicities",
        json={"campaign_year": 2025, "tier": "excellence"},
        headers=nat.keyed(),
    )
    announced = await client.post(
        "/v1/national/publicities/2025/excellence/announce", headers=nat.keyed(draft.json()["etag"])
    )
    assert announced.status_code == 200, announced.text
    assert await nat.status(first) == "in_publicity"
    await _refused(nat, late, {"outcome": "select"}, 409, "publicity_announced")
    # the late case can still be rejected
    ok = await nat.post(late, "decision", {"outcome": "reject", "reasons": "本批次公示已发布"})
    assert ok.status_code == 200
