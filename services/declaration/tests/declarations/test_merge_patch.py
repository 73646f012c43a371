"""PATCH of a declaration takes its `facts` as a JSON Merge Patch (RFC 7396): a portal saving
one section does not drop the others (issue 14)."""

from __future__ import annotations

import uuid

from declaration_documents import document
from review_said import FACTORY_ID


async def _draft(client, enterprise) -> tuple[str, dict, str]:
    body = {"factory_id": FACTORY_ID, "campaign_year": 2025, "tier": "pilot", "facts": document()}
    resp = await client.post(
        "/v1/declarations", json=body, headers={**enterprise, "Idempotency-Key": uuid.uuid4().hex}
    )
    assert resp.status_code == 201, resp.text
    return resp.json()["id"], resp.json()["facts"], resp.headers["etag"]


async def _patch(client, enterprise, did, etag, body, content_type="application/json"):
    return await client.patch(
        f"/v1/declarations/{did}",
        json=body,
        headers={**enterprise, "If-Match": etag, "Content-Type": content_type},
    )


async def test_one_section_is_saved_and_the_others_are_kept(client, enterprise):
    did, facts, etag = await _draft(client, enterprise)
    effects = {"advancement": "新的先进性", "results": "新的成效", "next_plans": "新的计划"}
    resp = await _patch(client, enterprise, did, etag, {"facts": {"effects": effects}})
    assert resp.status_code == 200, resp.text
    assert resp.json()["facts"] == {**facts, "effects": effects}


async def test_objects_merge_null_removes_and_arrays_replace(client, enterprise):
    did, facts, etag = await _draft(client, enterprise)
    patch = {
        "effects": {"results": "只改实施成效"},  # an object merges key by key
        "summary": None,  # null removes the key
        "segments": ["工厂建设", "生产作业"],  # an array replaces the stored one whole
    }
    resp = await _patch(
        client, enterprise, did, etag, {"facts": patch}, "application/merge-patch+json"
    )
    assert resp.status_code == 200, resp.text
    got = resp.json()["facts"]
    assert got["effects"] == {**facts["effects"], "results": "只改实施成效"}
    assert "summary" not in got
    assert got["segments"] == ["工厂建设", "生产作业"]
    assert got["scenes"] == facts["scenes"]


async def test_a_patch_that_breaks_the_document_is_422_and_nothing_changes(client, enterprise):
    did, facts, etag = await _draft(client, enterprise)
    for patch, field in (
        ({"cmmm_level": None}, "facts.cmmm_level"),  # removes a required key
        ({"effects": {"results": 7}}, "facts.effects.results"),
        ({"segments": ["工厂建设", "工厂建设"]}, "facts.segments"),
        ({"no_such_section": {}}, "facts.no_such_section"),
    ):
        resp = await _patch(client, enterprise, did, etag, {"facts": patch})
        assert resp.status_code == 422, (patch, resp.text)
        assert resp.json()["error"]["code"] == "validation_error"
        assert field in [f["field"] for f in resp.json()["error"]["details"]["fields"]], patch
    read = await client.get(f"/v1/declarations/{did}", headers=enterprise)
    assert (read.json()["facts"], read.headers["etag"]) == (facts, etag)


async def test_facts_must_be_an_object(client, enterprise):
    did, _, etag = await _draft(client, enterprise)
    resp = await _patch(client, enterprise, did, etag, {"facts": ["not", "an", "object"]})
    assert resp.status_code == 422
    assert resp.json()["error"]["details"]["fields"][0]["field"].startswith("facts")
