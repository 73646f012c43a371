"""The 揭榜单位 registry over HTTP: who records, edits under If-Match with history, and how a
record (only an active one, only of the overlay province's acceptance) exempts in usage."""

from __future__ import annotations

import uuid

UNITS = "/v1/jiebang-units"
USAGE = "/v1/campaigns/2025/quotas/usage"


def _key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def _record(client, headers, body) -> dict:
    resp = await client.post(UNITS, json=body, headers={**headers, **_key()})
    assert resp.status_code == 201, resp.text
    return resp.json()


async def _exempt(client, headers, usccs: list[str], tier: str = "excellence") -> list[bool]:
    resp = await client.post(
        USAGE,
        json={
            "tier": tier,
            "unit": "310115",
            "candidates": [{"id": f"c{i}", "enterprise_uscc": u} for i, u in enumerate(usccs)],
        },
        headers=headers,
    )
    assert resp.status_code == 200, resp.text
    return [c["reason"] == "exempt" for c in resp.json()["candidates"]]


async def test_the_ministry_records_and_the_record_says_which_caps(
    client, ministry, jiebang, uscc
) -> None:
    body = await _record(client, ministry, {**jiebang, "uscc": uscc(1)})
    assert body["status"] == "active"
    assert body["accepted_by_name"] == "上海市"
    assert body["exempt_from"] == [
        {
            "campaign": "2025",
            "policy": "shanghai-2025",
            "tier": "excellence",
            "clause": "沪经信制〔2025〕430号 一(二)4",
        }
    ]
    assert [h["action"] for h in body["history"]] == ["recorded"]
    assert body["history"][0]["changes"]["uscc"] == [None, uscc(1)]
    read = await client.get(f"{UNITS}/{body['id']}", headers=ministry)
    assert read.status_code == 200
    assert read.headers["ETag"] == body["etag"]
    listed = (await client.get(UNITS, params={"uscc": uscc(1)}, headers=ministry)).json()
    assert [u["id"] for u in listed["items"]] == [body["id"]]


async def test_a_province_records_only_its_own_acceptances(client, issuer, jiebang, uscc) -> None:
    shanghai = issuer.headers("province", sub="sh", region="310000")
    fujian = issuer.headers("province", sub="fj", region="350000")
    county = issuer.headers("county", sub="pd", region="310115")
    refused = await client.post(
        UNITS, json={**jiebang, "uscc": uscc(2)}, headers={**fujian, **_key()}
    )
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "not_own_province")
    assert (
        await client.post(UNITS, json={**jiebang, "uscc": uscc(2)}, headers={**county, **_key()})
    ).status_code == 403
    await _record(client, shanghai, {**jiebang, "uscc": uscc(2)})
    again = await client.post(
        UNITS, json={**jiebang, "uscc": uscc(2)}, headers={**shanghai, **_key()}
    )
    assert (again.status_code, again.json()["error"]["code"]) == (409, "jiebang_unit_exists")
    record = (await client.get(UNITS, params={"uscc": uscc(2)}, headers=shanghai)).json()
    other_edit = await client.patch(
        f"{UNITS}/{record['items'][0]['id']}",
        json={"status": "revoked", "source_note": "x"},
        headers={**fujian, "If-Match": '"stale"'},
    )
    assert (other_edit.status_code, other_edit.json()["error"]["code"]) == (
        403,
        "not_own_province",
    )
    bad = await client.post(
        UNITS, json={**jiebang, "uscc": "91310115MA1K000006"}, headers={**shanghai, **_key()}
    )
    assert bad.status_code == 422
    assert "uscc" in [f["field"] for f in bad.json()["error"]["details"]["fields"]]
    nowhere = await client.post(
        UNITS,
        json={**jiebang, "uscc": uscc(3), "accepted_by": "810000"},
        headers={**issuer.headers("ministry", sub="m"), **_key()},
    )
    assert (nowhere.status_code, nowhere.json()["error"]["code"]) == (422, "invalid_province")


async def test_only_an_active_record_of_shanghais_acceptance_exempts(
    client, ministry, enterprise, jiebang, uscc
) -> None:
    shanghai = await _record(client, ministry, {**jiebang, "uscc": uscc(4)})
    await _record(client, ministry, {**jiebang, "uscc": uscc(5), "accepted_by": "350000"})
    assert await _exempt(client, enterprise, [uscc(4), uscc(5), uscc(6)]) == [True, False, False]
    # 430号 二(二)3 (领航级) names no exemption: the record changes nothing there.
    assert await _exempt(client, enterprise, [uscc(4)], tier="pilot") == [False]

    no_match = await client.patch(
        f"{UNITS}/{shanghai['id']}",
        json={"status": "revoked", "source_note": "x"},
        headers=ministry,
    )
    assert no_match.status_code == 428
    revoked = await client.patch(
        f"{UNITS}/{shanghai['id']}",
        json={"status": "revoked", "source_note": "验收结论撤销（测试）"},
        headers={**ministry, "If-Match": shanghai["etag"]},
    )
    assert revoked.status_code == 200, revoked.text
    body = revoked.json()
    assert (body["status"], body["exempt_from"]) == ("revoked", [])
    assert [h["action"] for h in body["history"]] == ["recorded", "revoked"]
    assert body["history"][1]["changes"] == {"status": ["active", "revoked"]}
    assert await _exempt(client, enterprise, [uscc(4)]) == [False]
    stale = await client.patch(
        f"{UNITS}/{shanghai['id']}",
        json={"status": "active", "source_note": "y"},
        headers={**ministry, "If-Match": shanghai["etag"]},
    )
    assert stale.status_code == 412
    restored = await client.patch(
        f"{UNITS}/{shanghai['id']}",
        json={"status": "active", "year": 2023, "source_note": "复核恢复（测试）"},
        headers={**ministry, "If-Match": body["etag"]},
    )
    assert restored.status_code == 200, restored.text
    assert restored.json()["history"][-1]["action"] == "restored"
    assert restored.json()["history"][-1]["changes"]["year"] == [2024, 2023]
    assert await _exempt(client, enterprise, [uscc(4)]) == [True]


async def test_an_idempotent_retry_records_once(client, ministry, jiebang, uscc, count) -> None:
    headers = {**ministry, "Idempotency-Key": "jiebang-once-1"}
    first = await client.post(UNITS, json={**jiebang, "uscc": uscc(7)}, headers=headers)
    second = await client.post(UNITS, json={**jiebang, "uscc": uscc(7)}, headers=headers)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json() == second.json()
    assert await count("jiebang_unit") == 1
    assert await count("jiebang_unit_event") == 1
    missing = await client.get(f"{UNITS}/{uuid.uuid4()}", headers=ministry)
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "jiebang_unit_not_found")
