"""A bug answered 500 over real HTTP keeps the keep-alive connection (issue 12, item 4).

Starlette's catch-all answers and then re-raises to the server, and uvicorn then closes the
connection without `Connection: close`: a client that reuses it sees a reset. The kit answers
the bug itself, so the same connection serves the next request.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from fastapi import APIRouter, Request

from ladder.kit.app import ServiceSpec, create_service_app
from ladder.kit.settings import KitSettings
from ladder.kit.testing import settings_for_tests


@pytest.fixture
def served() -> Iterator[tuple[str, list[tuple[str, int]]]]:
    """A kit service app on a real uvicorn in a thread; yields its URL and the client address
    (host, port) of every request it served, which names the TCP connection."""
    seen: list[tuple[str, int]] = []
    router = APIRouter()

    @router.get("/boom")
    async def boom(request: Request) -> dict:
        seen.append((request.client.host, request.client.port))
        raise RuntimeError("secret internals")

    @router.get("/fine")
    async def fine(request: Request) -> dict:
        seen.append((request.client.host, request.client.port))
        return {"ok": True}

    settings = settings_for_tests(
        KitSettings, "postgresql://nobody@127.0.0.1:1/none", service_name="kit-test"
    )
    # Built here, not in the test: `create_service_app` configures logging, which replaces the
    # root logger's handlers (and so would remove the handler `caplog` adds for the test).
    spec = ServiceSpec(
        name="kit-test", schema="kit_test", title="t", description="", routers=[router]
    )
    app = create_service_app(settings, spec)
    # log_config=None: uvicorn's loggers are left to propagate, so `caplog` would see its
    # "Exception in ASGI application" if the exception reached the server.
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", seen
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_a_bug_is_a_500_envelope_and_the_connection_serves_the_next_request(served, caplog):
    url, seen = served
    caplog.set_level(logging.INFO)
    with httpx.Client(base_url=url) as client:
        bug = client.get("/boom", headers={"X-Request-ID": "bug-1"})
        stream = bug.extensions["network_stream"]
        fine = client.get("/fine")

    assert bug.status_code == 500
    assert fine.status_code == 200
    assert fine.json() == {"ok": True}
    # The second request went over the first one's TCP connection: the client reused its
    # stream, and the server saw both come from the same client port.
    assert fine.extensions["network_stream"] is stream
    assert len(seen) == 2 and seen[0] == seen[1]

    assert bug.json() == {
        "error": {
            "code": "internal_error",
            "message": "服务器内部错误",
            "message_en": "Internal server error",
            "details": {},
        }
    }
    assert "secret" not in bug.text
    assert bug.headers["x-request-id"] == "bug-1"
    assert bug.headers.get("connection", "").lower() != "close"

    # Logged once, with the traceback and the request id; the server never saw the exception.
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, [r.getMessage() for r in errors]
    [record] = errors
    assert record.name == "ladder.errors"
    assert record.getMessage() == "unhandled error on GET /boom"
    assert record.exc_info is not None and record.exc_info[0] is RuntimeError
    assert record.request_id == "bug-1"
    assert not any("Exception in ASGI application" in r.getMessage() for r in caplog.records)


def test_many_bugs_in_a_row_share_one_connection(served):
    url, seen = served
    with httpx.Client(base_url=url) as client:
        answers = [client.get("/boom" if i % 2 else "/fine") for i in range(10)]
    assert [a.status_code for a in answers] == [200, 500] * 5
    assert len(set(seen)) == 1
