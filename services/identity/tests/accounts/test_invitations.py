"""Invitations through a real SMTP server: the link sets the first password once; a weak
password costs nothing; a new invitation retires the old link; nothing secret is logged."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import select

from ladder.identity.accounts.models import OneTimeToken, User
from ladder.kit import clock

PASSWORD = "correct horse battery staple"
EMAIL = "gulou-zhao@gulou.example.gov.cn"


def _key() -> dict[str, str]:
    return {"Idempotency-Key": f"test-{uuid.uuid4().hex}"}


async def _invite(api, as_user) -> dict:
    invited = await api.post(
        "/v1/users",
        json={
            "username": "gulou-zhao",
            "email": EMAIL,
            "display_name": "赵工",
            "org_role": "admin",
        },
        headers={**await as_user("county"), **_key()},
    )
    assert invited.status_code == 201, invited.text
    return invited.json()


async def test_a_weak_password_leaves_the_link_usable_and_the_link_works_once(
    api, app, as_user, link_token, smtp_sink, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    invited = await _invite(api, as_user)
    (mail,) = smtp_sink.to(EMAIL)
    assert mail["To"] == EMAIL
    token = link_token(EMAIL)
    assert f"{app.state.settings.public_url}/invitations/accept#token={token}" in str(
        mail.get_body(preferencelist=("plain",)).get_content()
    )

    for weak, problem in (("short", "too_short"), ("gulou-zhao", "matches_account")):
        refused = await api.post("/v1/invitations/accept", json={"token": token, "password": weak})
        assert refused.status_code == 422, refused.text
        assert problem in refused.json()["error"]["details"]["problems"]
    accepted = await api.post("/v1/invitations/accept", json={"token": token, "password": PASSWORD})
    assert accepted.json() == {"username": "gulou-zhao", "status": "active"}
    second = await api.post("/v1/invitations/accept", json={"token": token, "password": PASSWORD})
    assert (second.status_code, second.json()["error"]["code"]) == (410, "link_invalid")
    unknown = await api.post(
        "/v1/invitations/accept", json={"token": "x" * 43, "password": PASSWORD}
    )
    assert unknown.status_code == 410

    me = await api.get("/v1/me", headers=await as_user("gulou-zhao"))
    assert me.json()["user"]["org_role"] == "admin" and me.json()["user"]["status"] == "active"
    async with app.state.db.transaction() as session:
        row = await session.get(User, uuid.UUID(invited["id"]))
        assert row.status == "active" and row.password_changed_at is not None

    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("ladder"))
    assert "mail invitation sent to @gulou.example.gov.cn" in ours
    for secret in (token, PASSWORD, EMAIL):
        assert secret not in ours


async def test_an_accept_retried_with_its_key_answers_the_first_200(
    api, as_user, link_token
) -> None:
    await _invite(api, as_user)
    body = {"token": link_token(EMAIL), "password": PASSWORD}
    key = _key()
    first = await api.post("/v1/invitations/accept", json=body, headers=key)
    retried = await api.post("/v1/invitations/accept", json=body, headers=key)
    assert (first.status_code, retried.status_code) == (200, 200)
    assert retried.json() == first.json()


async def test_an_expired_link_is_gone(api, app, as_user, link_token) -> None:
    await _invite(api, as_user)
    token = link_token(EMAIL)
    async with app.state.db.transaction() as session:
        await session.execute(
            update(OneTimeToken).values(expires_at=clock.now() - timedelta(seconds=1))
        )
    late = await api.post("/v1/invitations/accept", json={"token": token, "password": PASSWORD})
    assert (late.status_code, late.json()["error"]["code"]) == (410, "link_invalid")


async def test_a_new_invitation_retires_the_old_link(
    api, app, as_user, link_token, smtp_sink
) -> None:
    invited = await _invite(api, as_user)
    old = link_token(EMAIL)
    county = await as_user("county")
    resent = await api.post(f"/v1/users/{invited['id']}/invitation", headers={**county, **_key()})
    assert resent.status_code == 200, resent.text
    assert resent.json()["status"] == "invited" and resent.json()["expires_at"]
    assert len(smtp_sink.to(EMAIL)) == 2
    new = link_token(EMAIL)
    assert new != old
    stale = await api.post("/v1/invitations/accept", json={"token": old, "password": PASSWORD})
    assert (stale.status_code, stale.json()["error"]["code"]) == (410, "link_invalid")
    fresh = await api.post("/v1/invitations/accept", json={"token": new, "password": PASSWORD})
    assert fresh.status_code == 200, fresh.text

    accepted = await api.post(f"/v1/users/{invited['id']}/invitation", headers={**county, **_key()})
    assert (accepted.status_code, accepted.json()["error"]["code"]) == (409, "not_invited")
    elsewhere = await api.post(
        f"/v1/users/{invited['id']}/invitation",
        headers={**await as_user("county-other"), **_key()},
    )
    assert elsewhere.status_code == 404
    async with app.state.db.transaction() as session:
        used = (
            await session.exec(
                select(OneTimeToken).where(OneTimeToken.user_id == uuid.UUID(invited["id"]))
            )
        ).all()
        assert len(used) == 2 and all(t.used_at is not None for t in used)
