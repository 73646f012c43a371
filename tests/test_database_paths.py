"""Both ways of getting PostgreSQL work: the embedded server, and a server given by URL.

CI sets TEST_DATABASE_URL to the machine's 127.0.0.1:5432 when it answers, so there the
whole suite runs on that server and this file also proves the embedded path; locally without
a URL the suite runs embedded and the URL path is exercised with the embedded server's URL.
"""

from __future__ import annotations

import asyncio
import os

import asyncpg

from tools import devdb, testdb
from tools.migrate import upgrade_all

SCHEMAS = {"declaration", "rules", "review"}


def _migrated_schemas(server: str) -> set[str]:
    url = asyncio.run(testdb.create_database(server, prefix="ladder_paths"))
    try:
        upgrade_all(url)

        async def schemas() -> set[str]:
            conn = await asyncpg.connect(url)
            try:
                return {r["nspname"] for r in await conn.fetch("SELECT nspname FROM pg_namespace")}
            finally:
                await conn.close()

        return asyncio.run(schemas())
    finally:
        asyncio.run(testdb.drop_database(url))


def test_embedded_server_starts_and_migrates(monkeypatch):
    monkeypatch.delenv("TEST_DATABASE_URL", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    server, how = testdb.server_url()
    assert how == "embedded"
    assert server == devdb.url_for(devdb.DEFAULT_PORTS["test"])
    assert SCHEMAS <= _migrated_schemas(server)


def test_server_given_by_url(monkeypatch):
    given = (
        os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL") or devdb.start("test")
    )
    monkeypatch.setenv("TEST_DATABASE_URL", given)
    server, how = testdb.server_url()
    assert (server, how) == (given, "TEST_DATABASE_URL")
    assert SCHEMAS <= _migrated_schemas(server)
