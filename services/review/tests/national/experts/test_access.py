"""Who of the experts reads a case's 申报书, told to the declaration service as
`review.expert_access_changed` in the transaction of the change: granted on assignment (as
reviewer or 现场核查 member), revoked when taken off, when a conflict (回避) is found after the
assignment, and for all when the case leaves the expert review (decided or withdrawn)."""

from __future__ import annotations

from declaration_said import withdrawn_event
from national_facts import CASE_USCC

from ladder.contracts.review import EXPERT_ACCESS_CHANGED, ExpertAccessChanged


async def _told(nat, did: str) -> list[tuple[str, str, str]]:
    """(access, expert account, cause) of each event queued for the case, in order — each a
    valid payload of the contract, naming the case's version."""
    rows = await nat.sql(
        "SELECT payload, destination FROM review.outbox WHERE topic = :t "
        "AND payload->>'declaration_id' = :d ORDER BY id",
        t=EXPERT_ACCESS_CHANGED,
        d=did,
    )
    told = []
    for payload, destination in rows:
        change = ExpertAccessChanged.model_validate(payload)
        assert change.version == 1 and destination == "declaration"
        told.append((change.access, change.expert, change.cause))
    return told


def _granted(experts, cause: str = "assigned") -> list[tuple[str, str, str]]:
    return [("granted", e["account"], cause) for e in sorted(experts, key=lambda e: e["account"])]


def _revoked(experts, cause: str) -> list[tuple[str, str, str]]:
    return [("revoked", e["account"], cause) for e in sorted(experts, key=lambda e: e["account"])]


async def test_assigned_reviewers_are_granted_and_those_taken_off_revoked(nat):
    did, experts = await nat.in_review()
    assert await _told(nat, did) == _granted(experts)

    newcomer = await nat.add_expert()
    resp = await nat.assign(did, [*experts[1:], newcomer])
    assert resp.status_code == 200, resp.text
    assert (await _told(nat, did))[3:] == [
        *_revoked(experts[:1], "unassigned"),
        *_granted([newcomer]),
    ]


async def test_a_refused_assignment_tells_nothing(nat):
    did = await nat.case()
    await nat.pass_formal(did)
    clean = await nat.add_experts(2)
    conflicted = await nat.add_expert(organisation_uscc=CASE_USCC)
    resp = await nat.assign(did, [*clean, conflicted])
    assert resp.status_code == 409, resp.text
    assert await _told(nat, did) == []


async def test_a_conflict_found_after_the_assignment_revokes_and_clearing_it_grants(nat):
    did, experts = await nat.in_review()
    expert = experts[0]
    resp = await nat.client.patch(
        f"/v1/national/experts/{expert['id']}",
        json={"declared_conflicts": [CASE_USCC]},
        headers=nat.ministry(**{"If-Match": expert["etag"]}),
    )
    assert resp.status_code == 200, resp.text
    assert (await _told(nat, did))[3:] == _revoked([expert], "conflict_of_interest")

    resp = await nat.client.patch(
        f"/v1/national/experts/{expert['id']}",
        json={"declared_conflicts": []},
        headers=nat.ministry(**{"If-Match": resp.json()["etag"]}),
    )
    assert resp.status_code == 200, resp.text
    assert (await _told(nat, did))[4:] == _granted([expert], "conflict_cleared")


async def test_a_new_account_moves_the_access_and_other_changes_tell_nothing(nat):
    did, experts = await nat.in_review()
    expert = experts[0]
    resp = await nat.client.patch(
        f"/v1/national/experts/{expert['id']}",
        json={"name": "王教授"},
        headers=nat.ministry(**{"If-Match": expert["etag"]}),
    )
    assert resp.status_code == 200, resp.text
    assert len(await _told(nat, did)) == 3

    resp = await nat.client.patch(
        f"/v1/national/experts/{expert['id']}",
        json={"account": "expert-renamed"},
        headers=nat.ministry(**{"If-Match": resp.json()["etag"]}),
    )
    assert resp.status_code == 200, resp.text
    assert (await _told(nat, did))[3:] == [
        ("revoked", expert["account"], "account_changed"),
        ("granted", "expert-renamed", "account_changed"),
    ]


async def test_the_decision_ends_every_reviewers_access(nat):
    did, experts = await nat.scored()
    resp = await nat.post(did, "decision", {"outcome": "reject", "reasons": "智能化水平不足"})
    assert resp.status_code == 200, resp.text
    assert (await _told(nat, did))[3:] == _revoked(experts, "review_ended")


async def test_the_onsite_team_reads_until_the_selection(nat):
    did, experts = await nat.scored("pilot")
    outsider = await nat.add_expert()
    await nat.verified_onsite(did, [experts[0], outsider])
    n = len(experts)
    assert (await _told(nat, did))[n:] == _granted([outsider])  # a reviewer already reads

    resp = await nat.post(did, "decision", {"outcome": "select"})
    assert resp.status_code == 200, resp.text
    assert (await _told(nat, did))[n + 1 :] == _revoked([*experts, outsider], "review_ended")


async def test_a_withdrawal_in_the_expert_review_ends_the_access(nat):
    did, experts = await nat.in_review()
    resp = await nat.deliver(withdrawn_event(did))
    assert resp.status_code == 200, resp.text
    assert await nat.status(did) == "withdrawn_by_applicant"
    assert (await _told(nat, did))[3:] == _revoked(experts, "review_ended")
