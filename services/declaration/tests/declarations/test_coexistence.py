"""One live declaration per factory, campaign and tier, and not 卓越级 beside 领航级
(`declarations/coexistence.py`, issue 14)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from declaration_documents import document
from factories import new_factory

from ladder.declaration.declarations.coexistence import conflict


async def _create(client, headers, factory_id, tier, year=2025):
    body = {"factory_id": factory_id, "campaign_year": year, "tier": tier, "facts": document(tier)}
    return await client.post(
        "/v1/declarations", json=body, headers={**headers, "Idempotency-Key": uuid.uuid4().hex}
    )


async def test_a_second_declaration_of_a_tier_is_409_until_the_first_is_withdrawn(
    client, enterprise
):
    factory = await new_factory(client, enterprise)
    first = await _create(client, enterprise, factory, "excellence")
    assert first.status_code == 201, first.text
    second = await _create(client, enterprise, factory, "excellence")
    assert second.status_code == 409
    error = second.json()["error"]
    assert error["code"] == "declaration_exists"
    assert error["details"]["declaration_id"] == first.json()["id"]
    assert "251号" in error["details"]["source"]
    # Another campaign, or another factory, is free.
    assert (await _create(client, enterprise, factory, "excellence", year=2026)).status_code == 201
    other = await new_factory(client, enterprise)
    assert (await _create(client, enterprise, other, "excellence")).status_code == 201
    # Withdrawn, the first frees its place.
    withdrawn = await client.post(
        f"/v1/declarations/{first.json()['id']}/withdraw",
        json={"reason": "重新填报"},
        headers={**enterprise, "If-Match": first.headers["etag"]},
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert (await _create(client, enterprise, factory, "excellence")).status_code == 201


async def test_excellence_and_pilot_exclude_each_other_advanced_does_not(client, enterprise):
    factory = await new_factory(client, enterprise)
    assert (await _create(client, enterprise, factory, "excellence")).status_code == 201
    pilot = await _create(client, enterprise, factory, "pilot")
    assert pilot.status_code == 409
    assert pilot.json()["error"]["details"]["tier"] == "excellence"
    assert "三(一)3" in pilot.json()["error"]["details"]["source"]
    assert (await _create(client, enterprise, factory, "advanced")).status_code == 201


async def test_changing_the_tier_into_a_conflict_is_409_and_changes_nothing(client, enterprise):
    factory = await new_factory(client, enterprise)
    assert (await _create(client, enterprise, factory, "pilot")).status_code == 201
    draft = await _create(client, enterprise, factory, "advanced")
    resp = await client.patch(
        f"/v1/declarations/{draft.json()['id']}",
        json={"tier": "excellence"},
        headers={**enterprise, "If-Match": draft.headers["etag"]},
    )
    assert resp.status_code == 409
    assert resp.json()["error"]["code"] == "declaration_exists"
    read = await client.get(f"/v1/declarations/{draft.json()['id']}", headers=enterprise)
    assert (read.json()["tier"], read.headers["etag"]) == ("advanced", draft.headers["etag"])


async def test_concurrent_drafts_of_one_tier_make_one(client, enterprise):
    factory = await new_factory(client, enterprise)
    answers = await asyncio.gather(
        *(_create(client, enterprise, factory, "excellence") for _ in range(6))
    )
    assert sorted(r.status_code for r in answers) == [201] + [409] * 5


@pytest.mark.parametrize(
    ("tier", "live", "blocked_by"),
    [
        ("excellence", [], None),
        ("excellence", ["advanced"], None),
        ("excellence", ["excellence"], "excellence"),
        ("pilot", ["excellence"], "excellence"),
        ("excellence", ["pilot"], "pilot"),
        ("advanced", ["excellence", "basic"], None),
    ],
)
def test_the_rule(tier, live, blocked_by):
    found = conflict(tier, live)
    assert (found[0] if found else None) == blocked_by
