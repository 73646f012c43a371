"""Score sheets: an assigned reviewer writes their own (create, then If-Match), the aggregate
is the mean of weighted totals, experts see only their own sheet until the decision."""

from __future__ import annotations

import asyncio

import pytest
from national_facts import code, full_sheet

from ladder.review.national.data import NationalTier, national


def _sheet(**scores: float) -> dict[str, float]:
    return {**full_sheet(), **scores}


async def _scores(client, did, headers) -> dict:
    resp = await client.get(f"/v1/national/cases/{did}/scores", headers=headers)
    assert resp.status_code == 200, resp.text
    return resp.json()


async def test_a_reviewer_creates_then_changes_their_sheet_with_if_match(nat):
    did, (me, *_) = await nat.in_review()
    created = await nat.score(did, me, _sheet(kpi=60))
    assert created.status_code == 201, created.text
    sheet = created.json()
    assert created.headers["ETag"] == sheet["etag"]
    assert sheet["scores"]["kpi"] == 60
    without = await nat.score(did, me, _sheet(kpi=70))
    assert without.status_code == 428 and code(without) == "if_match_required"
    changed = await nat.score(did, me, _sheet(kpi=70), **{"If-Match": sheet["etag"]})
    assert changed.status_code == 200 and changed.json()["scores"]["kpi"] == 70
    stale = await nat.score(did, me, _sheet(kpi=75), **{"If-Match": sheet["etag"]})
    assert stale.status_code == 412
    only_create = await nat.score(did, me, _sheet(), **{"If-None-Match": "*"})
    assert only_create.status_code == 412


@pytest.mark.parametrize(
    ("sheet", "problem"),
    [
        ({"kpi": 80}, "missing"),
        ({**full_sheet(), "bonus": 5}, "unknown"),
        ({**full_sheet(), "kpi": 101}, "out_of_range"),
        ({**full_sheet(), "kpi": -1}, "out_of_range"),
    ],
)
async def test_a_sheet_scores_every_criterion_within_its_max(nat, sheet, problem):
    did, (me, *_) = await nat.in_review()
    resp = await nat.score(did, me, sheet)
    assert resp.status_code == 422 and code(resp) == "score_sheet_invalid"
    assert resp.json()["error"]["details"][problem]
    assert (await _scores(nat.client, did, nat.ministry()))["sheets"] == []


async def test_the_aggregate_is_the_mean_of_weighted_totals(nat, client):
    did, (a, b, c) = await nat.in_review()
    criteria = national().criteria.for_tier(NationalTier.excellence)
    weights = sum(k.weight for k in criteria)
    low = {k.key: 50.0 for k in criteria}
    high = {**low, "construction": 100.0}
    assert (await nat.score(did, a, low)).status_code == 201
    assert (await nat.score(did, b, high)).status_code == 201
    body = await _scores(client, did, nat.ministry())
    expected_high = round(50 + 50 * criteria[0].weight / weights, 2)
    assert criteria[0].key == "construction"
    assert {s["expert_id"]: s["total"] for s in body["sheets"]} == {
        a["id"]: 50.0,
        b["id"]: expected_high,
    }
    agg = body["aggregate"]
    assert agg["sheets"] == 2
    assert agg["mean_total"] == round((50 + expected_high) / 2, 2)
    assert agg["criterion_means"]["construction"] == 75.0
    assert (body["assigned"], body["unscored"]) == (3, [c["id"]])
    assert [k["key"] for k in body["criteria"]] == [k.key for k in criteria]


async def test_experts_see_their_own_sheet_until_the_decision_then_all(nat, client):
    did, experts = await nat.scored()
    me = nat.expert(experts[0]["account"])
    before = await _scores(client, did, me)
    assert [s["expert_id"] for s in before["sheets"]] == [experts[0]["id"]]
    assert before["aggregate"] is None and before["unscored"] is None
    resp = await nat.post(did, "decision", {"outcome": "select"})
    assert resp.status_code == 200, resp.text
    after = await _scores(client, did, me)
    assert len(after["sheets"]) == 3 and after["aggregate"]["mean_total"] == 80.0
    closed = await nat.score(
        did, experts[0], full_sheet(), **{"If-Match": before["sheets"][0]["etag"]}
    )
    assert closed.status_code == 409 and code(closed) == "scoring_closed"


async def test_only_an_assigned_reviewer_scores(nat, client, issuer):
    did, _ = await nat.in_review()
    outsider = await nat.add_expert()
    resp = await nat.score(did, outsider)
    assert resp.status_code == 404 and code(resp) == "case_not_found"
    assert (
        await client.get(
            f"/v1/national/cases/{did}/scores", headers=nat.expert(outsider["account"])
        )
    ).status_code == 404
    ministry = await client.put(
        f"/v1/national/cases/{did}/scores/me", json=full_sheet(), headers=nat.ministry()
    )
    assert ministry.status_code == 403
    province = await client.get(
        f"/v1/national/cases/{did}/scores", headers=issuer.headers("province", region="350000")
    )
    assert province.status_code == 403


async def test_a_reviewer_taken_off_no_longer_counts(nat, client):
    did, experts = await nat.in_review(n=4)
    for e in experts:
        assert (
            await nat.score(did, e, full_sheet(score=40 if e is experts[0] else 80))
        ).status_code == 201
    assert (await nat.assign(did, experts[1:])).status_code == 200
    body = await _scores(client, did, nat.ministry())
    assert body["aggregate"]["mean_total"] == 80.0 and body["assigned"] == 3
    assert experts[0]["id"] not in {s["expert_id"] for s in body["sheets"]}


async def test_a_case_of_a_tier_the_ministries_do_not_review_is_no_national_case(nat):
    """先进级 is recognised by the province (251号 一(二)); its case has no national review, so
    its scores (and every national route) answer 404 `case_not_found` — it used to be a 500
    (`'advanced' is not a valid NationalTier`, issue 12)."""
    event = nat.make_event(tier="advanced")
    assert (await nat.deliver(event)).status_code == 200
    did = event["payload"]["declaration_id"]
    ministry = nat.issuer.headers("ministry")
    for path in ("/scores", "/onsite", ""):
        resp = await nat.client.get(f"/v1/national/cases/{did}{path}", headers=ministry)
        assert resp.status_code == 404, (path, resp.status_code, resp.text)
        assert code(resp) == "case_not_found"
        assert resp.json()["error"]["details"]["tier"] == "advanced"


async def test_concurrent_changes_of_a_sheet_with_one_if_match_keep_exactly_one(nat, client):
    """10 changes of one reviewer's sheet racing with one If-Match: 1 × 200, 9 × 412 (the
    sheet is locked before its ETag is compared), and the stored sheet is the winner's
    (issue 12)."""
    did, (me, *_) = await nat.in_review()
    created = await nat.score(did, me, _sheet(kpi=60))
    assert created.status_code == 201, created.text
    tag = created.json()["etag"]
    answers = await asyncio.gather(
        *(nat.score(did, me, _sheet(kpi=61 + i), **{"If-Match": tag}) for i in range(10))
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [412] * 9, statuses
    (winner,) = [a for a in answers if a.status_code == 200]
    (stored,) = (await _scores(client, did, nat.expert(me["account"])))["sheets"]
    assert stored["scores"] == winner.json()["scores"]
    assert stored["etag"] == winner.headers["ETag"]
