"""What the gateway answers when a service's connection fails, against real sockets (issue 12,
item 4): "could not connect" (503, Retry-After, safe to retry) is told apart from "connection
lost after sending" (502 `upstream_connection_lost` with the request id, never resent unless
idempotent), and a pooled keep-alive connection the service had closed costs a read nothing.

The upstreams here are raw asyncio servers on loopback, so the gateway's real transport
(httpx over aiohttp's pool) meets real connection failures.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import pytest

OK = b'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\n\r\n{"ok":true}'


@dataclass
class RawUpstream:
    port: int
    connections: int = 0
    requests: int = 0


async def _read_request(reader: asyncio.StreamReader) -> bool:
    """One request off the connection (headers and a Content-Length body); False at EOF."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return False
    length = 0
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    if length:
        await reader.readexactly(length)
    return True


@asynccontextmanager
async def raw_upstream(
    answer: Callable[[RawUpstream, int], bool],
) -> AsyncIterator[RawUpstream]:
    """A server that, for the n-th request on a connection, answers 200 if `answer(state, n)`
    else closes the connection without a word."""
    state = RawUpstream(port=0)

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        state.connections += 1
        n = 0
        try:
            while await _read_request(reader):
                state.requests += 1
                n += 1
                if not answer(state, n):
                    break
                writer.write(OK)
                await writer.drain()
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    state.port = server.sockets[0].getsockname()[1]
    try:
        yield state
    finally:
        server.close()
        await server.wait_closed()


async def test_a_refused_connection_is_503_with_retry_after(make_settings, start_gateway,
                                                            closed_port):  # fmt: skip
    settings = make_settings(declaration_url=f"http://127.0.0.1:{closed_port}")
    async with start_gateway(settings, fakes=("rules", "review")) as gw:
        auth = await gw.bearer("enterprise")
        resp = await gw.client.post("/api/declaration/v1/declarations", json={}, headers=auth)
    assert resp.status_code == 503, resp.text
    assert resp.json()["error"]["code"] == "service_unavailable"
    assert resp.headers["retry-after"].isdigit()


async def test_a_write_whose_connection_drops_is_502_and_sent_once(make_settings, start_gateway):
    async with raw_upstream(lambda state, n: False) as up:
        settings = make_settings(declaration_url=f"http://127.0.0.1:{up.port}")
        async with start_gateway(settings, fakes=("rules", "review")) as gw:
            auth = await gw.bearer("enterprise")
            resp = await gw.client.post(
                "/api/declaration/v1/declarations",
                json={"factory_name": "鼓楼智能装配工厂"},
                headers={**auth, "X-Request-ID": "req-lost-1"},
            )
    assert resp.status_code == 502, resp.text
    error = resp.json()["error"]
    assert error["code"] == "upstream_connection_lost"
    assert error["details"] == {"service": "declaration", "request_id": "req-lost-1"}
    assert "retry-after" not in resp.headers
    assert up.requests == 1  # a write without Idempotency-Key is never sent twice


@pytest.mark.parametrize("method", ["GET", "POST", "PATCH"])
async def test_an_idempotent_request_is_sent_once_more_then_502(make_settings, start_gateway,
                                                                method):  # fmt: skip
    async with raw_upstream(lambda state, n: False) as up:
        settings = make_settings(declaration_url=f"http://127.0.0.1:{up.port}")
        async with start_gateway(settings, fakes=("rules", "review")) as gw:
            auth = await gw.bearer("enterprise")
            resp = await gw.client.request(
                method,
                "/api/declaration/v1/declarations",
                headers={**auth, "Idempotency-Key": "k-1"},
                **({"json": {"a": 1}} if method != "GET" else {}),
            )
    assert resp.status_code == 502, resp.text
    assert resp.json()["error"]["code"] == "upstream_connection_lost"
    # Once more and no more: by the transport for a GET (RFC 9112 §9.3.1), by the gateway for
    # a POST or PATCH with an Idempotency-Key.
    assert up.requests == 2 and up.connections == 2


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_a_stale_keep_alive_connection_costs_nothing(make_settings, start_gateway, method):
    """The service answers the first request on a connection and drops the second unanswered
    (as a process does that closes a connection after an error): the next request on the
    pooled connection is lost, sent once more on a fresh one (a read by the transport, a keyed
    write by the gateway), and answered 200. Before, the keyed write was a 503 for a request
    that had reached the service."""
    async with raw_upstream(lambda state, n: n == 1) as up:
        settings = make_settings(declaration_url=f"http://127.0.0.1:{up.port}")
        async with start_gateway(settings, fakes=("rules", "review")) as gw:
            auth = await gw.bearer("enterprise")
            answers = [
                await gw.client.request(
                    method,
                    "/api/declaration/v1/declarations",
                    headers={**auth, "Idempotency-Key": f"k-{i}"},
                    **({"json": {"a": i}} if method == "POST" else {}),
                )
                for i in range(2)
            ]
    assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
    assert up.connections == 2 and up.requests == 3


async def test_a_large_body_streams_through_and_arrives_whole(make_settings, start_gateway):
    """A body over the replay threshold is streamed to the service, not read first."""
    from ladder.gateway.proxy import REPLAYABLE_BODY_BYTES

    received: list[int] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        headers = dict(line.split(b": ", 1) for line in head.split(b"\r\n")[1:] if b": " in line)
        body = await reader.readexactly(int(headers[b"content-length"]))
        received.append(len(body))
        writer.write(OK)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        settings = make_settings(rules_url=f"http://127.0.0.1:{port}")
        async with start_gateway(settings, fakes=("declaration", "review")) as gw:
            auth = await gw.bearer("enterprise")
            payload = b'{"items": "' + b"x" * (REPLAYABLE_BODY_BYTES * 8) + b'"}'
            resp = await gw.client.post(
                "/api/rules/v1/evaluations/batch",
                content=payload,
                headers={**auth, "Content-Type": "application/json"},
            )
    finally:
        server.close()
        await server.wait_closed()
    assert resp.status_code == 200, resp.text
    assert received == [len(payload)]
