"""Fixtures of the password tests: the app mailing a real SMTP server the test starts
(`smtp_sink`), the demo organisations seeded, accounts made to measure, and tokens minted for
them (sign-in is another area's)."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlmodel import select

from ladder.identity.accounts.models import User, UserStatus
from ladder.identity.main import create_app
from ladder.identity.organisations.models import Organisation
from ladder.identity.passwords import hash_password
from ladder.identity.seed import seed
from ladder.identity.tokens import mint, user_claims

PASSWORD = "plum blossom in the rain"
PORTAL = "https://ladder.example.cn"
_serials = itertools.count(1)


@pytest.fixture
async def identity_app(identity_settings, smtp_sink):
    """The service, mailing the test's SMTP server; the demo organisations seeded."""
    app = create_app(identity_settings(smtp_port=smtp_sink.port, public_url=PORTAL))
    async with app.router.lifespan_context(app):
        async with app.state.db.transaction() as session:
            await seed(session)
        yield app


@pytest.fixture
async def mailless_client(identity_settings):
    """A client of the service configured with an SMTP port nobody listens on."""
    from tools.stack import free_port

    app = create_app(identity_settings(smtp_port=free_port(), public_url=PORTAL))
    async with app.router.lifespan_context(app):
        async with app.state.db.transaction() as session:
            await seed(session)
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://identity") as c:
            c.app = app  # type: ignore[attr-defined]
            yield c


@pytest.fixture
def password() -> str:
    """The password `make_user` gives an account unless told otherwise."""
    return PASSWORD


@pytest.fixture
def make_user(identity_app) -> Callable[..., Awaitable[User]]:
    """An account of the demo enterprise 福州示范智能装备有限公司; keywords replace fields."""

    async def make(**fields: Any) -> User:
        n = next(_serials)
        password = fields.pop("password", PASSWORD)
        async with identity_app.state.db.transaction() as session:
            org = (
                await session.exec(
                    select(Organisation).where(Organisation.uscc == "91350102MA2Y00001E")
                )
            ).one()
            values = {
                "org_id": org.id,
                "username": f"reset-user-{n}",
                "email": f"reset.user{n}@example.com",
                "display_name": f"李四{n}",
                "org_role": "member",
                "status": UserStatus.active,
                "password_hash": hash_password(password),
                "created_by": "test",
                **fields,
            }
            user = User(**values)
            session.add(user)
        return user

    return make


@pytest.fixture
def bearer(identity_app) -> Callable[[User], Awaitable[dict[str, str]]]:
    """Authorization headers of a user, with an access token minted for them."""

    async def headers(user: User) -> dict[str, str]:
        async with identity_app.state.db.transaction() as session:
            org = await session.get(Organisation, user.org_id)
            assert org is not None
        app = identity_app
        token = mint(app.state.keys, app.state.settings, user_claims(user, org), 900)
        return {"Authorization": f"Bearer {token}"}

    return headers


@pytest.fixture
def key() -> Callable[[], dict[str, str]]:
    """A fresh Idempotency-Key header."""
    return lambda: {"Idempotency-Key": f"password-test-{next(_serials):08d}"}


@pytest.fixture
def fresh(identity_app) -> Callable[[User], Awaitable[User]]:
    """The user's row as it is now in the database."""

    async def load(user: User) -> User:
        async with identity_app.state.db.transaction() as session:
            row = await session.get(User, user.id)
            assert row is not None
            return row

    return load
