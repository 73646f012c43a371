"""Batch reads (issue 17: the gateway's GraphQL loaders): several enterprises, or several
declarations by id, in one request — each by the rule of its single read, bounded."""

from __future__ import annotations

import uuid

import pytest
from declaration_documents import document
from review_said import deliver as tell
from review_said import routed, status_changed

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


async def _declared_twice(client, issuer, enterprise) -> str:
    """Submitted, routed to Fujian, returned, edited and submitted again: two versions."""
    body = {"factory_id": FUZHOU_FACTORY, "campaign_year": 2025, "tier": "pilot",
            "facts": document("pilot")}  # fmt: skip
    created = await client.post(
        "/v1/declarations", json=body, headers={**enterprise, "Idempotency-Key": uuid.uuid4().hex}
    )
    did = created.json()["id"]
    submit = f"/v1/declarations/{did}/submit"
    ok = await client.post(submit, headers={**enterprise, "Idempotency-Key": uuid.uuid4().hex})
    assert ok.status_code == 200, ok.text
    await routed(client, issuer, did)
    returned = status_changed(did, event="returned_for_revision", status="returned", reason="补充")
    assert (await tell(client, issuer, returned)).status_code == 200
    read = await client.get(f"/v1/declarations/{did}", headers=enterprise)
    edited = await client.patch(
        f"/v1/declarations/{did}",
        json={"facts": {"summary": "第二版的建设概述"}},
        headers={**enterprise, "If-Match": read.headers["etag"]},
    )
    assert edited.status_code == 200, edited.text
    ok = await client.post(submit, headers={**enterprise, "Idempotency-Key": uuid.uuid4().hex})
    assert ok.status_code == 200, ok.text
    return did


async def test_versions_history_and_diffs_of_many_as_of_each(client, issuer, enterprise):
    did = await _declared_twice(client, issuer, enterprise)
    unknown = str(uuid.uuid4())
    named = {"declaration_id": [did, unknown]}
    for who, headers in _readers(issuer).items():
        versions = await client.get("/v1/declarations/versions", params=named, headers=headers)
        history = await client.get("/v1/declarations/history", params=named, headers=headers)
        diffs = await client.get(
            "/v1/declarations/diffs", params={**named, "before": 1, "after": 2}, headers=headers
        )
        assert {versions.status_code, history.status_code, diffs.status_code} == {200}, who
        one = await client.get(f"/v1/declarations/{did}/versions", headers=headers)
        if one.status_code == 404:
            assert versions.json() == history.json() == diffs.json() == [], who
            continue
        assert versions.json() == [{**v, "declaration_id": did} for v in one.json()], who
        single_history = await client.get(f"/v1/declarations/{did}/history", headers=headers)
        assert history.json() == [{**t, "declaration_id": did} for t in single_history.json()]
        diff = await client.get(f"/v1/declarations/{did}/versions/1/diff/2", headers=headers)
        assert diffs.json() == [{**diff.json(), "declaration_id": did}], who
    ministry = issuer.headers("ministry")
    versions = await client.get("/v1/declarations/versions", params=named, headers=ministry)
    assert [v["number"] for v in versions.json()] == [1, 2]
    beyond = await client.get(
        "/v1/declarations/diffs",
        params={**named, "before": 1, "after": 3},
        headers=ministry,
    )
    assert beyond.json() == []  # no version 3: left out, as the single read's 404


async def test_factories_of_many_enterprises_as_of_each(client, issuer):
    named = [SHANGHAI_USCC, FUZHOU_USCC, UNKNOWN_USCC]
    for who, headers in _readers(issuer).items():
        batch = await client.get(
            "/v1/enterprises/factories", params={"uscc": named}, headers=headers
        )
        assert batch.status_code == 200, (who, batch.text)
        singles = []
        for uscc in named:
            one = await client.get(f"/v1/enterprises/{uscc}/factories", headers=headers)
            if one.status_code == 200:
                singles += [{**f, "enterprise_uscc": uscc} for f in one.json()]
        key = lambda f: (f["enterprise_uscc"], f["created_at"], f["id"])  # noqa: E731
        assert sorted(batch.json(), key=key) == sorted(singles, key=key), who


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/declarations/versions", {}),
        ("/v1/declarations/history", {"declaration_id": [str(uuid.uuid4()) for _ in range(101)]}),
        ("/v1/declarations/diffs", {"declaration_id": [str(uuid.uuid4())], "before": 0,
                                    "after": 1}),
        ("/v1/declarations/diffs", {"declaration_id": [str(uuid.uuid4())], "before": 1,
                                    "after": 2**31}),
        ("/v1/declarations/diffs", {"declaration_id": [str(uuid.uuid4())]}),
        ("/v1/enterprises/factories", {"uscc": [FUZHOU_USCC] * 101}),
    ],
)  # fmt: skip
async def test_the_batches_are_bounded(client, issuer, path, params):
    resp = await client.get(path, params=params, headers=issuer.headers("ministry"))

    assert resp.status_code == 422, resp.text
    assert resp.json()["error"]["code"] == "validation_error"


async def test_a_declaration_and_an_enterprise_are_still_read_by_their_path(client, enterprise):
    """The batch routes come before `/{declaration_id}` and `/{uscc}`; those still answer."""
    one = await client.get(f"/v1/enterprises/{FUZHOU_USCC}/factories", headers=enterprise)
    assert one.status_code == 200
    missing = await client.get(f"/v1/declarations/{uuid.uuid4()}", headers=enterprise)
    assert missing.json()["error"]["code"] == "declaration_not_found"
