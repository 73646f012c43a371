"""In-process fixtures for the rules service: the app on a real migrated database and a test
token issuer."""

from __future__ import annotations

import pytest

from ladder.kit.testing import TestIssuer, running, settings_for_tests
from ladder.rules.main import create_app
from ladder.rules.settings import Settings


@pytest.fixture(scope="session")
def issuer() -> TestIssuer:
    return TestIssuer()


@pytest.fixture
async def client(clean_db: str, issuer: TestIssuer):
    settings = settings_for_tests(Settings, clean_db)
    async with running(create_app(settings), issuer) as c:
        yield c


@pytest.fixture
def enterprise(issuer: TestIssuer) -> dict[str, str]:
    return issuer.headers("enterprise", sub="ent-user", org="91350102MA2Y00001E", region="350102")
