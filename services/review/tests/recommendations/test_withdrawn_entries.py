"""A case whose declaration is withdrawn leaves the lists not yet submitted, open or locked,
with a history row; the cases below it move up (issue 14)."""

from __future__ import annotations

import uuid

from declaration_said import withdrawn_event

LIST = "/v1/recommendation-lists/2025/excellence/440000"


def _h(issuer, **extra) -> dict[str, str]:
    return {**issuer.headers("province", region="440000"), **extra}


async def _listed(rec, issuer, ids) -> dict:
    assert (await rec.put(LIST, headers=_h(issuer))).status_code in (200, 201)
    for did in ids:
        resp = await rec.post(
            f"{LIST}/entries",
            json={"declaration_id": did},
            headers=_h(issuer, **{"Idempotency-Key": uuid.uuid4().hex}),
        )
        assert resp.status_code == 201, resp.text
    return (await rec.get(LIST, headers=_h(issuer))).json()


async def _withdraw(rec, issuer, did):
    resp = await rec.post(
        "/internal/events", json=withdrawn_event(did), headers=issuer.service_headers("declaration")
    )
    assert (resp.status_code, resp.json()["status"]) == (200, "accepted"), resp.text


async def test_a_withdrawn_case_leaves_an_open_list(rec, issuer, ready, quota):
    quota["limit"] = 3
    a, b, c = await ready(3)
    await _listed(rec, issuer, [a, b, c])
    await _withdraw(rec, issuer, a)
    body = (await rec.get(LIST, headers=_h(issuer))).json()
    assert [(e["rank"], e["declaration_id"]) for e in body["entries"]] == [(1, b), (2, c)]
    last = body["history"][-1]
    assert (last["action"], last["declaration_id"], last["actor"]) == (
        "withdrawn_by_applicant",
        a,
        "service:declaration",
    )
    assert body["status"] == "open"
    case = await rec.get(f"/v1/cases/{a}", headers=issuer.headers("ministry"))
    assert case.json()["status"] == "withdrawn_by_applicant"


async def test_a_withdrawn_case_leaves_a_locked_list_which_stays_locked(rec, issuer, ready, quota):
    a, b = await ready(2)
    listed = await _listed(rec, issuer, [a, b])
    locked = await rec.post(f"{LIST}/lock", headers=_h(issuer, **{"If-Match": listed["etag"]}))
    assert locked.status_code == 200, locked.text
    await _withdraw(rec, issuer, b)
    body = (await rec.get(LIST, headers=_h(issuer))).json()
    assert (body["status"], [e["declaration_id"] for e in body["entries"]]) == ("locked", [a])
    assert body["etag"] != locked.json()["etag"]  # the list changed: an old If-Match is stale
