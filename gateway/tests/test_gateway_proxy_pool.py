"""The proxy on a service's own connection pool (`ladder.gateway.upstreams.AiohttpHop`), as
in production: the fake service of `conftest.py` served by uvicorn on a loopback port, so what
goes up and what comes back crosses real sockets, and answers are read whole or streamed."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.responses import StreamingResponse

from gateway.tests.conftest import fake_upstream
from ladder.gateway.proxy import BUFFERED_ANSWER_BYTES
from ladder.gateway.upstreams import AiohttpHop, HttpxHop, hop_for


@asynccontextmanager
async def served(app: FastAPI) -> AsyncIterator[str]:
    """`app` on a free loopback port, for the test's duration; yields its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task
        sock.close()


def answers() -> FastAPI:
    """A service whose answers are large, unsized, cut short or set cookies."""
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    app.state.cookies = []

    @app.get("/v1/large")
    async def large() -> Response:
        return Response(b"x" * (BUFFERED_ANSWER_BYTES * 3), media_type="application/pdf")

    @app.get("/v1/chunked")
    async def chunked() -> StreamingResponse:
        async def parts() -> AsyncIterator[bytes]:
            for i in range(5):
                yield f"part {i};".encode()

        return StreamingResponse(parts(), media_type="text/plain")

    @app.get("/v1/cookie")
    async def cookie(request: Request) -> Response:
        app.state.cookies.append(request.headers.get("cookie"))
        return Response(b"{}", headers={"Set-Cookie": "session=of-someone; Path=/"})

    @app.head("/v1/large")
    async def head_large() -> Response:
        return Response(headers={"Content-Length": str(BUFFERED_ANSWER_BYTES * 3)})

    return app


OTHERS = ("rules", "review", "identity")


async def test_the_proxy_sends_on_the_pool_unless_a_client_replaced_it(make_settings,
                                                                       start_gateway):  # fmt: skip
    async with start_gateway(make_settings(), fakes=("rules",)) as gw:
        upstreams = gw.app.state.upstreams
        assert isinstance(hop_for(upstreams, "declaration"), AiohttpHop)
        assert isinstance(hop_for(upstreams, "rules"), HttpxHop)  # the test's in-process app
        assert hop_for(upstreams, "billing") is None


async def test_what_goes_up_and_comes_back_over_the_pool(make_settings, start_gateway):
    upstream = fake_upstream("declaration")
    async with served(upstream) as url:
        settings = make_settings(declaration_url=url)
        async with start_gateway(settings, fakes=OTHERS) as gw:
            auth = await gw.bearer("enterprise")
            request = gw.client.build_request(
                "POST",
                "/api/declaration/v1/declarations/42?tier=basic&q=%E6%99%BA%E8%83%BD&flag",
                content='{"factory_name": "鼓楼智能装配工厂"}'.encode(),
                headers={
                    **auth,
                    "Content-Type": "application/json",
                    "Idempotency-Key": "idem-123",
                    "X-Request-ID": "req-pool-1",
                    "X-Forwarded-For": "203.0.113.9",
                    "Connection": "keep-alive, X-Hop",
                    "X-Hop": "must-not-pass",
                    "Proxy-Authorization": "Basic c2VjcmV0",
                    "X-Fake-Status": "201",
                },
            )
            for name in ("user-agent", "accept", "accept-encoding"):  # a client without them
                del request.headers[name]
            resp = await gw.client.send(request)

    assert resp.status_code == 201, resp.text
    (seen,) = upstream.state.seen
    assert (seen["method"], seen["path"]) == ("POST", "/v1/declarations/42")
    assert seen["query"] == "tier=basic&q=%E6%99%BA%E8%83%BD&flag"
    assert seen["body"] == '{"factory_name": "鼓楼智能装配工厂"}'
    up = dict(seen["headers"])
    assert up["authorization"] == auth["Authorization"]
    assert up["idempotency-key"] == "idem-123"
    assert up["x-request-id"] == "req-pool-1"
    assert up["x-forwarded-for"] == "127.0.0.1"
    assert up["x-forwarded-prefix"] == "/api/declaration"
    assert up["content-length"] == str(len(seen["body"].encode()))
    assert up["host"] == url.removeprefix("http://")
    # Neither the client's hop-by-hop headers nor any the pool would make up (aiohttp sends
    # its User-Agent, Accept and Accept-Encoding where none came).
    for name in ("x-hop", "proxy-authorization", "connection", "user-agent", "accept",
                 "accept-encoding"):  # fmt: skip
        assert name not in up, name
    assert resp.headers["location"] == "/api/declaration/v1/declarations/42"
    assert resp.headers["etag"] == '"v7"'
    assert resp.headers.get_list("x-request-id") == ["req-pool-1"]
    assert "keep-alive" not in resp.headers
    assert int(resp.headers["content-length"]) == len(resp.content)
    assert resp.json()["service"] == "declaration"


@pytest.mark.parametrize("method", ["GET", "HEAD"])
async def test_large_and_unsized_answers_stream_through_whole(make_settings, start_gateway,
                                                              method):  # fmt: skip
    async with served(answers()) as url:
        async with start_gateway(make_settings(rules_url=url), fakes=OTHERS[1:]) as gw:
            auth = await gw.bearer("enterprise")
            large = await gw.client.request(method, "/api/rules/v1/large", headers=auth)
            chunked = await gw.client.get("/api/rules/v1/chunked", headers=auth)

    assert large.status_code == 200
    assert large.headers["content-length"] == str(BUFFERED_ANSWER_BYTES * 3)
    assert large.content == (b"x" * (BUFFERED_ANSWER_BYTES * 3) if method == "GET" else b"")
    assert (chunked.status_code, chunked.text) == (200, "".join(f"part {i};" for i in range(5)))


async def test_the_pool_keeps_no_cookie_of_an_answer(make_settings, start_gateway):
    """The pool is everyone's: a cookie one answer sets never goes up with another request."""
    service = answers()
    async with served(service) as url:
        # A host name: a cookie jar keeps no cookie of an IP address's.
        url = url.replace("127.0.0.1", "localhost")
        async with start_gateway(make_settings(rules_url=url), fakes=OTHERS[1:]) as gw:
            first = await gw.client.get("/api/rules/v1/cookie", headers=await gw.bearer("county"))
            gw.client.cookies.clear()  # the test client's jar: the next caller is another
            await gw.client.get("/api/rules/v1/cookie", headers=await gw.bearer("city"))

    assert first.headers["set-cookie"].startswith("session=")  # relayed to its caller
    assert service.state.cookies == [None, None]


async def test_an_answer_cut_short_is_502_not_a_broken_connection(make_settings, start_gateway):
    """A small answer is read whole before the gateway answers: a service that drops the
    connection in the middle of it is a 502 `upstream_connection_lost` with the request id."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n" + b'{"items": [')
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        settings = make_settings(rules_url=f"http://127.0.0.1:{port}")
        async with start_gateway(settings, fakes=OTHERS[1:]) as gw:
            resp = await gw.client.get(
                "/api/rules/v1/editions",
                headers={**await gw.bearer("county"), "X-Request-ID": "req-cut-1"},
            )
    finally:
        server.close()
        await server.wait_closed()
    assert resp.status_code == 502, resp.text
    error = resp.json()["error"]
    assert error["code"] == "upstream_connection_lost"
    assert error["details"] == {"service": "rules", "request_id": "req-cut-1"}


async def test_a_method_the_proxy_does_not_pass_is_405(gateway):
    resp = await gateway.client.request("TRACE", "/api/rules/healthz")

    assert resp.status_code == 405
    assert resp.json()["error"]["code"] == "method_not_allowed"
    assert "GET" in resp.headers["allow"]
    assert gateway.seen("rules") == []


@pytest.mark.parametrize("path", ["/api", "/api/", "/api/rules", "/api//healthz"])
async def test_a_path_without_a_service_and_a_path_is_404(gateway, path):
    resp = await gateway.client.get(path)

    assert resp.status_code == 404
    assert resp.json()["error"]["code"] == "not_found"
