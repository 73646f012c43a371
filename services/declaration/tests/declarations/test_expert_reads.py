"""An expert reads a declaration while the review service grants it (`review.expert_access_changed`,
built here from the producer's model): the version under review only, with its PDF and the
attachments that version lists; another version, another expert, or after the revocation: 404,
as if the declaration did not exist."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from evidence_files import pdf
from review_said import deliver, expert_access, routed, status_changed, submitted

ZHANG = "expert-zhang"
LI = "expert-li"


def _key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def _tell(client, issuer, event) -> None:
    resp = await deliver(client, issuer, event)
    assert resp.status_code == 200, resp.text


async def _attach(client, enterprise, did: str, note: bytes) -> dict:
    resp = await client.post(
        f"/v1/declarations/{did}/attachments",
        params={"name": "证明.pdf"},
        content=pdf(note=note),
        headers={**enterprise, **_key()},
    )
    assert resp.status_code == 201, resp.text
    return resp.json()


async def _resubmitted(
    client, issuer, enterprise, did: str, version: int, note: bytes, *, remove: dict | None = None
) -> dict:
    """Returned after `version`, `remove` removed, a file added, edited and submitted again;
    the file added."""
    returned = status_changed(
        did, version=version, event="returned_for_revision", status="returned", reason="补充"
    )
    await _tell(client, issuer, returned)
    if remove is not None:
        removed = await client.delete(
            f"/v1/declarations/{did}/attachments/{remove['id']}",
            headers={**enterprise, "If-Match": remove["etag"]},
        )
        assert removed.status_code == 200, removed.text
    attachment = await _attach(client, enterprise, did, note)
    read = await client.get(f"/v1/declarations/{did}", headers=enterprise)
    edited = await client.patch(
        f"/v1/declarations/{did}",
        json={"facts": {"summary": f"第 {version + 1} 版的建设概述"}},
        headers={**enterprise, "If-Match": read.headers["etag"]},
    )
    assert edited.status_code == 200, edited.text
    again = await client.post(f"/v1/declarations/{did}/submit", headers={**enterprise, **_key()})
    assert again.status_code == 200, again.text
    assert again.json()["current_version"] == version + 1
    return attachment


async def _three_versions(client, issuer, enterprise) -> tuple[str, str, str]:
    """A declaration submitted three times: a file listed by version 2 only (removed before
    version 3), another by version 3; (id, version 2's file, version 3's file)."""
    did = await submitted(client, enterprise)
    await routed(client, issuer, did)
    old = await _resubmitted(client, issuer, enterprise, did, 1, b"% old")
    new = await _resubmitted(client, issuer, enterprise, did, 2, b"% new", remove=old)
    return did, old["id"], new["id"]


async def _reads(client, headers, did: str) -> dict[str, object]:
    """What the expert gets on every way in."""
    one = await client.get(f"/v1/declarations/{did}", headers=headers)
    listed = await client.get("/v1/declarations", headers=headers)
    versions = await client.get(f"/v1/declarations/{did}/versions", headers=headers)
    files = await client.get(f"/v1/declarations/{did}/attachments", headers=headers)
    # The batch read of versions (GraphQL's loader) reads the same ones.
    batch = await client.get(
        "/v1/declarations/versions", params={"declaration_id": did}, headers=headers
    )
    single = [v["number"] for v in versions.json()] if versions.status_code == 200 else []
    assert [v["number"] for v in batch.json()] == single
    return {
        "declaration": one.status_code,
        "listed": [i["id"] for i in listed.json()["items"]],
        "versions": [v["number"] for v in versions.json()] if versions.status_code == 200 else 404,
        "files": [a["id"] for a in files.json()] if files.status_code == 200 else 404,
        "pdf": {
            n: (
                await client.get(f"/v1/declarations/{did}/versions/{n}/pdf", headers=headers)
            ).status_code
            for n in (1, 2, 3)
        },
    }


async def test_a_granted_expert_reads_only_the_version_under_review(client, issuer, enterprise):
    did, old, new = await _three_versions(client, issuer, enterprise)
    zhang, li = issuer.headers("expert", sub=ZHANG), issuer.headers("expert", sub=LI)
    nothing = {
        "declaration": 404,
        "listed": [],
        "versions": 404,
        "files": 404,
        "pdf": {1: 404, 2: 404, 3: 404},
    }
    assert await _reads(client, zhang, did) == nothing

    # A grant on a version that is no longer the latest reads nothing.
    await _tell(client, issuer, expert_access(did, ZHANG, version=2))
    assert await _reads(client, zhang, did) == nothing

    await _tell(client, issuer, expert_access(did, ZHANG, version=3))
    assert await _reads(client, zhang, did) == {
        "declaration": 200,
        "listed": [did],
        "versions": [3],
        "files": [new],
        "pdf": {1: 404, 2: 404, 3: 200},
    }
    pdf_ = await client.get(f"/v1/declarations/{did}/versions/3/pdf", headers=zhang)
    assert pdf_.headers["content-type"] == "application/pdf" and pdf_.content.startswith(b"%PDF")
    content = f"/v1/declarations/{did}/attachments/{{}}/content"
    assert (await client.get(content.format(new), headers=zhang)).status_code == 200
    # Version 2's file: the ministry reads it (a version it reads lists it), the expert not.
    ministry = issuer.headers("ministry")
    assert (await client.get(content.format(old), headers=ministry)).status_code == 200
    assert (await client.get(content.format(old), headers=zhang)).status_code == 404
    diff = await client.get(f"/v1/declarations/{did}/versions/2/diff/3", headers=zhang)
    assert diff.status_code == 404 and diff.json()["error"]["details"]["versions"] == [2]
    diffs = await client.get(
        "/v1/declarations/diffs",
        params={"declaration_id": did, "before": 2, "after": 3},
        headers=zhang,
    )
    assert diffs.json() == []  # the batch leaves out what the single read refuses
    assert await _reads(client, li, did) == nothing  # another expert

    await _tell(client, issuer, expert_access(did, ZHANG, "revoked", version=2))
    assert (await _reads(client, zhang, did))["pdf"] == {1: 404, 2: 404, 3: 200}
    await _tell(client, issuer, expert_access(did, ZHANG, "revoked", version=3))
    assert await _reads(client, zhang, did) == nothing


async def test_the_latest_word_wins_whatever_the_order_of_arrival(client, issuer, enterprise):
    did = await submitted(client, enterprise)
    zhang = issuer.headers("expert", sub=ZHANG)
    at = datetime.now(UTC)
    revoked = expert_access(did, ZHANG, "revoked", cause="review_ended", at=at)
    await _tell(client, issuer, revoked)
    await _tell(client, issuer, expert_access(did, ZHANG, at=at - timedelta(minutes=5)))
    assert (await client.get(f"/v1/declarations/{did}", headers=zhang)).status_code == 404

    await _tell(client, issuer, expert_access(did, ZHANG, at=at + timedelta(minutes=5)))
    assert (await client.get(f"/v1/declarations/{did}", headers=zhang)).status_code == 200


async def test_access_to_an_unknown_declaration_is_dropped(client, issuer):
    await _tell(client, issuer, expert_access(str(uuid.uuid4()), ZHANG))


async def test_only_the_review_service_grants(client, issuer, enterprise):
    did = await submitted(client, enterprise)
    forged = await client.post(
        "/internal/events",
        json=expert_access(did, ZHANG),
        headers=issuer.service_headers("rules"),
    )
    assert (forged.status_code, forged.json()["error"]["code"]) == (403, "wrong_producer")
    zhang = issuer.headers("expert", sub=ZHANG)
    assert (await client.get(f"/v1/declarations/{did}", headers=zhang)).status_code == 404
