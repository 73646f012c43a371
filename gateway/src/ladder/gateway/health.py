"""Liveness and readiness of the gateway.

Ready means the gateway can verify (and, if it issues, sign) tokens. Whether each upstream
answers is reported in the body as information but does not fail readiness: a gateway that
takes itself out of rotation because one service is down would turn a partial outage into a
total one, and the proxy already answers 503 for that service alone.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ladder.gateway.settings import GatewaySettings

log = logging.getLogger("ladder.gateway.health")
router = APIRouter(tags=["health"])
PROBE_TIMEOUT_SECONDS = 1.5


@router.get("/healthz", summary="Liveness: the process answers")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Readiness: token keys loaded (upstreams reported, not required)")
async def readyz(request: Request) -> JSONResponse:
    state = request.app.state
    settings: GatewaySettings = state.settings
    checks: dict[str, str] = {}
    if settings.issues_tokens:
        checks["signing_key"] = "ok" if getattr(state, "signing_key", None) else "failed"
    checks["jwks"] = await _check_jwks(request)
    upstreams = await _probe_upstreams(state.upstreams)
    ok = all(v == "ok" for v in checks.values())
    body: dict[str, Any] = {
        "status": "ready" if ok else "not_ready",
        "checks": checks,
        "upstreams": upstreams,
    }
    return JSONResponse(body, status_code=200 if ok else 503)


async def _check_jwks(request: Request) -> str:
    settings: GatewaySettings = request.app.state.settings
    if settings.external_jwks_url is None:
        return "ok" if getattr(request.app.state, "signing_key", None) else "failed"
    http: httpx.AsyncClient = request.app.state.jwks_http
    try:
        resp = await asyncio.wait_for(http.get(settings.external_jwks_url), PROBE_TIMEOUT_SECONDS)
        resp.raise_for_status()
        keys = resp.json().get("keys")
    except (httpx.HTTPError, ValueError, AttributeError, TimeoutError) as exc:
        log.warning("external JWKS %s unavailable: %s", settings.external_jwks_url, exc)
        return "failed"
    return "ok" if keys else "failed"


async def _probe_upstreams(upstreams: dict[str, httpx.AsyncClient]) -> dict[str, str]:
    names = list(upstreams)
    results = await asyncio.gather(*(_probe(upstreams[n]) for n in names))
    return dict(zip(names, results, strict=True))


async def _probe(client: httpx.AsyncClient) -> str:
    try:
        resp = await asyncio.wait_for(client.get("/healthz"), PROBE_TIMEOUT_SECONDS)
    except (httpx.HTTPError, TimeoutError):
        return "unreachable"
    return "ok" if resp.status_code == 200 else f"status {resp.status_code}"
