"""The authority's side: the county lists the registrations filed with it and approves or
rejects them under If-Match; any other organisation sees none of them (404, never 403)."""

from __future__ import annotations

from sqlmodel import select

from ladder.identity.accounts.models import User
from ladder.identity.organisations.models import Organisation


async def _file(client, form, key, **fields) -> dict:
    r = await client.post("/v1/registrations", json=form(**fields), headers=key())
    assert r.status_code == 201, r.text
    return r.json()


async def test_the_county_lists_and_approves_with_if_match(
    client, identity_app, form, key, auth
) -> None:
    filed = await _file(client, form, key)
    county = await auth("county")
    listed = await client.get("/v1/registrations?status=pending", headers=county)
    assert listed.status_code == 200, listed.text
    page = listed.json()
    assert [r["id"] for r in page["items"]] == [filed["id"]]
    assert (page["total"], page["page"], page["page_size"]) == (1, 1, 20)
    one = await client.get(f"/v1/registrations/{filed['id']}", headers=county)
    assert one.status_code == 200 and one.headers["ETag"] == filed["etag"]

    url = f"/v1/registrations/{filed['id']}/approve"
    r = await client.post(url, headers=county)
    assert r.status_code == 428 and r.json()["error"]["code"] == "if_match_required"
    stale = filed["etag"].replace("-v1", "-v0")
    r = await client.post(url, headers={**county, "If-Match": stale})
    assert r.status_code == 412 and r.json()["error"]["code"] == "stale_etag"

    r = await client.post(url, headers={**county, "If-Match": filed["etag"]})
    assert r.status_code == 200, r.text
    approved = r.json()
    assert approved["status"] == "approved"
    assert approved["decided_at"] is not None
    assert approved["decided_by"].startswith("user:")
    assert r.headers["ETag"] == approved["etag"] != filed["etag"]
    async with identity_app.state.db.transaction() as session:
        org = await session.get(Organisation, filed["id"])
        assert org is not None and org.status == "active" and org.decided_at is not None

    pending = await client.get("/v1/registrations?status=pending", headers=county)
    assert pending.json()["total"] == 0
    approved_list = await client.get("/v1/registrations?status=approved", headers=county)
    # The seeded 福州示范智能装备 is 鼓楼's approved enterprise too.
    assert filed["id"] in {x["id"] for x in approved_list.json()["items"]}
    assert {x["status"] for x in approved_list.json()["items"]} == {"approved"}

    # Approved twice: 409, with the old ETag or the new one.
    for etag in (filed["etag"], approved["etag"]):
        r = await client.post(url, headers={**county, "If-Match": etag})
        assert r.status_code == 409 and r.json()["error"]["code"] == "registration_decided"
    r = await client.post(
        f"/v1/registrations/{filed['id']}/reject",
        json={"reason": "too late"},
        headers={**county, "If-Match": approved["etag"]},
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "registration_decided"


async def test_another_county_gets_404(client, form, key, auth) -> None:
    filed = await _file(client, form, key)
    other = await auth("county-other")  # 台江
    assert (await client.get("/v1/registrations", headers=other)).json()["total"] == 0
    r = await client.get(f"/v1/registrations/{filed['id']}", headers=other)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    for action, body in (("approve", None), ("reject", {"reason": "not ours"})):
        r = await client.post(
            f"/v1/registrations/{filed['id']}/{action}",
            json=body,
            headers={**other, "If-Match": filed["etag"]},
        )
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    # The city above (福州) decides nothing either: the county does.
    city = await auth("city")
    r = await client.get(f"/v1/registrations/{filed['id']}", headers=city)
    assert r.status_code == 404


async def test_only_authorities_list(client, form, key, auth) -> None:
    filed = await _file(client, form, key)
    enterprise = await auth("enterprise")
    r = await client.get("/v1/registrations", headers=enterprise)
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_an_authority"
    r = await client.get(f"/v1/registrations/{filed['id']}", headers=enterprise)
    assert r.status_code == 404
    r = await client.get("/v1/registrations")
    assert r.status_code == 401


async def test_a_member_of_the_county_decides_too(client, identity_app, form, key, auth) -> None:
    filed = await _file(client, form, key)
    async with identity_app.state.db.transaction() as session:
        county = (await session.exec(select(User).where(User.username == "county"))).one()
        county.org_role = "member"
        county.bump()
    r = await client.post(
        f"/v1/registrations/{filed['id']}/approve",
        headers={**(await auth("county")), "If-Match": filed["etag"]},
    )
    assert r.status_code == 200, r.text


async def test_reject_with_a_reason_and_file_again(client, form, key, auth) -> None:
    body = form()
    filed = await _file(client, form, key, **body)
    county = await auth("county")
    url = f"/v1/registrations/{filed['id']}/reject"
    for bad in ({}, {"reason": ""}, {"reason": "   "}, {"reason": "x" * 501}):
        r = await client.post(url, json=bad, headers={**county, "If-Match": filed["etag"]})
        assert r.status_code == 422, bad
    r = await client.post(
        url,
        json={"reason": "营业执照名称与申报名称不一致"},
        headers={**county, "If-Match": filed["etag"]},
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "rejected"
    assert r.json()["status_reason"] == "营业执照名称与申报名称不一致"
    rejected = await client.get("/v1/registrations?status=rejected", headers=county)
    assert [x["id"] for x in rejected.json()["items"]] == [filed["id"]]

    # The same USCC may be filed again — under the same username too (the rejected
    # registration's user is taken over: it never could sign in).
    again = await client.post(
        "/v1/registrations", json={**body, "name": body["name"] + "（更正）"}, headers=key()
    )
    assert again.status_code == 201, again.text
    assert again.json()["id"] != filed["id"] and again.json()["status"] == "pending"
    # …and while that one is pending, not a third time.
    third = await client.post(
        "/v1/registrations", json={**body, "username": "someone-else"}, headers=key()
    )
    assert third.status_code == 409 and third.json()["error"]["code"] == "already_registered"
    listed = await client.get("/v1/registrations", headers=county)
    assert {x["id"]: x["status"] for x in listed.json()["items"] if x["uscc"] == body["uscc"]} == {
        filed["id"]: "rejected",
        again.json()["id"]: "pending",
    }


async def test_another_enterprise_cannot_take_a_rejected_username(client, form, key, auth) -> None:
    body = form()
    filed = await _file(client, form, key, **body)
    county = await auth("county")
    r = await client.post(
        f"/v1/registrations/{filed['id']}/reject",
        json={"reason": "材料不全"},
        headers={**county, "If-Match": filed["etag"]},
    )
    assert r.status_code == 200
    r = await client.post("/v1/registrations", json=form(username=body["username"]), headers=key())
    assert r.status_code == 409 and r.json()["error"]["code"] == "username_taken"


async def test_pingtan_decides_its_own(client, form, key, auth) -> None:
    filed = await _file(client, form, key, region="350128")
    assert (await client.get("/v1/registrations", headers=await auth("city"))).json()["total"] == 0
    pingtan = await auth("city-pingtan")
    r = await client.post(
        f"/v1/registrations/{filed['id']}/approve",
        headers={**pingtan, "If-Match": filed["etag"]},
    )
    assert r.status_code == 200 and r.json()["status"] == "approved"


async def test_pages(client, form, key, auth) -> None:
    """Newest first; the seeded 福州示范智能装备 (approved, 鼓楼's) is not pending."""
    ids = [(await _file(client, form, key))["id"] for _ in range(3)]
    county = await auth("county")
    r = await client.get("/v1/registrations?status=pending&page=2&page_size=2", headers=county)
    assert r.status_code == 200
    assert r.json()["total"] == 3
    assert [x["id"] for x in r.json()["items"]] == ids[:1]  # newest first
    r = await client.get("/v1/registrations?status=approvedish", headers=county)
    assert r.status_code == 422
