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
from ladder.kit.errors import Unauthenticated, declare

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
        responses=declare(Unauthenticated),
    )
    async def openapi_document(_: PrincipalDep) -> dict[str, Any]:
        return public_schema(app)


# ---- what the document says about headers and errors ---------------------------------------


def _pascal(code: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in code.split("_"))


def _error_schema(code: str) -> dict[str, Any]:
    """One named model per error code: the envelope with `code` fixed (a `const`), so a
    generated client can switch on it."""
    return {
        "title": f"{_pascal(code)}Error",
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "message_en"],
                "properties": {
                    "code": {"type": "string", "const": code, "enum": [code]},
                    "message": {"type": "string", "description": "中文"},
                    "message_en": {"type": "string"},
                    "details": {"type": "object", "additionalProperties": True},
                },
            }
        },
        "x-error-code": code,
    }


def _required_headers() -> dict[Any, str]:
    from ladder.kit import concurrency, writes

    return {**writes.REQUIRED_HEADERS, **concurrency.REQUIRED_HEADERS}


def _header_dependencies(route: Any) -> set[str]:
    from ladder.kit.errors import _dependency_calls

    required = _required_headers()
    return {required[c] for c in _dependency_calls(route.dependant) if c in required}


def refine_openapi(app: FastAPI, document: dict[str, Any]) -> dict[str, Any]:
    """Make the document say what the routes do: Idempotency-Key and If-Match `required: true`
    where a missing one is a 428, the Idempotency-Key's pattern, and for each route's error
    statuses the codes it declares (`ladder.kit.errors.declare`), each a named model; FastAPI's
    `HTTPValidationError` is replaced by the envelope every 422 really has."""
    from fastapi import routing

    from ladder.kit.errors import declared_errors
    from ladder.kit.idempotency import KEY_PATTERN

    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for route in routing.iter_route_contexts(app.routes):
        if not isinstance(route.original_route, routing.APIRoute) or not route.include_in_schema:
            continue
        ops = document.get("paths", {}).get(route.path_format)
        if not ops:
            continue
        required = _header_dependencies(route)
        declared = declared_errors(route)
        for method in route.methods:
            op = ops.get(method.lower())
            if op is None:
                continue
            for param in op.get("parameters", []):
                if param.get("in") != "header":
                    continue
                if param.get("name") in required:
                    param["required"] = True
                if param.get("name") == "Idempotency-Key":
                    schema = param.setdefault("schema", {})
                    schema.pop("anyOf", None)
                    schema.update({"type": "string", "pattern": KEY_PATTERN.pattern})
            responses = op.setdefault("responses", {})
            for status, codes in sorted(declared.items()):
                refs = []
                for code in codes:
                    name = f"{_pascal(code)}Error"
                    schemas.setdefault(name, _error_schema(code))
                    refs.append({"$ref": f"#/components/schemas/{name}"})
                schema = refs[0] if len(refs) == 1 else {"oneOf": refs}
                entry = responses.setdefault(str(status), {})
                entry["description"] = entry.get("description") or "Error: " + ", ".join(codes)
                if entry["description"] in ("Validation Error", "Unprocessable Entity", ""):
                    entry["description"] = "Error: " + ", ".join(codes)
                entry["content"] = {"application/json": {"schema": schema}}
                entry["x-error-codes"] = list(codes)
    used = str(document.get("paths", {}))
    for name in ("HTTPValidationError", "ValidationError"):
        if name in schemas and f"#/components/schemas/{name}" not in used:
            del schemas[name]
    return document


def install_openapi(app: FastAPI) -> None:
    """`app.openapi()` refined once by `refine_openapi` (and cached as FastAPI does)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = refine_openapi(app, build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
