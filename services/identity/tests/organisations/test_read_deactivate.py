"""Reading organisations (one's own and those one created) and deactivating one from the level
above: every refresh token of its users is revoked and its tokens are refused at once."""

from __future__ import annotations

from sqlmodel import select

from ladder.identity.accounts.models import User
from ladder.identity.organisations.models import Organisation
from ladder.identity.sessions import store
from ladder.identity.sessions.models import RefreshToken


async def _org_id(app, region: str | None = None, name: str | None = None) -> str:
    async with app.state.db.transaction() as session:
        query = select(Organisation).where(
            Organisation.region == region if region is not None else Organisation.name == name,
            Organisation.kind != "enterprise",
        )
        return str((await session.exec(query)).one().id)


async def test_the_children_of_the_callers_organisation_are_listed(api, as_user) -> None:
    ministry = await as_user("ministry")
    listed = await api.get("/v1/organisations", headers=ministry)
    assert listed.status_code == 200, listed.text
    page = listed.json()
    names = {o["name"] for o in page["items"]}
    assert {"福建省工业和信息化厅", "新疆生产建设兵团工业和信息化局", "智能工厂评审专家库"} <= names
    assert "福州市工业和信息化局" not in names  # 福建's, not the ministry's
    assert page["total"] == len(page["items"]) and all(o["etag"] for o in page["items"])
    soe = await api.get("/v1/organisations", params={"kind": "central_soe_hq"}, headers=ministry)
    assert [o["uscc"] for o in soe.json()["items"]] == ["91110000100000007F"]
    paged = await api.get("/v1/organisations", params={"page_size": 2}, headers=ministry)
    assert len(paged.json()["items"]) == 2 and paged.json()["total"] == page["total"]

    # 鼓楼 created no unit, but approves its enterprise (the enterprise's parent).
    county = await api.get("/v1/organisations", headers=await as_user("county"))
    assert [o["kind"] for o in county.json()["items"]] == ["enterprise"]


async def test_one_reads_its_own_organisation_and_its_children_only(api, app, as_user) -> None:
    fuzhou_id, gulou_id, pingtan_id = (
        await _org_id(app, "350100"),
        await _org_id(app, "350102"),
        await _org_id(app, "350128"),
    )
    city = await as_user("city")
    own = await api.get(f"/v1/organisations/{fuzhou_id}", headers=city)
    assert own.status_code == 200, own.text
    assert own.headers["ETag"] == own.json()["etag"]
    assert own.json()["parent"]["name"] == "福建省工业和信息化厅"
    child = await api.get(f"/v1/organisations/{gulou_id}", headers=city)
    assert (child.status_code, child.json()["role"]) == (200, "county")
    sibling = await api.get(f"/v1/organisations/{pingtan_id}", headers=city)
    assert (sibling.status_code, sibling.json()["error"]["code"]) == (404, "organisation_not_found")
    grandchild = await api.get(f"/v1/organisations/{gulou_id}", headers=await as_user("ministry"))
    assert grandchild.status_code == 404


async def test_the_level_above_deactivates_an_organisation_and_its_sessions_end(
    api, app, as_user
) -> None:
    gulou_id = await _org_id(app, "350102")
    county_headers = await as_user("county")
    async with app.state.db.transaction() as session:
        county = (await session.exec(select(User).where(User.username == "county"))).one()
        org = await session.get(Organisation, county.org_id)
        issued = await store.open_session(
            session, app.state.keys, app.state.settings, county, org, client_id="portal", amr="pwd"
        )
    city = await as_user("city")
    etag = (await api.get(f"/v1/organisations/{gulou_id}", headers=city)).json()["etag"]
    path = f"/v1/organisations/{gulou_id}/deactivate"

    missing = await api.post(path, headers=city)
    assert (missing.status_code, missing.json()["error"]["code"]) == (428, "if_match_required")
    stale = await api.post(path, headers={**city, "If-Match": etag.replace("-v1", "-v0")})
    assert (stale.status_code, stale.json()["error"]["code"]) == (412, "stale_etag")
    itself = await api.post(path, headers={**county_headers, "If-Match": etag})
    assert (itself.status_code, itself.json()["error"]["code"]) == (403, "not_parent_organisation")
    above_the_parent = await api.post(path, headers={**await as_user("province"), "If-Match": etag})
    assert above_the_parent.status_code == 404

    done = await api.post(path, json={"reason": "机构调整"}, headers={**city, "If-Match": etag})
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["status_reason"]) == ("deactivated", "机构调整")
    assert done.headers["ETag"] != etag

    async with app.state.db.transaction() as session:
        row = (
            await session.exec(
                select(RefreshToken).where(RefreshToken.family_id == issued.family_id)
            )
        ).one()
        assert row.revoked_at is not None and row.revoke_reason == "organisation_deactivated"
        stored = await session.get(Organisation, gulou_id)
        assert stored.decided_by == f"user:{(await _user_id(session, 'city'))}"
    refused = await api.get("/v1/me", headers=county_headers)
    assert refused.status_code == 401

    again = await api.post(path, headers={**city, "If-Match": done.headers["ETag"]})
    assert (again.status_code, again.json()["error"]["code"]) == (409, "organisation_not_active")


async def _user_id(session, username: str):
    return (await session.exec(select(User.id).where(User.username == username))).one()
