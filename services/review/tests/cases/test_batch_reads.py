"""Several cases read at once by their declarations' ids (issue 17: the gateway's GraphQL
loaders): each as its single read answers it, with its history, by the same jurisdiction
rule; bounded."""

from __future__ import annotations

import uuid

import pytest

GULOU, SHANGHAI = "350102", "310115"
SEES_GULOU = [("county", "350102"), ("city", "350100"), ("province", "350000"), ("ministry", None)]
BLIND_TO_GULOU = [("county", "350103"), ("province", "310000"), ("county", None)]


def _headers(issuer, role: str, region: str | None) -> dict[str, str]:
    return issuer.headers(role, region=region) if region else issuer.headers(role)


async def _cases(make_event, deliver) -> tuple[str, str]:
    fuzhou, shanghai = make_event(region_code=GULOU), make_event(region_code=SHANGHAI)
    for event in (fuzhou, shanghai):
        assert (await deliver(event)).status_code == 200
    return fuzhou["payload"]["declaration_id"], shanghai["payload"]["declaration_id"]


@pytest.mark.parametrize(("role", "region"), SEES_GULOU + BLIND_TO_GULOU)
async def test_a_batch_answers_what_each_single_read_answers(
    client, issuer, make_event, deliver, role, region
):
    fuzhou, shanghai = await _cases(make_event, deliver)
    headers = _headers(issuer, role, region)
    named = [shanghai, str(uuid.uuid4()), fuzhou]

    batch = await client.get("/v1/cases", params={"declaration_id": named}, headers=headers)

    assert batch.status_code == 200, batch.text
    singles = []
    for did in named:
        one = await client.get(f"/v1/cases/{did}", headers=headers)
        if one.status_code == 200:
            singles.append(one.json())
    assert batch.json() == singles  # in the order named, with each one's history
    assert (fuzhou in [c["declaration_id"] for c in batch.json()]) == ((role, region) in SEES_GULOU)


@pytest.mark.parametrize("role", ["enterprise", "expert", "public"])
async def test_non_authorities_are_forbidden(client, issuer, make_event, deliver, role):
    fuzhou, _ = await _cases(make_event, deliver)
    resp = await client.get(
        "/v1/cases", params={"declaration_id": [fuzhou]}, headers=issuer.headers(role)
    )

    assert resp.status_code == 403
    assert resp.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize(
    "ids", [[], ["not-a-uuid"], [str(uuid.uuid4()) for _ in range(101)]], ids=len
)
async def test_the_batch_is_bounded(client, issuer, ids):
    resp = await client.get(
        "/v1/cases", params={"declaration_id": ids}, headers=issuer.headers("ministry")
    )

    assert resp.status_code == 422, resp.text
    assert resp.json()["error"]["code"] == "validation_error"
