"""Where the API documents are served, by environment.

- dev and test: `/openapi.json`, `/docs` (Swagger UI) and `/redoc`, without a token — the
  frontend team's and the next engineer's view of the API, internal routes included.
- production: no `/docs` or `/redoc` (an HTML page that runs scripts has no place on a
  government platform's API host); `/openapi.json` for any caller with a valid token, without
  the `/internal/*` routes (service-to-service only, never proxied by the gateway).

The gateway proxies `/api/<service>/openapi.json` under the same rule (`ladder.gateway.proxy`).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from ladder.kit.auth import PrincipalDep
from ladder.kit.errors import responses

INTERNAL_PREFIX = "/internal/"


def public_schema(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI document without its internal routes (built once)."""
    cached = getattr(app.state, "public_openapi", None)
    if cached is None:
        full = app.openapi()
        cached = {
            **full,
            "paths": {
                path: ops
                for path, ops in full.get("paths", {}).items()
                if not path.startswith(INTERNAL_PREFIX)
            },
        }
        app.state.public_openapi = cached
    return cached


def docs_kwargs(dev: bool) -> dict[str, Any]:
    """`FastAPI(**docs_kwargs(dev))`: the built-in documents only in dev/test."""
    if dev:
        return {}
    return {"openapi_url": None, "docs_url": None, "redoc_url": None}


def install_production_schema(app: FastAPI) -> None:
    """Production: `/openapi.json` for authenticated callers, internal routes left out."""

    @app.get(
        "/openapi.json",
        include_in_schema=False,
        responses=responses(401),
    )
    async def openapi_document(_: PrincipalDep) -> dict[str, Any]:
        return public_schema(app)
