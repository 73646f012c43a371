"""In-process fixtures for the identity service: the app on a real migrated database with a
signing key of its own (a temporary folder), and an ASGI client."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from ladder.identity.main import create_app
from ladder.identity.settings import Settings
from ladder.kit.testing import settings_for_tests

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
