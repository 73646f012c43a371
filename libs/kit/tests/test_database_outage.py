"""A database outage is a retryable 503, logged as one outage (issue 12, item 5).

The service's database is a private embedded PostgreSQL on a free port, stopped and started
under the running app; the shared test server is never touched.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Iterator

import pytest
from fastapi import APIRouter, FastAPI
from sqlalchemy import exc as sa_exc
from sqlalchemy import text

from ladder.kit.app import ServiceSpec, create_service_app
from ladder.kit.db import DatabaseUnreachable, SessionDep, is_connection_error
from ladder.kit.observability import OutageLog
from ladder.kit.settings import KitSettings
from ladder.kit.testing import TestIssuer, running, settings_for_tests
from tools import devdb

CLUSTER = "kit-outage"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def private_pg() -> Iterator[int]:
    """A PostgreSQL of this module's own (stopped first in case a killed run left it up)."""
    devdb.stop(CLUSTER)
    port = _free_port()
    devdb.start(CLUSTER, port)
    try:
        yield port
    finally:
        devdb.stop(CLUSTER)


@pytest.fixture
def app(private_pg: int) -> FastAPI:
    devdb.start(CLUSTER, private_pg)  # up again, even after a test that failed while down
    router = APIRouter()

    @router.get("/now")
    async def now(session: SessionDep) -> dict:
        return {"one": (await session.execute(text("SELECT 1"))).scalar_one()}

    @router.get("/terminated")
    async def terminated(session: SessionDep) -> dict:
        # The server ends this request's connection in the middle of its transaction.
        await session.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
        return {}

    @router.get("/duplicate")
    async def duplicate(session: SessionDep) -> dict:
        await session.execute(text("CREATE TEMP TABLE t (id int PRIMARY KEY)"))
        await session.execute(text("INSERT INTO t VALUES (1), (1)"))
        return {}

    settings = settings_for_tests(
        KitSettings, devdb.url_for(private_pg), service_name="kit-test", db_pool_size=2
    )
    # Built in a fixture: `create_service_app` configures logging, which replaces the root
    # logger's handlers, and `caplog` adds its own for the test call after this.
    spec = ServiceSpec(
        name="kit-test", schema="public", title="t", description="", routers=[router]
    )
    return create_service_app(settings, spec)


def _problems(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]


async def test_an_outage_is_a_503_logged_once_and_the_app_recovers(app, private_pg, caplog):
    caplog.set_level(logging.INFO)
    async with running(app, TestIssuer()) as client:
        assert (await client.get("/now")).json() == {"one": 1}

        await asyncio.to_thread(devdb.stop, CLUSTER)
        answers = [await client.get("/now") for _ in range(50)]
        for resp in answers:
            assert resp.status_code == 503
            assert resp.headers["retry-after"] == "5"
            assert resp.json() == {
                "error": {
                    "code": "database_unavailable",
                    "message": "数据库暂不可用，请稍后重试",
                    "message_en": "The database is unavailable; retry later",
                    "details": {},
                }
            }
        problems = _problems(caplog)
        assert len(problems) == 1, [r.getMessage() for r in problems]
        [warning] = problems
        assert warning.levelno == logging.WARNING and warning.exc_info is None
        assert warning.name == "ladder.db"
        assert warning.getMessage().startswith(
            "database unavailable: ConnectionRefusedError: [Errno 111]"
        )

        # Back without restarting the app: the pool connects again, and the outage ends.
        await asyncio.to_thread(devdb.start, CLUSTER, private_pg)
        assert (await client.get("/now")).json() == {"one": 1}
        assert app.state.db.outage.down is False
        back = [r for r in caplog.records if r.getMessage().startswith("database available")]
        assert len(back) == 1
        assert "50 requests failed meanwhile" in back[0].getMessage()
        assert len(_problems(caplog)) == 1


async def test_a_connection_lost_mid_transaction_is_a_503(app, caplog):
    caplog.set_level(logging.INFO)
    async with running(app, TestIssuer()) as client:
        resp = await client.get("/terminated")
        assert resp.status_code == 503
        assert resp.json()["error"]["code"] == "database_unavailable"
        assert resp.headers["retry-after"] == "5"
        assert not [r for r in caplog.records if r.exc_info]
        # The pool replaces the dead connection by itself.
        assert (await client.get("/now")).json() == {"one": 1}


async def test_an_error_of_the_statement_is_still_a_bug(app, caplog):
    async with running(app, TestIssuer()) as client:
        resp = await client.get("/duplicate")
    assert resp.status_code == 500
    assert resp.json()["error"]["code"] == "internal_error"
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert record.exc_info is not None and record.exc_info[0] is sa_exc.IntegrityError


def test_what_counts_as_the_database_being_unreachable() -> None:
    refused = ConnectionRefusedError(111, "Connect call failed")
    unreachable = DatabaseUnreachable("cannot connect")
    unreachable.__cause__ = refused
    assert is_connection_error(unreachable)
    assert is_connection_error(sa_exc.TimeoutError("QueuePool limit of size 2 overflow 0"))
    # A bare OSError may come from anything (a file, a peer): only the connect hook names it.
    assert not is_connection_error(refused)
    assert not is_connection_error(RuntimeError("bug"))
    integrity = sa_exc.IntegrityError("INSERT …", None, Exception("duplicate key"))
    assert not is_connection_error(integrity)


def test_the_outage_log_writes_one_line_per_interval(caplog) -> None:
    caplog.set_level(logging.INFO)
    now = [0.0]
    outage = OutageLog(logging.getLogger("t.outage"), "database", every_seconds=10,
                       clock=lambda: now[0])  # fmt: skip
    cause = DatabaseUnreachable("cannot connect")
    cause.__cause__ = ConnectionRefusedError(111, "refused")
    for _ in range(25):  # 25 s of failures, 1 per second
        outage.failed(cause)
        now[0] += 1
    outage.recovered()
    lines = [r.getMessage() for r in caplog.records if r.name == "t.outage"]
    assert lines == [
        "database unavailable: ConnectionRefusedError: [Errno 111] refused; "
        "answering 503 until it is back",
        "database still unavailable after 10 s: 10 failed requests since the last line; "
        "last cause: ConnectionRefusedError: [Errno 111] refused",
        "database still unavailable after 20 s: 10 failed requests since the last line; "
        "last cause: ConnectionRefusedError: [Errno 111] refused",
        "database available again after 25.0 s; 25 requests failed meanwhile",
    ]
    # A new outage is announced again, with its own cause.
    now[0] += 30
    outage.failed(cause)
    assert caplog.records[-1].getMessage().startswith("database unavailable:")
