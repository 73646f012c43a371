"""`/v1/me`: the caller's account and organisation, and the claims its tokens carry — the
organisation's, whatever a token says."""

from __future__ import annotations

import uuid

import httpx
from sqlmodel import func, select

from ladder.identity.accounts.models import User
from ladder.identity.main import create_app
from ladder.identity.organisations.models import Organisation
from ladder.identity.seed import seed
from ladder.identity.tokens import mint, user_claims
from tools.stack import free_port


async def test_the_claims_come_from_the_organisation(api, app, as_user) -> None:
    me = await api.get("/v1/me", headers=await as_user("enterprise"))
    assert me.status_code == 200, me.text
    body = me.json()
    assert body["claims"] == {"role": "enterprise", "org": "91350102MA2Y00001E", "region": "350102"}
    assert body["organisation"]["kind"] == "enterprise"
    assert body["user"]["username"] == "enterprise" and body["user"]["mfa_enrolled"] is False
    assert set(body["user"]) == {
        "id",
        "username",
        "email",
        "display_name",
        "org_role",
        "status",
        "mfa_enrolled",
        "last_sign_in_at",
    }

    # A token claiming more than the organisation gives changes nothing here.
    async with app.state.db.transaction() as session:
        county = (await session.exec(select(User).where(User.username == "county"))).one()
        org = await session.get(Organisation, county.org_id)
    forged = {**user_claims(county, org), "role": "ministry", "region": "350000"}
    token = mint(app.state.keys, app.state.settings, forged, 900)
    me = await api.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["claims"] == {"role": "county", "org": None, "region": "350102"}
    assert me.json()["organisation"]["name"] == "福州市鼓楼区工业和信息化局"


async def test_me_needs_an_account(api) -> None:
    anonymous = await api.get("/v1/me")
    assert anonymous.status_code == 401


async def test_an_invitation_that_cannot_be_mailed_writes_nothing(identity_settings) -> None:
    app = create_app(identity_settings(smtp_port=free_port()))  # nothing listens there
    async with app.router.lifespan_context(app):
        async with app.state.db.transaction() as session:
            await seed(session)
            county = (await session.exec(select(User).where(User.username == "county"))).one()
            org = await session.get(Organisation, county.org_id)
            before = (await session.exec(select(func.count()).select_from(User))).one()
        token = mint(app.state.keys, app.state.settings, user_claims(county, org), 900)
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://identity") as api:
            down = await api.post(
                "/v1/users",
                json={
                    "username": "never-made",
                    "email": "never@gulou.example.gov.cn",
                    "display_name": "未创建",
                },
                headers={
                    "Authorization": f"Bearer {token}",
                    "Idempotency-Key": f"test-{uuid.uuid4().hex}",
                },
            )
        assert down.status_code == 503, down.text
        assert down.json()["error"]["details"] == {
            "dependency": "smtp",
            "reason": "mail_unavailable",
        }
        async with app.state.db.transaction() as session:
            assert (await session.exec(select(func.count()).select_from(User))).one() == before
