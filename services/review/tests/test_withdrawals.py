"""`declaration.withdrawn` → the case ends as withdrawn_by_applicant, told back to the
declaration service; a decided case keeps its decision (issue 14). Lists: see
recommendations/test_withdrawn_entries.py."""

from __future__ import annotations

from declaration_said import withdrawn_event
from sqlalchemy import text


async def _case(client, issuer, did: str) -> dict:
    resp = await client.get(f"/v1/cases/{did}", headers=issuer.headers("ministry"))
    assert resp.status_code == 200, resp.text
    return resp.json()


async def _told(client) -> list[dict]:
    async with client.app.state.db.transaction() as s:
        rows = await s.execute(
            text("SELECT payload FROM review.outbox WHERE topic = 'review.status_changed'")
        )
        return [r[0] for r in rows]


async def test_a_withdrawn_declaration_closes_its_case(client, issuer, make_event, deliver):
    submitted = make_event()
    did = submitted["payload"]["declaration_id"]
    assert (await deliver(submitted)).status_code == 200
    county = issuer.headers("county", region="350102")
    before = await client.get("/v1/inbox", headers=county)
    assert did in [c["declaration_id"] for c in before.json()["items"]]
    resp = await deliver(withdrawn_event(did, reason="企业决定下一批次再申报"))
    assert (resp.status_code, resp.json()["status"]) == (200, "accepted"), resp.text

    case = await _case(client, issuer, did)
    assert case["status"] == "withdrawn_by_applicant"
    last = case["history"][-1]
    assert (last["event"], last["from_status"], last["to_status"], last["actor"]) == (
        "withdrawn_by_applicant",
        "awaiting_initial_review",
        "withdrawn_by_applicant",
        "service:declaration",
    )
    assert "企业决定下一批次再申报" in last["reason"]
    told = [p for p in await _told(client) if p["declaration_id"] == did]
    assert [p["event"] for p in told] == ["received", "withdrawn_by_applicant"]
    # Off every authority's inbox: nobody holds it any more.
    inbox = await client.get("/v1/inbox", headers=county)
    assert did not in [c["declaration_id"] for c in inbox.json()["items"]]


async def test_a_decided_case_keeps_its_decision_and_notes_the_withdrawal(
    client, issuer, make_event, deliver
):
    submitted = make_event()
    did = submitted["payload"]["declaration_id"]
    assert (await deliver(submitted)).status_code == 200
    async with client.app.state.db.transaction() as s:
        await s.execute(
            text("UPDATE review.review_case SET status = 'not_recommended' WHERE declaration_id"
                 " = :d"), {"d": did},
        )  # fmt: skip
    assert (await deliver(withdrawn_event(did))).status_code == 200
    case = await _case(client, issuer, did)
    assert case["status"] == "not_recommended"
    assert case["history"][-1]["event"] == "withdrawal_after_decision"


async def test_a_withdrawal_of_an_unknown_declaration_changes_nothing(client, deliver):
    resp = await deliver(withdrawn_event("0a7c6f6e-3c1b-4c1e-9d0e-000000000000"))
    assert (resp.status_code, resp.json()["status"]) == (200, "accepted")


async def test_a_withdrawal_breaking_the_contract_is_422(client, make_event, deliver):
    submitted = make_event()
    assert (await deliver(submitted)).status_code == 200
    bad = withdrawn_event(submitted["payload"]["declaration_id"])
    del bad["payload"]["version"]
    resp = await deliver(bad)
    assert resp.status_code == 422
    assert resp.json()["error"]["code"] == "invalid_event_payload"
