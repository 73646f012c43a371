"""In-process fixtures for the rules service: the app on a real migrated database, a test
token issuer, and for reference data and quotas a ministry caller, the sample seed and row
counts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg
import pytest

from ladder.kit.db import Database
from ladder.kit.testing import TestIssuer, running, settings_for_tests
from ladder.rules.main import create_app
from ladder.rules.seed import seed
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


@pytest.fixture
def ministry(issuer: TestIssuer) -> dict[str, str]:
    return issuer.headers("ministry", sub="miit-user", name="工业和信息化部")


@pytest.fixture
def count(clean_db: str) -> Callable[[str], Awaitable[int]]:
    """Rows now in a table of the rules schema."""

    async def _count(table: str = "reference_dataset") -> int:
        conn = await asyncpg.connect(clean_db.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            return await conn.fetchval(f'SELECT count(*) FROM rules."{table}"')
        finally:
            await conn.close()

    return _count


@pytest.fixture
def run_seed(clean_db: str) -> Callable[[], Awaitable[None]]:
    """Runs the service's seed (as `tools/seed.py` does) in one transaction."""

    async def _seed() -> None:
        db = Database(clean_db, schema="rules")
        try:
            async with db.transaction() as session:
                await seed(session)
        finally:
            await db.dispose()

    return _seed


@pytest.fixture
async def seeded(client, run_seed) -> None:
    """The app running on a database holding the shipped SAMPLE tables."""
    await run_seed()
