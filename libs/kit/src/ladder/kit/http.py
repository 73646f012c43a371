"""HTTP between services: timeouts, request-id propagation and a service token.

A service authenticates to another with an OAuth2 client-credentials token from the issuer's
token endpoint (the gateway in dev, an external issuer in production). Tokens are cached until
shortly before they expire, and with a `cache` (`ladder.kit.credentials.StoredServiceToken`)
also across restarts: a provider that cannot reach the issuer uses the last token it saved
while that token is still valid. Connection failures surface as `ServiceUnavailable` (503) and bad
answers as `UpstreamError` (502), never as hangs: every call has a connect and read timeout.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Protocol

import httpx
from httpx_aiohttp import AiohttpTransport

from ladder.kit.errors import ServiceUnavailable, UpstreamError
from ladder.kit.observability import request_id_var

# A token is renewed (and a saved one refused) this long before it expires.
TOKEN_MARGIN_SECONDS = 60.0


class TokenCache(Protocol):
    """Where a provider keeps its last token and when it expires (Unix time)."""

    async def load(self) -> tuple[str, float] | None: ...

    async def save(self, token: str, expires_at: float) -> None: ...


class ServiceTokenProvider:
    def __init__(
        self,
        *,
        token_url: str,
        client_id: str,
        client_secret: str,
        timeout: float = 5.0,
        cache: TokenCache | None = None,
    ) -> None:
        self.token_url = token_url
        self.client_id = client_id
        self._secret = client_secret
        self._token: str | None = None
        self._expires_at = 0.0
        self._cache = cache
        self._lock = asyncio.Lock()
        self._http = httpx.AsyncClient(timeout=httpx.Timeout(timeout, connect=2.0))

    async def token(self) -> str:
        if self._token and time.monotonic() < self._expires_at - TOKEN_MARGIN_SECONDS:
            return self._token
        async with self._lock:
            if self._token and time.monotonic() < self._expires_at - TOKEN_MARGIN_SECONDS:
                return self._token
            try:
                resp = await self._http.post(
                    self.token_url,
                    data={
                        "grant_type": "client_credentials",
                        "client_id": self.client_id,
                        "client_secret": self._secret,
                    },
                )
            except httpx.TransportError as exc:
                if await self._use_saved():
                    return self._token
                raise ServiceUnavailable(details={"dependency": "token_issuer"}) from exc
            if resp.status_code >= 500 and await self._use_saved():
                return self._token  # an issuer that is down behind a proxy
            if resp.status_code != 200:
                raise UpstreamError(
                    "无法获取服务令牌",
                    "Could not obtain a service token",
                    details={"dependency": "token_issuer", "status": resp.status_code},
                )
            body = resp.json()
            self._token = body["access_token"]
            lifetime = float(body.get("expires_in", 300))
            self._expires_at = time.monotonic() + lifetime
            if self._cache is not None:
                await self._cache.save(self._token, time.time() + lifetime)
            return self._token

    async def _use_saved(self) -> bool:
        """Take the saved token if it is valid for longer than the margin (the issuer is
        unreachable). Never an expired one: every peer would refuse it."""
        saved = await self._cache.load() if self._cache is not None else None
        if saved is None:
            return False
        token, expires_at = saved
        left = expires_at - time.time()
        if left <= TOKEN_MARGIN_SECONDS:
            return False
        self._token = token
        self._expires_at = time.monotonic() + left
        return True

    def invalidate(self) -> None:
        self._token = None

    async def aclose(self) -> None:
        await self._http.aclose()


class _ServiceAuth(httpx.Auth):
    """Adds the service token; on a 401 fetches a fresh one and retries once."""

    requires_response_body = False

    def __init__(self, provider: ServiceTokenProvider) -> None:
        self.provider = provider

    async def async_auth_flow(self, request: httpx.Request):
        request.headers["Authorization"] = f"Bearer {await self.provider.token()}"
        response = yield request
        if response.status_code == 401:
            self.provider.invalidate()
            request.headers["Authorization"] = f"Bearer {await self.provider.token()}"
            yield request


async def _propagate_request_id(request: httpx.Request) -> None:
    rid = request_id_var.get()
    if rid and "x-request-id" not in request.headers:
        request.headers["X-Request-ID"] = rid


def make_client(
    base_url: str,
    *,
    token_provider: ServiceTokenProvider | None = None,
    connect_timeout: float = 2.0,
    read_timeout: float = 15.0,
    transport: AiohttpTransport | None = None,
    **kwargs: Any,
) -> httpx.AsyncClient:
    """An httpx client for calling another Ladder service. The transport is aiohttp's pool
    (httpx's API and exceptions unchanged): the hot paths between services and the outbox
    relays spend several times less CPU per request on it. `transport`: one on a pool of the
    caller's (the gateway's proxy sends on the same pool directly)."""
    return httpx.AsyncClient(
        transport=transport or AiohttpTransport(),
        base_url=base_url,
        timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
        auth=_ServiceAuth(token_provider) if token_provider else None,
        event_hooks={"request": [_propagate_request_id]},
        **kwargs,
    )


async def call_json(
    client: httpx.AsyncClient, method: str, url: str, *, dependency: str, **kwargs: Any
) -> httpx.Response:
    """Send a request; map transport failures to 503 and 5xx answers to 502."""
    try:
        resp = await client.request(method, url, **kwargs)
    except httpx.TimeoutException as exc:
        raise ServiceUnavailable(details={"dependency": dependency, "reason": "timeout"}) from exc
    except httpx.TransportError as exc:
        raise ServiceUnavailable(
            details={"dependency": dependency, "reason": "unreachable"}
        ) from exc
    if resp.status_code >= 500:
        raise UpstreamError(details={"dependency": dependency, "status": resp.status_code})
    return resp
