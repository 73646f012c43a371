"""An organisation's admin invites colleagues, lists and reads its users, and deactivates
them: a deactivated user's refresh tokens are revoked and its tokens refused at once."""

from __future__ import annotations

import asyncio
import uuid

from sqlmodel import select

from ladder.identity.accounts.models import OneTimeToken, User
from ladder.identity.organisations.models import Organisation
from ladder.identity.sessions import store
from ladder.identity.sessions.models import RefreshToken

PASSWORD = "gulou colleague passphrase"


def _key() -> dict[str, str]:
    return {"Idempotency-Key": f"test-{uuid.uuid4().hex}"}


def _colleague(username: str = "gulou-li", org_role: str = "member") -> dict:
    return {
        "username": username,
        "email": f"{username}@gulou.example.gov.cn",
        "display_name": "鼓楼区同事",
        "org_role": org_role,
    }


async def _invite_and_accept(api, as_user, link_token, username: str = "gulou-li") -> dict:
    invited = await api.post(
        "/v1/users", json=_colleague(username), headers={**await as_user("county"), **_key()}
    )
    assert invited.status_code == 201, invited.text
    token = link_token(f"{username}@gulou.example.gov.cn")
    accepted = await api.post("/v1/invitations/accept", json={"token": token, "password": PASSWORD})
    assert accepted.status_code == 200, accepted.text
    return invited.json()


async def test_the_county_admin_invites_a_colleague(api, app, as_user, link_token) -> None:
    county = await as_user("county")
    invited = await api.post("/v1/users", json=_colleague(), headers={**county, **_key()})
    assert invited.status_code == 201, invited.text
    user = invited.json()
    assert (user["username"], user["org_role"], user["status"]) == ("gulou-li", "member", "invited")
    assert invited.headers["ETag"] == user["etag"] and not user["mfa_enrolled"]
    async with app.state.db.transaction() as session:
        row = await session.get(User, uuid.UUID(user["id"]))
        org = await session.get(Organisation, row.org_id)
        assert (org.region, row.password_hash) == ("350102", None)
        assert row.created_by.startswith("user:")
    assert link_token("gulou-li@gulou.example.gov.cn")

    taken = await api.post("/v1/users", json=_colleague("GULOU-LI"), headers={**county, **_key()})
    assert (taken.status_code, taken.json()["error"]["code"]) == (409, "username_taken")
    bad = await api.post(
        "/v1/users",
        json={**_colleague("x y"), "email": "ok@example.cn", "org_role": "owner"},
        headers={**county, **_key()},
    )
    assert bad.status_code == 422
    fields = {f["field"] for f in bad.json()["error"]["details"]["fields"]}
    assert fields == {"username", "org_role"}


async def test_a_username_taken_by_a_concurrent_write_is_409(api, app, as_user) -> None:
    """The unique index decides when the check before the insert cannot see the other row
    yet (it is not committed): the invite waits for it and answers 409, not 500."""
    county = await as_user("county")
    async with app.state.db.transaction() as other:
        org_id = (await other.exec(select(User.org_id).where(User.username == "county"))).one()
        other.add(
            User(
                org_id=org_id,
                username="racer",
                email="racer@example.cn",
                display_name="先到者",
                org_role="member",
                status="invited",
                created_by="test",
            )
        )
        await other.flush()
        request = asyncio.create_task(
            api.post("/v1/users", json=_colleague("racer"), headers={**county, **_key()})
        )
        await asyncio.sleep(0.5)  # the invite's insert now waits on the uncommitted row
        assert not request.done()
    answer = await request
    assert (answer.status_code, answer.json()["error"]["code"]) == (409, "username_taken")


async def test_users_are_listed_and_read_within_the_organisation(
    api, app, as_user, link_token
) -> None:
    invited = await _invite_and_accept(api, as_user, link_token)
    county = await as_user("county")
    listed = await api.get("/v1/users", headers=county)
    assert listed.status_code == 200, listed.text
    rows = {u["username"]: u for u in listed.json()["items"]}
    assert set(rows) == {"county", "gulou-li"} and listed.json()["total"] == 2
    assert rows["gulou-li"]["status"] == "active" and rows["gulou-li"]["etag"]
    invited_only = await api.get("/v1/users", params={"status": "invited"}, headers=county)
    assert invited_only.json()["items"] == []

    one = await api.get(f"/v1/users/{invited['id']}", headers=county)
    assert one.status_code == 200
    assert one.headers["ETag"] == rows["gulou-li"]["etag"] != invited["etag"]

    other_county = await api.get(
        f"/v1/users/{invited['id']}", headers=await as_user("county-other")
    )
    assert (other_county.status_code, other_county.json()["error"]["code"]) == (
        404,
        "user_not_found",
    )
    member = await api.get("/v1/users", headers=await as_user("gulou-li"))
    assert member.status_code == 403  # a member is not an admin


async def test_deactivating_a_user_revokes_its_sessions_at_once(
    api, app, as_user, link_token
) -> None:
    invited = await _invite_and_accept(api, as_user, link_token)
    colleague_headers = await as_user("gulou-li")
    assert (await api.get("/v1/me", headers=colleague_headers)).status_code == 200
    async with app.state.db.transaction() as session:
        user = await session.get(User, uuid.UUID(invited["id"]))
        org = await session.get(Organisation, user.org_id)
        issued = await store.open_session(
            session, app.state.keys, app.state.settings, user, org, client_id="portal", amr="pwd"
        )
    county = await as_user("county")
    path = f"/v1/users/{invited['id']}/deactivate"
    etag = (await api.get(f"/v1/users/{invited['id']}", headers=county)).headers["ETag"]

    missing = await api.post(path, headers=county)
    assert (missing.status_code, missing.json()["error"]["code"]) == (428, "if_match_required")
    stale = await api.post(path, headers={**county, "If-Match": invited["etag"]})
    assert (stale.status_code, stale.json()["error"]["code"]) == (412, "stale_etag")
    assert stale.json()["error"]["details"]["current_etag"] == etag
    async with app.state.db.transaction() as session:
        admin_id = (await session.exec(select(User.id).where(User.username == "county"))).one()
    self_path = f"/v1/users/{admin_id}/deactivate"
    admin_etag = (await api.get(f"/v1/users/{admin_id}", headers=county)).headers["ETag"]
    itself = await api.post(self_path, headers={**county, "If-Match": admin_etag})
    assert (itself.status_code, itself.json()["error"]["code"]) == (409, "cannot_deactivate_self")
    by_member = await api.post(path, headers={**colleague_headers, "If-Match": etag})
    assert by_member.status_code == 403

    done = await api.post(path, json={}, headers={**county, "If-Match": etag, **_key()})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "deactivated" and done.json()["deactivated_at"]
    async with app.state.db.transaction() as session:
        row = await session.get(User, uuid.UUID(invited["id"]))
        assert row.deactivated_by == f"user:{admin_id}"
        refresh = (
            await session.exec(
                select(RefreshToken).where(RefreshToken.family_id == issued.family_id)
            )
        ).one()
        assert refresh.revoked_at is not None and refresh.revoke_reason == "deactivated"
    assert (await api.get("/v1/me", headers=colleague_headers)).status_code == 401
    again = await api.post(path, headers={**county, "If-Match": done.headers["ETag"]})
    assert (again.status_code, again.json()["error"]["code"]) == (409, "user_deactivated")


async def test_deactivating_an_invited_user_kills_its_link(api, app, as_user, link_token) -> None:
    county = await as_user("county")
    invited = (
        await api.post("/v1/users", json=_colleague("gulou-wang"), headers={**county, **_key()})
    ).json()
    token = link_token("gulou-wang@gulou.example.gov.cn")
    off = await api.post(
        f"/v1/users/{invited['id']}/deactivate", headers={**county, "If-Match": invited["etag"]}
    )
    assert off.status_code == 200, off.text
    late = await api.post("/v1/invitations/accept", json={"token": token, "password": PASSWORD})
    assert (late.status_code, late.json()["error"]["code"]) == (410, "link_invalid")
    async with app.state.db.transaction() as session:
        live = await session.exec(
            select(OneTimeToken).where(
                OneTimeToken.user_id == uuid.UUID(invited["id"]), OneTimeToken.used_at.is_(None)
            )
        )
        assert live.all() == []
