"""The Ladder services behind the gateway: one pooled HTTP client each, and failure mapping.

The clients live in `app.state.upstreams` (service name → `httpx.AsyncClient`), created in the
lifespan and closed with it; tests swap an entry for a client on an in-process app. Every
request has a connect timeout, so a service that is down answers 503 promptly, never a hang.
"""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from ladder.gateway.errors import UpstreamConnectionLost, UpstreamTimeout
from ladder.gateway.settings import GatewaySettings
from ladder.kit.errors import LadderError, ServiceUnavailable
from ladder.kit.http import make_client
from ladder.kit.observability import request_id_var
from ladder.kit.transport import fate

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
