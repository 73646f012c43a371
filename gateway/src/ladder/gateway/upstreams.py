"""The Ladder services behind the gateway: one connection pool each, and failure mapping.

Each service has one aiohttp pool, opened in the lifespan and closed with it, used two ways:

- `app.state.upstreams` (service name → `httpx.AsyncClient` on that pool, `ladder.kit.http.
  make_client`): GraphQL, the merged OpenAPI document and readiness call the services with it;
- the REST proxy sends on the pool itself (`hop_for` → `AiohttpHop`), without httpx's request
  and response objects in between. Measured with wrk through the gateway: the proxy as a plain
  ASGI app costs ~280 µs of CPU per request sending on the pool, ~680 µs sending through
  `AsyncClient.send` (as FastAPI routes through `AsyncClient.send`, it cost ~1,000 µs;
  tests/bench/bench_gateway.py prints the figure).

Tests swap an `app.state.upstreams` entry for a client on an in-process app; the proxy then
sends through that client (`HttpxHop`), so both ways pass the same requests and answers. Every
request has a connect timeout, so a service that is down answers 503 promptly, never a hang.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import aiohttp
import httpx
from fastapi import FastAPI
from httpx_aiohttp import AiohttpTransport
from httpx_aiohttp.transport import map_aiohttp_exceptions
from yarl import URL

from ladder.gateway.errors import UpstreamConnectionLost, UpstreamTimeout
from ladder.gateway.settings import GatewaySettings
from ladder.kit.errors import LadderError, ServiceUnavailable
from ladder.kit.http import make_client
from ladder.kit.observability import request_id_var
from ladder.kit.transport import fate

# Connections per service (the pool of httpx-aiohttp's default, 100), and how long an idle one
# is kept: under uvicorn's `--timeout-keep-alive` (5 s), so the pool rarely picks a connection
# the service is closing at that moment (such a request is sent again: `ladder.gateway.proxy`).
POOL_CONNECTIONS = 100
KEEP_ALIVE_SECONDS = 4.0

Headers = Sequence[tuple[str, str]]
Body = bytes | AsyncIterator[bytes] | None


class Answer(Protocol):
    """A service's answer as the proxy relays it: status and raw headers first, the body
    (raw: Content-Encoding stays what the service sent) read whole or streamed."""

    status: int
    headers: Sequence[tuple[bytes, bytes]]
    length: int | None  # Content-Length, if the service gave one

    async def read(self) -> bytes: ...

    def chunks(self) -> AsyncIterator[bytes]: ...

    async def aclose(self) -> None: ...


class Hop(Protocol):
    """How the proxy sends to one service. Transport failures are `httpx.TransportError`
    (`fate` tells whether the request was sent), whichever client is under it."""

    base_url: httpx.URL

    async def send(self, method: str, target: str, headers: Headers, body: Body) -> Answer: ...


class _AiohttpAnswer:
    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response
        self.status = response.status
        self.headers = response.raw_headers
        self.length = response.content_length

    async def read(self) -> bytes:
        try:
            with map_aiohttp_exceptions():
                return await self._response.read()
        finally:
            self._response.release()

    async def chunks(self) -> AsyncIterator[bytes]:
        with map_aiohttp_exceptions():
            async for chunk in self._response.content.iter_any():
                yield chunk

    async def aclose(self) -> None:
        self._response.release()


class AiohttpHop:
    """Straight on the service's aiohttp pool."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, timeout: httpx.Timeout):
        self._session = session
        self._base = base_url.rstrip("/")
        self.base_url = httpx.URL(base_url)
        # As httpx-aiohttp maps httpx's timeouts: `connect` bounds the wait for a pooled
        # connection and the connect itself, `sock_connect` the connect, `sock_read` each read.
        self._timeout = aiohttp.ClientTimeout(
            total=None, connect=timeout.pool, sock_connect=timeout.connect, sock_read=timeout.read
        )

    async def send(self, method: str, target: str, headers: Headers, body: Body) -> Answer:
        # `target` is the path and query as they go on the request line, already encoded.
        url = URL(self._base + target, encoded=True)
        with map_aiohttp_exceptions():
            response = await self._session.request(
                method,
                url,
                headers=headers,
                data=body,
                allow_redirects=False,
                timeout=self._timeout,
            )
        return _AiohttpAnswer(response)


class _HttpxAnswer:
    def __init__(self, response: httpx.Response) -> None:
        self._response = response
        self.status = response.status_code
        self.headers = response.headers.raw
        length = response.headers.get("content-length")
        self.length = int(length) if length is not None and length.isdigit() else None

    async def read(self) -> bytes:
        try:
            return b"".join([chunk async for chunk in self._response.aiter_raw()])
        finally:
            await self._response.aclose()

    async def chunks(self) -> AsyncIterator[bytes]:
        async for chunk in self._response.aiter_raw():
            yield chunk

    async def aclose(self) -> None:
        await self._response.aclose()


class HttpxHop:
    """Through any httpx client (a test's client on an in-process app)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client
        self.base_url = client.base_url

    async def send(self, method: str, target: str, headers: Headers, body: Body) -> Answer:
        path, _, query = target.partition("?")
        request = self._client.build_request(
            method, httpx.URL(path=path, query=query.encode("ascii") or None), content=body
        )
        # Exactly the proxy's headers (and the Host httpx derived from the base URL).
        request.headers = httpx.Headers([("host", request.headers["host"]), *headers])
        return _HttpxAnswer(await self._client.send(request, stream=True))


@dataclass(frozen=True)
class _Pool:
    client: httpx.AsyncClient
    hop: AiohttpHop


class Upstreams(dict[str, httpx.AsyncClient]):
    """Service name → httpx client, and the pool each was opened on (`hop_for`)."""

    pools: dict[str, _Pool]

    def __init__(self) -> None:
        super().__init__()
        self.pools = {}


def open_upstreams(settings: GatewaySettings) -> Upstreams:
    """Called in the lifespan (aiohttp binds a pool to the running event loop)."""
    timeout = httpx.Timeout(
        settings.upstream_read_timeout, connect=settings.upstream_connect_timeout
    )
    upstreams = Upstreams()
    for name, url in settings.upstream_urls.items():
        session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(
                limit=POOL_CONNECTIONS, keepalive_timeout=KEEP_ALIVE_SECONDS
            ),
            # The pool is shared by every caller: a cookie one answer sets is never sent with
            # another caller's request.
            cookie_jar=aiohttp.DummyCookieJar(),
            # Bodies pass as the service sent them; no header the caller did not send is made
            # up (aiohttp would add Accept, Accept-Encoding and its User-Agent).
            auto_decompress=False,
            skip_auto_headers=("Accept", "Accept-Encoding", "User-Agent"),
        )
        client = make_client(
            url,
            transport=AiohttpTransport(client=session),
            connect_timeout=settings.upstream_connect_timeout,
            read_timeout=settings.upstream_read_timeout,
        )
        upstreams[name] = client
        upstreams.pools[name] = _Pool(client, AiohttpHop(session, url, timeout))
    return upstreams


def hop_for(upstreams: Mapping[str, httpx.AsyncClient], name: str) -> Hop | None:
    """How the proxy reaches `name`: on its pool, or through whatever client replaced the one
    opened on it; None for a service the gateway does not know."""
    client = upstreams.get(name)
    if client is None:
        return None
    pool = getattr(upstreams, "pools", {}).get(name)
    if pool is not None and pool.client is client:
        return pool.hop
    return HttpxHop(client)


async def close_upstreams(app: FastAPI) -> None:
    for client in app.state.upstreams.values():
        await client.aclose()  # closes the pool under it too
    for pool in getattr(app.state.upstreams, "pools", {}).values():
        await pool.client.aclose()  # a pool whose client a test replaced


# What a client told "could not connect" waits before retrying.
RETRY_AFTER_SECONDS = 2


def upstream_failure(service: str, exc: httpx.TransportError) -> LadderError:
    """The error model for a call to `service` that got no answer, by what happened to the
    request (`ladder.kit.transport.fate`): never sent → 503 with `Retry-After` (safe to
    retry); sent and no answer in time → 504; connection lost after sending → 502
    `upstream_connection_lost` with the request id (it may have been processed)."""
    details: dict[str, str] = {"service": service}
    what = fate(exc)
    if what == "not_sent":
        return ServiceUnavailable(
            details=details, headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
        )
    if what == "timeout":
        return UpstreamTimeout(details=details)
    return UpstreamConnectionLost(details={**details, "request_id": request_id_var.get() or ""})
