"""Liveness and readiness. `/readyz` checks the database (and any extra checks a process adds).

A process may also add *details* (`app.state.readiness_details`: name → coroutine returning a
dict), e.g. the outbox's undelivered count and the age of its oldest event: they are reported
in the body for dashboards and alerts but never decide readiness — an old event is not a
reason to take a pod out of service (a dead database, checked above, is)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

log = logging.getLogger("ladder.health")
ReadinessCheck = Callable[[], Awaitable[None]]
ReadinessDetail = Callable[[], Awaitable[dict[str, Any]]]


def health_router(checks: dict[str, ReadinessCheck] | None = None) -> APIRouter:
    router = APIRouter(tags=["health"])
    extra = dict(checks or {})

    @router.get("/healthz", summary="Liveness: the process answers")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="Readiness: the process can serve (database reachable)")
    async def readyz(request: Request) -> JSONResponse:
        all_checks: dict[str, ReadinessCheck] = dict(extra)
        db = getattr(request.app.state, "db", None)
        if db is not None:
            all_checks = {"database": db.ping, **all_checks}
        results: dict[str, str] = {}
        for name, check in all_checks.items():
            try:
                await asyncio.wait_for(check(), timeout=2.0)
                results[name] = "ok"
            except Exception as exc:  # a readiness probe reports, it does not raise
                log.warning("readiness check %s failed: %s", name, exc)
                results[name] = "failed"
        ok = all(v == "ok" for v in results.values())
        details: dict[str, Any] = {}
        providers: dict[str, ReadinessDetail] = getattr(request.app.state, "readiness_details", {})
        for name, provider in providers.items() if ok else ():
            try:
                details[name] = await asyncio.wait_for(provider(), timeout=2.0)
            except Exception as exc:  # a detail is information, never a reason to be unready
                log.warning("readiness detail %s unavailable: %s", name, exc)
                details[name] = {"error": "unavailable"}
        body: dict[str, Any] = {"status": "ready" if ok else "not_ready", "checks": results}
        if details:
            body["details"] = details
        return JSONResponse(
            body,
            status_code=200 if ok else 503,
        )

    return router
