"""Batch reads (issue 17: the gateway's GraphQL loaders): several enterprises, or several
declarations by id, in one request — each by the rule of its single read, bounded."""

from __future__ import annotations

import uuid

import pytest
from declaration_documents import document

FUZHOU_USCC = "91350102MA2Y00001E"  # the seeded 福州示范智能装备 (350102)
SHANGHAI_USCC = "91310115MA1H000024"  # the seeded Shanghai demo enterprise (310115)
FUZHOU_FACTORY = "00000000-0000-4000-8000-000000000101"
UNKNOWN_USCC = "91350103MA2Y000033"  # valid, never registered


def _readers(issuer) -> dict[str, dict[str, str]]:
    return {
        "fuzhou enterprise": issuer.headers("enterprise", org=FUZHOU_USCC, region="350102"),
        "county 350102": issuer.headers("county", region="350102"),
        "county 350103": issuer.headers("county", region="350103"),
        "province 310000": issuer.headers("province", region="310000"),
        "ministry": issuer.headers("ministry"),
        "expert": issuer.headers("expert"),
    }


async def test_enterprises_read_in_one_request_as_one_by_one(client, issuer):
    named = [SHANGHAI_USCC, FUZHOU_USCC, UNKNOWN_USCC]
    for who, headers in _readers(issuer).items():
        batch = await client.get("/v1/enterprises", params={"uscc": named}, headers=headers)
        assert batch.status_code == 200, (who, batch.text)
        singles = []
        for uscc in sorted(named):
            one = await client.get(f"/v1/enterprises/{uscc}", headers=headers)
            assert one.status_code in (200, 404), (who, one.text)
            if one.status_code == 200:
                singles.append(one.json())
        assert batch.json() == singles, who  # the same answers (masked alike), USCC order


async def test_the_batch_is_bounded(client, issuer):
    ministry = issuer.headers("ministry")
    none = await client.get("/v1/enterprises", headers=ministry)
    too_many = await client.get(
        "/v1/enterprises", params={"uscc": [FUZHOU_USCC] * 101}, headers=ministry
    )
    short = await client.get("/v1/enterprises", params={"uscc": ["9135"]}, headers=ministry)
    for resp in (none, too_many, short):
        assert resp.status_code == 422, resp.text
        assert resp.json()["error"]["code"] == "validation_error"
    repeated = await client.get(
        "/v1/enterprises", params={"uscc": [FUZHOU_USCC] * 100}, headers=ministry
    )
    assert [e["uscc"] for e in repeated.json()] == [FUZHOU_USCC]


async def test_declarations_by_ids_are_those_the_list_shows(client, issuer, enterprise):
    ids = []
    for tier in ("advanced", "pilot"):
        body = {"factory_id": FUZHOU_FACTORY, "campaign_year": 2025, "tier": tier,
                "facts": document(tier)}  # fmt: skip
        created = await client.post(
            "/v1/declarations",
            json=body,
            headers={**enterprise, "Idempotency-Key": uuid.uuid4().hex},
        )
        assert created.status_code == 201, created.text
        ids.append(created.json()["id"])

    listed = await client.get("/v1/declarations", headers=enterprise)
    batch = await client.get(
        "/v1/declarations", params={"ids": [*ids, str(uuid.uuid4())]}, headers=enterprise
    )
    assert batch.status_code == 200, batch.text
    assert batch.json()["total"] == 2
    assert batch.json()["items"] == [i for i in listed.json()["items"] if i["id"] in ids]
    other = issuer.headers("enterprise", org=SHANGHAI_USCC, region="310115")
    hidden = await client.get("/v1/declarations", params={"ids": ids}, headers=other)
    assert hidden.json()["items"] == []


@pytest.mark.parametrize("ids", [["not-a-uuid"], [str(uuid.uuid4()) for _ in range(101)]])
async def test_declaration_ids_are_bounded(client, enterprise, ids):
    resp = await client.get("/v1/declarations", params={"ids": ids}, headers=enterprise)

    assert resp.status_code == 422, resp.text
    assert resp.json()["error"]["code"] == "validation_error"
