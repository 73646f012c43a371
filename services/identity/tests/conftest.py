"""In-process fixtures for the identity service: the app on a real migrated database with a
signing key of its own (a temporary folder), and an ASGI client; and the app mailing a real
SMTP server (`smtp_sink`), seeded with the demo accounts (ministry, 福建, 福州, 鼓楼 …), with
tokens minted for its users (`app`, `api`, `as_user`, `link_token`); and for sign-in and MFA,
`started(**settings)`: the app with those settings on a frozen clock (lockouts, windows and
TOTP steps move when the test says so), the demo accounts seeded, with a client at
203.0.113.7 (`client_at` gives one from another address)."""

from __future__ import annotations

import re
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from ladder.identity.accounts.models import User
from ladder.identity.main import create_app
from ladder.identity.organisations.models import Organisation
from ladder.identity.seed import seed
from ladder.identity.settings import Settings
from ladder.identity.tokens import mint, user_claims
from ladder.kit.clock import FrozenClock
from ladder.kit.testing import settings_for_tests
from tools.mailsink import body_of

SEALING = "test-sealing-secret-0123456789"


@pytest.fixture
def identity_settings(clean_db: str, tmp_path: Path):
    """A factory of settings: the test database, a key folder of the test, overrides."""

    def make(**overrides) -> Settings:
        values = {
            "signing_keys_dir": tmp_path / "keys",
            "sealing_secret": SEALING,
            **overrides,
        }
        return settings_for_tests(Settings, clean_db, **values)

    return make


@pytest.fixture
async def identity_app(identity_settings):
    app = create_app(identity_settings())
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def client(identity_app):
    transport = httpx.ASGITransport(app=identity_app, client=("203.0.113.7", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://identity") as c:
        yield c


@pytest.fixture
def smtp_sink(tmp_path: Path):
    """A real SMTP server (aiosmtpd, `tools.mailsink`) on a free port; pass
    `smtp_port=smtp_sink.port` to `identity_settings` so the service mails it."""
    from tools.mailsink import start
    from tools.stack import free_port

    sink = start("127.0.0.1", free_port(), tmp_path / "mail")
    yield sink
    sink.stop()


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


def step_start() -> datetime:
    """Now, on the 5th second of a TOTP step (access tokens are minted at the real time, so
    the frozen clock stays near it; the steps a test counts should not straddle a boundary)."""
    ts = int(datetime.now(UTC).timestamp())
    return datetime.fromtimestamp(ts - ts % 30 + 5, UTC)


def _client_at(app, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://identity")


@pytest.fixture
def client_at():
    """`client_at(app, address)`: a client of `app` from another address."""
    return _client_at


@pytest.fixture
def started(identity_settings):
    @asynccontextmanager
    async def start(**overrides):
        app = create_app(identity_settings(**overrides))
        async with app.router.lifespan_context(app):
            app.state.clock = FrozenClock(step_start())
            async with app.state.db.transaction() as session:
                await seed(session)
            async with _client_at(app, "203.0.113.7") as client:
                yield app, client

    return start
