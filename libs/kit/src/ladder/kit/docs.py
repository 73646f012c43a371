"""Where the API documents are served, by environment.

- dev and test: `/openapi.json`, `/docs` (Swagger UI) and `/redoc`, without a token — the
  frontend team's and the next engineer's view of the API, internal routes included.
- production: no `/docs` or `/redoc` (an HTML page that runs scripts has no place on a
  government platform's API host); `/openapi.json` for any caller with a valid token, without
  the `/internal/*` routes (service-to-service only, never proxied by the gateway).

The gateway proxies `/api/<service>/openapi.json` under the same rule (`ladder.gateway.proxy`),
and serves the whole API's document, merged from the services', at its own `/openapi.json`
(`ladder.gateway.openapi`), `/docs` and `/redoc` likewise.
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


def _needs_token(route: Any) -> bool:
    from ladder.kit.auth import get_principal
    from ladder.kit.errors import _dependency_calls

    return get_principal in _dependency_calls(route.dependant)


def refine_openapi(app: FastAPI, document: dict[str, Any]) -> dict[str, Any]:
    """Make the document say what the routes do: Idempotency-Key and If-Match `required: true`
    where a missing one is a 428, the Idempotency-Key's pattern, and for each route's error
    statuses the codes it declares (`ladder.kit.errors.declare`), each a named model; FastAPI's
    `HTTPValidationError` is replaced by the envelope every 422 really has. A route that
    needs a token says so (`security`: the bearer scheme); the models FastAPI named by their
    modules get names and titles a generated client can keep apart."""
    from fastapi import routing

    from ladder.kit.errors import declared_errors
    from ladder.kit.idempotency import KEY_PATTERN

    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    components.setdefault("securitySchemes", {}).update(SECURITY_SCHEMES)
    for route in routing.iter_route_contexts(app.routes):
        if not isinstance(route.original_route, routing.APIRoute) or not route.include_in_schema:
            continue
        ops = document.get("paths", {}).get(route.path_format)
        if not ops:
            continue
        required = _header_dependencies(route)
        declared = declared_errors(route)
        needs_token = _needs_token(route)
        for method in route.methods:
            op = ops.get(method.lower())
            if op is None:
                continue
            if needs_token:
                op["security"] = [{BEARER_SCHEME: []}]
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
    for name in ("HTTPValidationError", "ValidationError"):  # the first refers to the second
        if name in schemas and f"{SCHEMA_REF}{name}" not in references(document):
            del schemas[name]
    rename_schemas(document, readable_names(schemas))
    unique_titles(schemas)
    return document


# ---- component names a generated client can use --------------------------------------------

SCHEMA_REF = "#/components/schemas/"
BEARER_SCHEME = "bearer"
SECURITY_SCHEMES = {
    BEARER_SCHEME: {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "An access token of Ladder's issuer (the identity service's `/v1/sessions`"
        " or `/oauth/token`; `/auth/dev-token` in dev)",
    }
}


def references(node: Any) -> set[str]:
    """Every `$ref` in a document (or a part of one)."""
    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str):
                found.add(ref)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def rename_schemas(document: dict[str, Any], renames: dict[str, str]) -> None:
    """Rename components (`old` → `new`, title too) and every `$ref` to them, in place."""
    if not renames:
        return
    schemas = document.get("components", {}).get("schemas", {})
    for old, new in renames.items():
        if old in schemas:
            schema = schemas.pop(old)
            if isinstance(schema, dict):
                schema["title"] = new
            schemas[new] = schema
    refs = {SCHEMA_REF + old: SCHEMA_REF + new for old, new in renames.items()}
    stack: list[Any] = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str) and ref in refs:
                item["$ref"] = refs[ref]
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def readable_names(schemas: dict[str, Any]) -> dict[str, str]:
    """FastAPI names two models of one name by their modules
    (`ladder__declaration__selfassessments__schemas__Finding`); a generator makes classes of
    the titles, both `Finding`, and drops one. Each gets a name of its package
    (`SelfassessmentsFinding`) instead."""
    renames: dict[str, str] = {}
    taken = set(schemas)
    for name in sorted(schemas):
        if "__" not in name:
            continue
        parts = [p for p in name.split("__") if p and p not in ("schemas", "models")]
        if parts[:1] == ["ladder"]:
            parts = parts[2:] or parts[1:]  # `ladder`, then the service
        for start in range(len(parts) - 1, -1, -1):
            candidate = "".join(p[:1].upper() + p[1:] for p in parts[start:])
            if start < len(parts) - 1 and candidate not in taken:
                break
        else:
            candidate = "".join(p[:1].upper() + p[1:] for p in name.split("__"))
        taken.add(candidate)
        renames[name] = candidate
    return renames


def unique_titles(schemas: dict[str, Any]) -> None:
    """A component whose title another component has too is titled by its name."""
    seen: dict[str, int] = {}
    for schema in schemas.values():
        if isinstance(schema, dict) and isinstance(schema.get("title"), str):
            seen[schema["title"]] = seen.get(schema["title"], 0) + 1
    for name, schema in schemas.items():
        if isinstance(schema, dict) and seen.get(schema.get("title", ""), 0) > 1:
            schema["title"] = name


def install_openapi(app: FastAPI) -> None:
    """`app.openapi()` refined once by `refine_openapi` (and cached as FastAPI does)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = refine_openapi(app, build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
