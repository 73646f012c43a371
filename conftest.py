"""Fixtures every test can use: a real, freshly migrated PostgreSQL database per session."""

from __future__ import annotations

import asyncio
import os

import pytest

from tools import testdb
from tools.migrate import upgrade_all
from tools.services import SERVICES

SCHEMAS = [s.schema for s in SERVICES if s.schema]


@pytest.fixture(scope="session")
def pg_server() -> str:
    url, how = testdb.server_url()
    os.environ.setdefault("LADDER_TEST_DB_SOURCE", how)
    return url


@pytest.fixture(scope="session")
def database_url(pg_server: str) -> str:
    """A database created for this session and migrated to head; dropped afterwards."""
    url = asyncio.run(testdb.create_database(pg_server))
    try:
        upgrade_all(url)
        yield url
    finally:
        asyncio.run(testdb.drop_database(url))


@pytest.fixture
async def clean_db(database_url: str):
    """Empties every service table after the test, so tests do not see each other's rows."""
    yield database_url
    await testdb.truncate_all(database_url, SCHEMAS)
