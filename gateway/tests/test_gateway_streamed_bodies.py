"""Request bodies streamed through the gateway (issue 12, item 7) against a real socket: the
body cap still holds for a body that is not read first, and a streamed body is never sent
twice, even with an Idempotency-Key (it cannot be replayed; the client retries with its key).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from ladder.gateway.proxy import REPLAYABLE_BODY_BYTES

CHUNK = b"x" * 16 * 1024


@dataclass
class Seen:
    port: int = 0
    requests: int = 0
    bodies: list[bytes] = field(default_factory=list)


@asynccontextmanager
async def dropping_upstream(*, read_body: bool) -> AsyncIterator[Seen]:
    """Reads each request's head (and, if asked, whatever body comes until the client stops),
    then closes the connection without answering."""
    seen = Seen()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            seen.requests += 1
            body = b""
            if read_body:
                while chunk := await reader.read(65536):
                    body += chunk
            seen.bodies.append(body)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    seen.port = server.sockets[0].getsockname()[1]
    try:
        yield seen
    finally:
        server.close()
        await server.wait_closed()


async def _chunks(count: int) -> AsyncIterator[bytes]:
    for _ in range(count):
        yield CHUNK


async def test_a_chunked_body_past_the_cap_is_413_while_streaming(make_settings, start_gateway):
    """No Content-Length to refuse up front: the cap is met mid-stream, the upstream request
    is cut off, and the client is answered 413 (not the 502 of the connection it broke)."""
    async with dropping_upstream(read_body=True) as up:
        settings = make_settings(
            rules_url=f"http://127.0.0.1:{up.port}", max_body_bytes=len(CHUNK) * 4
        )
        async with start_gateway(settings, fakes=("declaration", "review")) as gw:
            auth = await gw.bearer("enterprise")
            resp = await gw.client.post(
                "/api/rules/v1/evaluations/batch",
                content=_chunks(16),
                headers={**auth, "Content-Type": "application/json"},
            )
    assert resp.status_code == 413, resp.text
    assert resp.json()["error"]["code"] == "payload_too_large"
    # Whatever reached the service is an unfinished chunked body: never the last chunk.
    assert all(not body.endswith(b"0\r\n\r\n") for body in up.bodies), up.bodies


async def test_a_streamed_keyed_write_whose_connection_drops_is_sent_once(
    make_settings, start_gateway
):
    """Over the replay threshold the body is streamed, so even a keyed write is not resent by
    the gateway: 502 `upstream_connection_lost` with the request id, one request upstream."""
    async with dropping_upstream(read_body=False) as up:
        settings = make_settings(rules_url=f"http://127.0.0.1:{up.port}")
        async with start_gateway(settings, fakes=("declaration", "review")) as gw:
            auth = await gw.bearer("enterprise")
            resp = await gw.client.post(
                "/api/rules/v1/evaluations/batch",
                content=b"x" * (REPLAYABLE_BODY_BYTES * 4),
                headers={
                    **auth,
                    "Content-Type": "application/json",
                    "Idempotency-Key": "batch-1",
                    "X-Request-ID": "req-batch-1",
                },
            )
    assert resp.status_code == 502, resp.text
    error = resp.json()["error"]
    assert error["code"] == "upstream_connection_lost"
    assert error["details"] == {"service": "rules", "request_id": "req-batch-1"}
    assert up.requests == 1
