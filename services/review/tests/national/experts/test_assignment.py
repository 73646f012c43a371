"""Putting reviewers on a case: the conflict check (read-only), and the assignment refusing
conflicts, inactive experts, wrong counts and wrong statuses with nothing changed."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from national_facts import CASE_USCC, GROUP_USCC, code


async def _check(nat, client, did, experts) -> dict:
    resp = await client.post(
        f"/v1/national/cases/{did}/conflict-check",
        json={"expert_ids": [e["id"] for e in experts]},
        headers=nat.ministry(),
    )
    assert resp.status_code == 200, resp.text
    return resp.json()


@pytest.mark.parametrize(
    ("fields", "case_payload", "conflict"),
    [
        ({"organisation_uscc": CASE_USCC}, {}, "same_enterprise"),
        ({"group_uscc": GROUP_USCC}, {"central_soe_group": GROUP_USCC}, "same_group"),
        ({"region_code": "350203"}, {}, "same_region"),
        ({"integrators": ["华数智能系统集成有限公司 "]}, {}, "integrator_link"),
        ({"declared_conflicts": [CASE_USCC]}, {}, "declared"),
    ],
)
async def test_conflict_check_names_each_conflict_and_assignment_refuses_it(
    nat, client, fields, case_payload, conflict
):
    did = await nat.case(**case_payload)
    await nat.pass_formal(did)
    clean = await nat.add_experts(2)
    conflicted = await nat.add_expert(**fields)
    report = await _check(nat, client, did, [*clean, conflicted])
    assert report["clear"] is False
    by_id = {r["expert_id"]: r for r in report["experts"]}
    assert [c["code"] for c in by_id[conflicted["id"]]["conflicts"]] == [conflict]
    assert all(by_id[e["id"]]["conflicts"] == [] for e in clean)
    assert await nat.events(did) == ["received", "passed_formal_check"]  # the check assigns no one

    before = await nat.row_version(did)
    resp = await nat.assign(did, [*clean, conflicted])
    assert resp.status_code == 409 and code(resp) == "conflict_of_interest"
    details = resp.json()["error"]["details"]["experts"]
    assert list(details) == [conflicted["id"]]
    assert details[conflicted["id"]][0]["code"] == conflict
    assert details[conflicted["id"]][0]["message"]
    assert await nat.row_version(did) == before
    assert (await nat.read(did))["experts"] == []


async def test_a_clean_panel_is_assigned_and_can_be_replaced(nat, client):
    did = await nat.case()
    await nat.pass_formal(did)
    experts = await nat.add_experts(4)
    report = await _check(nat, client, did, experts)
    assert report["clear"] is True
    first = await nat.assign(did, experts[:3])
    assert first.status_code == 200, first.text
    assert [e["id"] for e in first.json()["experts"]] == [e["id"] for e in experts[:3]]
    assert first.headers["ETag"] == first.json()["etag"]
    second = await nat.assign(did, experts[1:])
    assert second.status_code == 200
    assert {e["id"] for e in second.json()["experts"]} == {e["id"] for e in experts[1:]}
    me = nat.expert(experts[0]["account"])
    assert (await client.get(f"/v1/national/cases/{did}", headers=me)).status_code == 404


async def test_inactive_experts_and_wrong_counts_are_refused(nat, client):
    did = await nat.case()
    await nat.pass_formal(did)
    experts = await nat.add_experts(2)
    off = await nat.add_expert(active=False)
    resp = await nat.assign(did, [*experts, off])
    assert resp.status_code == 409 and code(resp) == "expert_inactive"
    assert resp.json()["error"]["details"]["expert_ids"] == [off["id"]]
    too_few = await nat.assign(did, experts)
    assert too_few.status_code == 422 and code(too_few) == "expert_count_out_of_range"
    assert too_few.json()["error"]["details"]["min"] == 3
    ghost = {"id": str(uuid.uuid4())}
    unknown = await nat.assign(did, [*experts, ghost])
    assert unknown.status_code == 404 and code(unknown) == "expert_not_found"
    twice = await nat.assign(did, [experts[0], experts[0], experts[1]])
    assert twice.status_code == 422
    assert (await nat.read(did))["experts"] == []


@pytest.mark.parametrize("status", ["recommended", "selected", "onsite_verification"])
async def test_reviewers_are_assigned_only_in_the_expert_review(nat, status):
    did = await nat.case(status)
    experts = await nat.add_experts(3)
    before = await nat.row_version(did)
    resp = await nat.assign(did, experts)
    assert resp.status_code == 409 and code(resp) == "transition_not_allowed"
    assert await nat.row_version(did) == before


async def test_assignment_guards_role_reach_and_etag(nat, client, issuer):
    did = await nat.case("in_expert_review")
    experts = await nat.add_experts(3)
    body = {"expert_ids": [e["id"] for e in experts]}
    url = f"/v1/national/cases/{did}/experts"
    etag = await nat.etag(did)
    for role in ("province", "expert"):
        resp = await client.put(url, json=body, headers={**issuer.headers(role), "If-Match": etag})
        assert resp.status_code == 403
    missing = await client.put(
        f"/v1/national/cases/{uuid.uuid4()}/experts",
        json=body,
        headers=nat.ministry(**{"If-Match": "*"}),
    )
    assert missing.status_code == 404 and code(missing) == "case_not_found"
    assert (await client.put(url, json=body, headers=nat.ministry())).status_code == 428
    stale = await client.put(url, json=body, headers=nat.ministry(**{"If-Match": 'W/"x"'}))
    assert stale.status_code == 412
    check = await client.post(
        f"/v1/national/cases/{did}/conflict-check", json=body, headers=issuer.headers("expert")
    )
    assert check.status_code == 403
    assert (await nat.read(did))["experts"] == []


async def test_an_assigned_expert_sees_the_contact_masked_the_ministry_whole(nat, client):
    """Found by trying to break it: the national case gave experts the contact's mobile."""
    did, experts = await nat.in_review()
    mobile = (await nat.read(did))["details"]["contact"]["mobile"]

    as_expert = await client.get(
        f"/v1/national/cases/{did}", headers=nat.expert(experts[0]["account"])
    )

    assert as_expert.status_code == 200, as_expert.text
    shown = as_expert.json()["details"]["contact"]["mobile"]
    assert shown == mobile[:3] + "****" + mobile[-4:]
    assert mobile not in as_expert.text


async def test_concurrent_assignments_with_one_if_match_keep_exactly_one(nat, client):
    """10 reviewer panels put on one case racing with one If-Match: 1 × 200, 9 × 412 (the
    case is locked before its ETag is compared), and the stored panel is the winner's, not a
    mix of panels (issue 12)."""
    did = await nat.case()
    await nat.pass_formal(did)
    experts = await nat.add_experts(5)
    panels = [[e["id"] for j, e in enumerate(experts) if j not in (i % 5, (i + 1) % 5)]
              for i in range(10)]  # fmt: skip
    tag = await nat.etag(did)
    answers = await asyncio.gather(
        *(
            client.put(
                f"/v1/national/cases/{did}/experts",
                json={"expert_ids": panel},
                headers=nat.ministry(**{"If-Match": tag}),
            )
            for panel in panels
        )
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [412] * 9, statuses
    (winner,) = [a for a in answers if a.status_code == 200]
    stored = await nat.read(did)
    assert stored == winner.json()
    assert {e["id"] for e in stored["experts"]} == {e["id"] for e in winner.json()["experts"]}
    rows = await nat.sql(
        "SELECT count(*) FROM review.national_assignment a JOIN review.review_case c "
        "ON c.id = a.case_id WHERE c.declaration_id = :d AND a.duty = 'review'",
        d=did,
    )
    assert rows == [(3,)]
