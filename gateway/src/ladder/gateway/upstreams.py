"""The Ladder services behind the gateway: one pooled HTTP client each, and failure mapping.

The clients live in `app.state.upstreams` (service name → `httpx.AsyncClient`), created in the
lifespan and closed with it; tests swap an entry for a client on an in-process app. Every
request has a connect timeout, so a service that is down answers 503 promptly, never a hang.
"""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from ladder.gateway.errors import UpstreamTimeout
from ladder.gateway.settings import GatewaySettings
from ladder.kit.errors import LadderError, ServiceUnavailable, UpstreamError
from ladder.kit.http import make_client

Upstreams = dict[str, httpx.AsyncClient]


def open_upstreams(settings: GatewaySettings) -> Upstreams:
    return {
        name: make_client(
            url,
            connect_timeout=settings.upstream_connect_timeout,
            read_timeout=settings.upstream_read_timeout,
        )
        for name, url in settings.upstream_urls.items()
    }


async def close_upstreams(app: FastAPI) -> None:
    for client in app.state.upstreams.values():
        await client.aclose()


def upstream_failure(service: str, exc: httpx.TransportError) -> LadderError:
    """The error model for a call to `service` that got no answer."""
    details = {"service": service}
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return ServiceUnavailable(details=details)
    if isinstance(exc, httpx.TimeoutException):
        return UpstreamTimeout(details=details)
    return UpstreamError(details=details)
