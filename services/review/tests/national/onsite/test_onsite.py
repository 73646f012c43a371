"""现场核查 of 领航级 cases: scheduling (pilot only, team vetted), the checklist generated
from the declaration, findings and conclusion by the team, and its guards."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from national_facts import CASE_USCC, code

from ladder.review.national.data import national


async def test_scheduling_moves_the_case_and_generates_the_checklist(nat, client):
    did, experts = await nat.in_review("pilot")
    resp = await nat.schedule_onsite(did, experts[:2])
    assert resp.status_code == 201, resp.text
    onsite = resp.json()
    assert await nat.status(did) == "onsite_verification"
    assert (await nat.events(did))[-1] == "onsite_scheduled"
    assert (onsite["scheduled_on"], onsite["place"]) == ("2025-10-20", "福州市鼓楼区工厂现场")
    assert [m["id"] for m in onsite["team"]] == [e["id"] for e in experts[:2]]
    items = {i["key"]: i for i in onsite["items"]}
    assert items["scene-1"]["text"].startswith("生产作业—人机协同作业—多机协同的发动机壳体")
    assert items["scene-1"]["kind"] == "scene"
    kpis = {i["text"]: i["declared_value"] for i in onsite["items"] if i["kind"] == "kpi"}
    assert kpis == {"关键绩效指标：生产效率提升": "32.5", "关键绩效指标：运营成本下降": "18"}
    template = [i for i in onsite["items"] if i["kind"] == "template"]
    assert [i["key"] for i in template] == [f"template-{t.key}" for t in national().onsite_template]
    assert all(i["source"] for i in template)
    assert onsite["complete"] is False
    told = (await nat.status_events(did))[-1]
    assert told["status"] == "onsite_verification"


async def test_an_excellence_case_may_be_verified_on_site(nat):
    """二(一)3: 卓越级 applicants cooperate with a 现场核查 too — optional for 卓越级 in the
    edition's data (national.yaml `onsite_verification`), required only for 领航级."""
    did, experts = await nat.scored("excellence")
    await nat.verified_onsite(did, experts[:2])  # scheduled (201), every item verified
    assert await nat.status(did) == "onsite_verification"
    # After its 现场核查, the 卓越级 case is decided like a 领航级 one.
    resp = await nat.post(did, "decision", {"outcome": "select"})
    assert resp.status_code == 200, resp.text
    assert await nat.status(did) == "selected"
    assert "onsite_scheduled" in await nat.events(did)


def test_the_editions_onsite_tiers_cite_their_clauses():
    onsite = national().onsite_verification
    assert [t.value for t in onsite.required] == ["pilot"]
    assert [t.value for t in onsite.optional] == ["excellence"]
    assert "二(一)3" in onsite.source and "三(二)4" in onsite.source


@pytest.mark.parametrize("status", ["recommended", "selected", "onsite_verification"])
async def test_scheduling_from_another_status_is_refused(nat, status):
    did = await nat.case(status, tier="pilot")
    team = await nat.add_experts(2)
    resp = await nat.schedule_onsite(did, team)
    assert resp.status_code == 409 and code(resp) == "transition_not_allowed"
    assert await nat.status(did) == status


async def test_a_conflicted_or_short_team_is_refused_and_nothing_changes(nat):
    did, experts = await nat.in_review("pilot")
    events = await nat.events(did)
    conflicted = await nat.add_expert(organisation_uscc=CASE_USCC)
    resp = await nat.schedule_onsite(did, [experts[0], conflicted])
    assert resp.status_code == 409 and code(resp) == "conflict_of_interest"
    short = await nat.schedule_onsite(did, experts[:1])
    assert short.status_code == 422 and code(short) == "expert_count_out_of_range"
    assert (await nat.status(did), await nat.events(did)) == ("in_expert_review", events)
    missing = await nat.client.get(f"/v1/national/cases/{did}/onsite", headers=nat.ministry())
    assert missing.status_code == 404 and code(missing) == "onsite_not_found"


async def test_scheduling_guards_role_and_reach(nat, client, issuer):
    did, experts = await nat.in_review("pilot")
    body = {"scheduled_on": "2025-10-20", "place": "现场", "team": [e["id"] for e in experts[:2]]}
    etag = await nat.etag(did)
    as_expert = {
        **nat.expert(experts[0]["account"]),
        "If-Match": etag,
        "Idempotency-Key": uuid.uuid4().hex,
    }
    resp = await client.post(f"/v1/national/cases/{did}/onsite", json=body, headers=as_expert)
    assert resp.status_code == 403
    unknown = await client.post(
        f"/v1/national/cases/{uuid.uuid4()}/onsite", json=body, headers=nat.keyed("*")
    )
    assert unknown.status_code == 404
    assert await nat.status(did) == "in_expert_review"


async def test_the_team_records_findings_and_the_conclusion(nat, client):
    did, experts = await nat.in_review("pilot")
    onsite = (await nat.schedule_onsite(did, experts[:2])).json()
    member = nat.expert(experts[1]["account"])
    outsider = nat.expert(experts[4]["account"])  # a reviewer, not on the team
    item = onsite["items"][0]
    url = f"/v1/national/cases/{did}/onsite/items/{item['key']}"
    hidden = await client.put(
        url, json={"finding": "verified"}, headers={**outsider, "If-Match": item["etag"]}
    )
    assert hidden.status_code == 404
    no_note = await client.put(
        url, json={"finding": "discrepancy"}, headers={**member, "If-Match": item["etag"]}
    )
    assert no_note.status_code == 422 and code(no_note) == "finding_note_required"
    ok = await client.put(
        url,
        json={"finding": "discrepancy", "note": "实测提升 28%"},
        headers={**member, "If-Match": item["etag"]},
    )
    assert ok.status_code == 200, ok.text
    recorded = ok.json()["items"][0]
    assert (recorded["finding"], recorded["note"], recorded["recorded_by"]) == (
        "discrepancy",
        "实测提升 28%",
        experts[1]["account"],
    )
    stale = await client.put(
        url, json={"finding": "verified"}, headers={**member, "If-Match": item["etag"]}
    )
    assert stale.status_code == 412
    absent = await client.put(
        f"/v1/national/cases/{did}/onsite/items/no-such",
        json={"finding": "verified"},
        headers={**member, "If-Match": "*"},
    )
    assert absent.status_code == 404 and code(absent) == "checklist_item_not_found"
    conclusion = await client.put(
        f"/v1/national/cases/{did}/onsite/conclusion",
        json={"conclusion": "基本属实"},
        headers={**member, "If-Match": ok.json()["etag"]},
    )
    assert conclusion.status_code == 200 and conclusion.json()["conclusion"] == "基本属实"
    read = await client.get(f"/v1/national/cases/{did}/onsite", headers=member)
    assert read.status_code == 200 and read.json()["complete"] is False  # other items open


async def test_findings_close_with_the_decision(nat, client):
    did, experts = await nat.scored("pilot")
    await nat.verified_onsite(did, experts[:2])
    assert (await nat.post(did, "decision", {"outcome": "select"})).status_code == 200
    onsite = (await client.get(f"/v1/national/cases/{did}/onsite", headers=nat.ministry())).json()
    assert onsite["complete"] is True
    item = onsite["items"][0]
    resp = await client.put(
        f"/v1/national/cases/{did}/onsite/items/{item['key']}",
        json={"finding": "verified"},
        headers=nat.ministry(**{"If-Match": item["etag"]}),
    )
    assert resp.status_code == 409 and code(resp) == "onsite_closed"


async def test_the_ministry_reschedules_until_the_conclusion(nat, client):
    did, experts = await nat.in_review("pilot")
    onsite = (await nat.schedule_onsite(did, experts[:2])).json()
    url = f"/v1/national/cases/{did}/onsite"
    member = nat.expert(experts[0]["account"])
    body = {
        "scheduled_on": "2025-11-03",
        "team": [e["id"] for e in experts[2:4]],
        "reason": "企业停产检修",
    }
    by_member = await client.patch(url, json=body, headers={**member, "If-Match": onsite["etag"]})
    assert by_member.status_code == 403
    nothing = await client.patch(
        url, json={"reason": "x"}, headers={**nat.ministry(), "If-Match": onsite["etag"]}
    )
    assert nothing.status_code == 422
    conflicted = await nat.add_expert(organisation_uscc=CASE_USCC)
    refused = await client.patch(
        url,
        json={**body, "team": [experts[2]["id"], conflicted["id"]]},
        headers={**nat.ministry(), "If-Match": onsite["etag"]},
    )
    assert refused.status_code == 409 and code(refused) == "conflict_of_interest"
    moved = await client.patch(
        url, json=body, headers={**nat.ministry(), "If-Match": onsite["etag"]}
    )
    assert moved.status_code == 200, moved.text
    after = moved.json()
    assert (after["scheduled_on"], after["place"]) == ("2025-11-03", onsite["place"])
    assert [m["id"] for m in after["team"]] == [e["id"] for e in experts[2:4]]
    assert await nat.status(did) == "onsite_verification"
    assert (await nat.events(did))[-1] == "onsite_rescheduled"
    stale = await client.patch(
        url, json=body, headers={**nat.ministry(), "If-Match": onsite["etag"]}
    )
    assert stale.status_code == 412
    # The old team no longer records findings; the new one does, then concludes.
    item = after["items"][0]
    item_url = f"{url}/items/{item['key']}"
    old = await client.put(
        item_url, json={"finding": "verified"}, headers={**member, "If-Match": item["etag"]}
    )
    assert old.status_code == 404
    new_member = nat.expert(experts[2]["account"])
    done = await client.put(
        f"{url}/conclusion",
        json={"conclusion": "属实"},
        headers={**new_member, "If-Match": after["etag"]},
    )
    assert done.status_code == 200, done.text
    late = await client.patch(
        url,
        json={"place": "别处", "reason": "x"},
        headers={**nat.ministry(), "If-Match": done.json()["etag"]},
    )
    assert late.status_code == 409 and code(late) == "onsite_closed"


async def test_concurrent_reschedulings_with_one_if_match_keep_exactly_one(nat, client):
    """10 reschedulings of one 现场核查 racing with one If-Match: 1 × 200, 9 × 412 (the
    verification is locked before its ETag is compared), one `onsite_rescheduled` in the
    history, and the stored verification is the winner's (issue 12). The conclusion takes the
    same row and lock (`_visit(..., lock=True)` then `check_if_match(onsite_etag)`)."""
    did, experts = await nat.in_review("pilot")
    onsite = (await nat.schedule_onsite(did, experts[:2])).json()
    url = f"/v1/national/cases/{did}/onsite"
    answers = await asyncio.gather(
        *(
            client.patch(
                url,
                json={"scheduled_on": f"2025-11-{i + 1:02d}", "place": f"第{i}车间",
                      "reason": "企业停产检修"},
                headers={**nat.ministry(), "If-Match": onsite["etag"]},
            )
            for i in range(10)
        )
    )  # fmt: skip
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [412] * 9, statuses
    (winner,) = [a for a in answers if a.status_code == 200]
    assert (await client.get(url, headers=nat.ministry())).json() == winner.json()
    assert (await nat.events(did)).count("onsite_rescheduled") == 1


async def test_concurrent_findings_with_one_if_match_keep_exactly_one(nat, client):
    """10 findings on one checklist item racing with one If-Match: 1 × 200, 9 × 412 (the
    item is locked before its ETag is compared), and the stored item is the winner's
    (issue 12)."""
    did, experts = await nat.in_review("pilot")
    onsite = (await nat.schedule_onsite(did, experts[:2])).json()
    member = nat.expert(experts[1]["account"])
    item = onsite["items"][0]
    answers = await asyncio.gather(
        *(
            client.put(
                f"/v1/national/cases/{did}/onsite/items/{item['key']}",
                json={"finding": "discrepancy", "note": f"实测提升 {20 + i}%"},
                headers={**member, "If-Match": item["etag"]},
            )
            for i in range(10)
        )
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [412] * 9, statuses
    (winner,) = [a for a in answers if a.status_code == 200]
    read = await client.get(f"/v1/national/cases/{did}/onsite", headers=member)
    (stored,) = [i for i in read.json()["items"] if i["key"] == item["key"]]
    (won,) = [i for i in winner.json()["items"] if i["key"] == item["key"]]
    assert stored == won
