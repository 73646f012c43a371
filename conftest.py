"""Fixtures every test can use: a real, freshly migrated PostgreSQL database per session."""

from __future__ import annotations

import asyncio
import os

import pytest

from tools import devdb, testdb
from tools.migrate import upgrade_all
from tools.services import SERVICES

SCHEMAS = [s.schema for s in SERVICES if s.schema]

# Whether the embedded test server was already up when the session began: the session stops
# it at the end only if the session started it, so `make test` leaves no process running.
_EMBEDDED_WAS_UP = devdb._port_open(devdb.DEFAULT_PORTS["test"])


# Figures the fault, fuzz and memory tests report (counts, RSS): printed in the summary of
# every run, passing or not, so CI logs carry them.
_FIGURES: list[str] = []


@pytest.fixture
def report():
    """`report("…")` adds a line to the run's "figures" section."""
    return _FIGURES.append


def pytest_terminal_summary(terminalreporter) -> None:
    if _FIGURES:
        terminalreporter.section("figures (fault suite, fuzz, memory)")
        for line in _FIGURES:
            terminalreporter.write_line(line)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not _EMBEDDED_WAS_UP:
        devdb.stop("test")


@pytest.fixture(autouse=True)
def _raised_errors_are_declared():
    """Every error a route answers in this test must be one the route declares (issue 13:
    OpenAPI lists each route's codes, so generated clients can rely on them). Cross-service
    processes log the same finding, which `tests/conftest.py` fails on."""
    from ladder.kit import errors

    errors.UNDECLARED.clear()
    yield
    found = sorted(set(errors.UNDECLARED))
    errors.UNDECLARED.clear()
    assert not found, "raised but not declared by the route (add it to `declare(...)`):\n" + (
        "\n".join(f"  {m} {p}: {c}" for m, p, c in found)
    )


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
