"""Withdrawing a submitted declaration tells the review service (`declaration.withdrawn`, by
its contract); withdrawing a draft it never saw does not (issue 14)."""

from __future__ import annotations

import uuid

from declaration_documents import document
from review_said import FACTORY_ID, submitted
from sqlalchemy import text

from ladder.contracts.declaration import DECLARATION_WITHDRAWN, DeclarationWithdrawn


async def _withdrawn_events(client) -> list[tuple[str, dict]]:
    async with client.app.state.db.transaction() as s:
        rows = await s.execute(
            text("SELECT destination, payload FROM declaration.outbox WHERE topic = :t"),
            {"t": DECLARATION_WITHDRAWN},
        )
        return [(r[0], r[1]) for r in rows]


async def _withdraw(client, enterprise, did: str, reason: str):
    read = await client.get(f"/v1/declarations/{did}", headers=enterprise)
    return await client.post(
        f"/v1/declarations/{did}/withdraw",
        json={"reason": reason},
        headers={**enterprise, "If-Match": read.headers["etag"]},
    )


async def test_a_submitted_declaration_withdrawn_is_told_to_the_review(client, enterprise):
    did = await submitted(client, enterprise)
    resp = await _withdraw(client, enterprise, did, "企业决定下一批次再申报")
    assert resp.status_code == 200, resp.text
    [(destination, payload)] = await _withdrawn_events(client)
    assert destination == "review"
    told = DeclarationWithdrawn.model_validate(payload)
    assert (str(told.declaration_id), told.version, told.reason) == (
        did,
        1,
        "企业决定下一批次再申报",
    )


async def test_a_draft_withdrawn_tells_no_one(client, enterprise):
    body = {"factory_id": FACTORY_ID, "campaign_year": 2025, "tier": "pilot", "facts": document()}
    created = await client.post(
        "/v1/declarations", json=body, headers={**enterprise, "Idempotency-Key": uuid.uuid4().hex}
    )
    assert created.status_code == 201
    resp = await _withdraw(client, enterprise, created.json()["id"], "填错了")
    assert resp.status_code == 200, resp.text
    assert await _withdrawn_events(client) == []
