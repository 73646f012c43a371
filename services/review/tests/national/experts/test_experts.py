"""The expert pool: create, list with filters, edit with If-Match, delete or deactivate;
ministry only."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from national_facts import code, expert_body

POOL = "/v1/national/experts"


async def test_create_answers_the_expert_with_its_etag(nat, client):
    resp = await client.post(
        POOL, json=expert_body("exp-a", fields=["工业软件"]), headers=nat.keyed()
    )
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert resp.headers["ETag"] == body["etag"]
    assert (body["account"], body["fields"], body["active"]) == ("exp-a", ["工业软件"], True)
    again = await client.get(f"{POOL}/{body['id']}", headers=nat.ministry())
    assert again.status_code == 200 and again.json() == body


async def test_create_is_idempotent_per_key_and_accounts_are_unique(nat, client):
    headers = nat.keyed()
    first = await client.post(POOL, json=expert_body("exp-b"), headers=headers)
    replay = await client.post(POOL, json=expert_body("exp-b"), headers=headers)
    assert first.status_code == replay.status_code == 201
    assert replay.json() == first.json() and replay.headers["ETag"] == first.headers["ETag"]
    taken = await client.post(POOL, json=expert_body("exp-b"), headers=nat.keyed())
    assert taken.status_code == 409 and code(taken) == "expert_account_taken"
    assert (await client.get(POOL, headers=nat.ministry())).json()["total"] == 1


async def test_create_validates_codes(nat, client):
    bad = await client.post(
        POOL, json=expert_body(organisation_uscc="not-a-uscc"), headers=nat.keyed()
    )
    assert bad.status_code == 422
    bad = await client.post(POOL, json=expert_body(region_code="99"), headers=nat.keyed())
    assert bad.status_code == 422
    missing_key = await client.post(POOL, json=expert_body(), headers=nat.ministry())
    assert missing_key.status_code == 428 and code(missing_key) == "idempotency_key_required"


async def test_list_filters_by_field_region_and_active_and_pages(nat, client):
    await nat.add_expert(name="甲", fields=["工业软件"], region_code="110108")
    await nat.add_expert(name="乙", fields=["智能装备"], region_code="310115")
    await nat.add_expert(
        name="丙", fields=["智能装备", "工业软件"], region_code="310104", active=False
    )

    async def names(**params) -> list[str]:
        resp = await client.get(POOL, params=params, headers=nat.ministry())
        assert resp.status_code == 200, resp.text
        return [e["name"] for e in resp.json()["items"]]

    assert set(await names(field="工业软件")) == {"甲", "丙"}
    assert set(await names(region="31")) == {"乙", "丙"}
    assert await names(region="31", active="true") == ["乙"]
    first = await client.get(POOL, params={"page_size": 2}, headers=nat.ministry())
    second = await client.get(POOL, params={"page_size": 2, "page": 2}, headers=nat.ministry())
    assert first.json()["total"] == 3
    assert len(first.json()["items"]) == 2 and len(second.json()["items"]) == 1


async def test_edit_needs_a_fresh_if_match_and_changes_only_what_is_sent(nat, client):
    e = await nat.add_expert(name="旧名", integrators=["甲集成"])
    url = f"{POOL}/{e['id']}"
    missing = await client.patch(url, json={"name": "新名"}, headers=nat.ministry())
    assert missing.status_code == 428
    ok = await client.patch(
        url, json={"name": "新名", "active": False}, headers=nat.ministry(**{"If-Match": e["etag"]})
    )
    assert ok.status_code == 200, ok.text
    assert (ok.json()["name"], ok.json()["active"], ok.json()["integrators"]) == (
        "新名",
        False,
        ["甲集成"],
    )
    stale = await client.patch(
        url, json={"name": "再改"}, headers=nat.ministry(**{"If-Match": e["etag"]})
    )
    assert stale.status_code == 412 and code(stale) == "stale_etag"
    null = await client.patch(
        url, json={"name": None}, headers=nat.ministry(**{"If-Match": ok.json()["etag"]})
    )
    assert null.status_code == 422


async def test_edit_refuses_an_account_taken_by_another(nat, client):
    await nat.add_expert(account="taken")
    e = await nat.add_expert(account="mine")
    resp = await client.patch(
        f"{POOL}/{e['id']}",
        json={"account": "taken"},
        headers=nat.ministry(**{"If-Match": e["etag"]}),
    )
    assert resp.status_code == 409 and code(resp) == "expert_account_taken"


async def test_delete_only_an_expert_who_never_sat_on_a_case(nat, client):
    free = await nat.add_expert()
    resp = await client.delete(
        f"{POOL}/{free['id']}", headers=nat.ministry(**{"If-Match": free["etag"]})
    )
    assert resp.status_code == 204
    gone = await client.get(f"{POOL}/{free['id']}", headers=nat.ministry())
    assert gone.status_code == 404 and code(gone) == "expert_not_found"

    _, experts = await nat.in_review()
    used = experts[0]
    resp = await client.delete(
        f"{POOL}/{used['id']}", headers=nat.ministry(**{"If-Match": used["etag"]})
    )
    assert resp.status_code == 409 and code(resp) == "expert_in_use"


@pytest.mark.parametrize("role", ["province", "expert", "enterprise"])
async def test_only_the_ministry_manages_the_pool(nat, client, issuer, role):
    headers = issuer.headers(role, region="350000")
    assert (await client.get(POOL, headers=headers)).status_code == 403
    resp = await client.post(
        POOL, json=expert_body(), headers={**headers, "Idempotency-Key": uuid.uuid4().hex}
    )
    assert resp.status_code == 403 and code(resp) == "forbidden"
    assert (await client.get(POOL, headers=nat.ministry())).json()["total"] == 0


async def test_unknown_expert_is_404(nat, client):
    url = f"{POOL}/{uuid.uuid4()}"
    assert (await client.get(url, headers=nat.ministry())).status_code == 404
    resp = await client.patch(url, json={"name": "x"}, headers=nat.ministry(**{"If-Match": "*"}))
    assert resp.status_code == 404 and code(resp) == "expert_not_found"


async def test_concurrent_edits_with_one_if_match_keep_exactly_one(nat, client):
    """10 PATCHes of one expert racing with one If-Match: 1 × 200, 9 × 412, and the stored
    expert is the winner's (issue 12)."""
    e = await nat.add_expert(name="旧名")
    url = f"{POOL}/{e['id']}"
    answers = await asyncio.gather(
        *(
            client.patch(
                url, json={"name": f"新名{i}"}, headers=nat.ministry(**{"If-Match": e["etag"]})
            )
            for i in range(10)
        )
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [412] * 9, statuses
    (winner,) = [a for a in answers if a.status_code == 200]
    assert (await client.get(url, headers=nat.ministry())).json() == winner.json()


async def test_concurrent_deletes_with_one_if_match_remove_exactly_once(nat, client):
    """10 DELETEs of one expert racing with one If-Match: 1 × 204; the nine queued behind the
    row lock find it gone (404 `expert_not_found`, not a second 204), and it stays gone
    (issue 12)."""
    e = await nat.add_expert()
    url = f"{POOL}/{e['id']}"
    answers = await asyncio.gather(
        *(client.delete(url, headers=nat.ministry(**{"If-Match": e["etag"]})) for _ in range(10))
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [204] + [404] * 9, statuses
    assert {code(a) for a in answers if a.status_code == 404} == {"expert_not_found"}
    assert (await client.get(url, headers=nat.ministry())).status_code == 404
