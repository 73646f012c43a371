"""In-process fixtures for the rules service: the app on a real migrated database, a test
token issuer, and for reference data and quotas a ministry caller, the sample seed and row
counts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg
import pytest
from stdnum.cn import uscc as stdnum_uscc

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
def uscc() -> Callable[[int], str]:
    """A valid 统一社会信用代码, distinct per number."""

    def _uscc(i: int) -> str:
        base = f"91310115MA1K{i:05d}"
        return base + stdnum_uscc.calc_check_digit(base)

    return _uscc


@pytest.fixture
def jiebang() -> dict[str, object]:
    """A 揭榜单位 record of Shanghai's acceptance, without its USCC."""
    return {
        "enterprise_name": "上海示范制造有限公司",
        "programme": "智能制造示范工厂揭榜挂帅",
        "acceptance": "上海市智能制造示范工厂揭榜单位地方验收",
        "accepted_by": "310000",
        "year": 2024,
        "source_document": "（测试）验收通过名单",
        "source_note": "test record",
    }


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
