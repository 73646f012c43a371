"""Seeding: `make run` loads the demo data; `--reference-only` (the Kubernetes migration Job)
loads only what a real deployment needs, and both may run again without harm."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from tools import testdb
from tools.migrate import upgrade_all
from tools.seed import main as seed_main
from tools.seed import seed_all


async def _counts(url: str) -> dict[str, int]:
    conn = await asyncpg.connect(url)
    try:
        return {
            table: await conn.fetchval(f"SELECT count(*) FROM {table}")
            for table in (
                "declaration.campaign",
                "declaration.campaign_deadline",
                "declaration.enterprise",
                "rules.reference_dataset",
            )
        }
    finally:
        await conn.close()


@pytest.fixture
def fresh_url(pg_server: str):
    url = asyncio.run(testdb.create_database(pg_server, prefix="ladder_seed"))
    try:
        upgrade_all(url)
        yield url
    finally:
        asyncio.run(testdb.drop_database(url))


def test_reference_only_loads_the_campaigns_and_no_demo_data(fresh_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", fresh_url)
    assert seed_main(["--reference-only"]) == 0
    assert seed_main(["--reference-only"]) == 0  # again: nothing doubles
    counts = asyncio.run(_counts(fresh_url))
    assert counts["declaration.campaign"] >= 1 and counts["declaration.campaign_deadline"] > 0
    assert counts["declaration.enterprise"] == 0
    assert counts["rules.reference_dataset"] == 0


def test_the_demo_seed_adds_the_demo_enterprises_and_samples(fresh_url):
    asyncio.run(seed_all(fresh_url, reference_only=True))
    reference = asyncio.run(_counts(fresh_url))
    asyncio.run(seed_all(fresh_url))
    asyncio.run(seed_all(fresh_url))
    demo = asyncio.run(_counts(fresh_url))
    # The demo adds its demo campaign (2026) with its chains, once however often it runs.
    assert demo["declaration.campaign"] == reference["declaration.campaign"] + 1
    assert demo["declaration.campaign_deadline"] > reference["declaration.campaign_deadline"]
    assert demo["declaration.enterprise"] > 0 and demo["rules.reference_dataset"] > 0
