"""The identity app mailing a real SMTP server (the `smtp_sink` fixture), seeded with the demo
accounts (ministry, 福建, 福州, 鼓楼 …), and tokens minted for its users."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlmodel import select

from ladder.identity.accounts.models import User
from ladder.identity.main import create_app
from ladder.identity.organisations.models import Organisation
from ladder.identity.seed import seed
from ladder.identity.tokens import mint, user_claims
from tools.mailsink import body_of

LINK_TOKEN = re.compile(r"/invitations/accept#token=([A-Za-z0-9_-]+)")


@pytest.fixture
async def app(identity_settings, smtp_sink):
    app = create_app(identity_settings(smtp_port=smtp_sink.port))
    async with app.router.lifespan_context(app):
        async with app.state.db.transaction() as session:
            await seed(session)
        yield app


@pytest.fixture
async def api(app):
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://identity") as c:
        yield c


@pytest.fixture
def as_user(app):
    """`await as_user("county")`: the Authorization header of a token for that account."""

    async def headers(username: str) -> dict[str, str]:
        async with app.state.db.transaction() as session:
            user = (await session.exec(select(User).where(User.username == username))).one()
            org = await session.get(Organisation, user.org_id)
        token = mint(app.state.keys, app.state.settings, user_claims(user, org), 900)
        return {"Authorization": f"Bearer {token}"}

    return headers


@pytest.fixture
def link_token(smtp_sink):
    """The token of the newest invitation link mailed to `address`."""

    def newest(address: str) -> str:
        mails = smtp_sink.to(address)
        assert mails, f"no mail to {address}"
        found = LINK_TOKEN.search(body_of(mails[-1]))
        assert found, body_of(mails[-1])
        return found.group(1)

    return newest
