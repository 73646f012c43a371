"""Diffs between submitted versions: the pure function and the route."""

from __future__ import annotations

import uuid

from declaration_documents import document

from ladder.declaration.declarations.diff import diff, flatten
from ladder.declaration.declarations.models import DeclarationVersion
from ladder.declaration.declarations.service import fingerprint

FACTORY_ID = "00000000-0000-4000-8000-000000000101"


def test_flatten_uses_the_error_paths() -> None:
    assert flatten({"facts": {"scenes": [{"instance": "a"}], "kpis": {}}}) == {
        "facts.scenes[0].instance": "a",
        "facts.kpis": {},
    }


def test_diff_lists_added_removed_and_changed_leaves() -> None:
    before = {"facts": {"cmmm_level": 3, "segments": ["生产作业"], "summary": "旧"}}
    after = {"facts": {"cmmm_level": 4, "segments": ["生产作业", "生产管理"]}}
    assert diff(before, after) == [
        {"path": "facts.cmmm_level", "change": "changed", "before": 3, "after": 4},
        {"path": "facts.segments[1]", "change": "added", "before": None, "after": "生产管理"},
        {"path": "facts.summary", "change": "removed", "before": "旧", "after": None},
    ]
    assert diff(after, after) == []


def test_a_number_that_becomes_text_is_a_change() -> None:
    assert diff({"a": 1}, {"a": "1"})[0]["change"] == "changed"
    assert diff({"a": 1}, {"a": True})[0]["change"] == "changed"


async def test_the_route_diffs_two_versions(client, enterprise) -> None:
    body = {"factory_id": FACTORY_ID, "campaign_year": 2025, "tier": "pilot", "facts": document()}
    created = await client.post(
        "/v1/declarations", json=body, headers={**enterprise, "Idempotency-Key": uuid.uuid4().hex}
    )
    did = created.json()["id"]
    submitted = await client.post(
        f"/v1/declarations/{did}/submit",
        headers={**enterprise, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert submitted.status_code == 200, submitted.text
    # A second version as a resubmission after a return would make it (the return itself
    # arrives from the review service, which is not running here).
    first = (await client.get(f"/v1/declarations/{did}/versions", headers=enterprise)).json()[0]
    content = {**first["content"], "version": 2}
    content["facts"] = {**content["facts"], "cmmm_level": 5}
    async with client.app.state.db.transaction() as session:
        session.add(
            DeclarationVersion(
                declaration_id=uuid.UUID(did),
                number=2,
                content=content,
                fingerprint=fingerprint(content),
                submitted_by="test",
            )
        )
    resp = await client.get(f"/v1/declarations/{did}/versions/1/diff/2", headers=enterprise)
    assert resp.status_code == 200, resp.text
    answer = resp.json()
    assert answer["before_fingerprint"] == first["fingerprint"]
    assert answer["after_fingerprint"] == fingerprint(content) != first["fingerprint"]
    assert answer["changes"] == [
        {"path": "facts.cmmm_level", "change": "changed", "before": 4, "after": 5},
        {"path": "version", "change": "changed", "before": 1, "after": 2},
    ]
    missing = await client.get(f"/v1/declarations/{did}/versions/1/diff/3", headers=enterprise)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "version_not_found"
    bad = await client.get(f"/v1/declarations/{did}/versions/0/diff/1", headers=enterprise)
    assert bad.status_code == 422
