"""The whole API in one document: the gateway's `/openapi.json` (and `/docs`, `/redoc`).

The gateway's own routes (health, the issuer's keys, dev tokens, GraphQL, `/v1/me`) and each
service's paths under its prefix `/api/<service>/…`, as a client sees them through the one
door. Each service's part is its own document fetched over HTTP (`app.state.upstreams`; a
service never imports another, and the gateway imports none): on the first request, again
after `REFRESH_SECONDS`, and sooner (`RETRY_SECONDS`) while a part is missing or stale. A
service that cannot be reached leaves its part out — or keeps the part fetched before, marked
`stale` — and the document says so (`info.x-ladder-parts`, and a line of `info.description`):
never a 500, and the gateway starts without any service.

Merging: the service's internal routes (`/internal/…`) are left out, and the components its
paths do not reach; a component that another part names differently is renamed with the
service's prefix (`ReviewRole`), refs and title with it, and the same component in two parts
is one; operation ids are prefixed with the service (`review_read_inbox_…`) and tags too
(`review: cases`); every operation says whose it is (`x-ladder-service`). The services'
documents are already made truthful by `ladder.kit.docs` (required headers, the envelope
of each error code, the bearer scheme).

Who may read it: as every Ladder document (`ladder.kit.docs`) — in dev/test anyone, `/docs`
and `/redoc` included; in production a caller with a valid token, and no HTML pages. The
services' documents are fetched with the caller's own `Authorization` (production asks one
there too; the gateway holds no credentials of its own): what a service documents does not
depend on who asks, so one cache serves every caller.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)

from ladder.kit.auth import get_principal
from ladder.kit.docs import INTERNAL_PREFIX, SCHEMA_REF, rename_schemas, unique_titles
from ladder.kit.errors import NotFound, Unauthenticated, declare, implies
from ladder.kit.observability import request_id_var

log = logging.getLogger("ladder.gateway.openapi")

REFRESH_SECONDS = 300.0
RETRY_SECONDS = 10.0
FETCH_TIMEOUT_SECONDS = 5.0
API_PREFIX = "/api"
GATEWAY = "gateway"
SERVICE_KEY = "x-ladder-service"
PARTS_KEY = "x-ladder-parts"
# The envelope itself, kept though no response names it (each names its codes' models).
KEPT_COMPONENTS = frozenset({"ErrorResponse", "ErrorBody"})
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


# ---- the merge (pure) ----------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """One service's document, or why it is missing."""

    name: str
    document: dict[str, Any] | None = None
    missing: str | None = None  # the reason, when `document` is None
    stale: str | None = None  # why this is the document fetched before, not a fresh one


def _pascal(name: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in name.replace("-", "_").split("_"))


def _reachable(document: dict[str, Any], roots: Any) -> set[str]:
    """The component names `roots` refers to, transitively."""
    schemas = document.get("components", {}).get("schemas", {})
    seen: set[str] = set()
    stack = [roots]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str) and ref.startswith(SCHEMA_REF):
                name = ref.removeprefix(SCHEMA_REF)
                if name not in seen and name in schemas:
                    seen.add(name)
                    stack.append(schemas[name])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return seen


def _part_paths(name: str, document: dict[str, Any]) -> dict[str, Any]:
    """The service's public paths under `/api/<name>` (the gateway's own: all but `/api/…`,
    which are the services' and named by their own documents)."""
    out = {}
    for path, ops in document.get("paths", {}).items():
        if name == GATEWAY:
            if path == API_PREFIX or path.startswith(API_PREFIX + "/"):
                continue
            out[path] = ops
        elif not path.startswith(INTERNAL_PREFIX):
            out[f"{API_PREFIX}/{name}{path}"] = ops
    return out


def _fold_schemas(
    merged: dict[str, Any], name: str, part: dict[str, Any], taken: set[str]
) -> dict[str, str]:
    """The renames that let `part`'s components join `merged`: a name both use for different
    schemas gets the service's prefix (again, until nothing clashes: a rename changes the refs
    of the schemas that use it)."""
    schemas = part["components"]["schemas"]
    renames: dict[str, str] = {}
    while True:
        trial = copy.deepcopy(part)
        rename_schemas(trial, renames)
        incoming = trial["components"]["schemas"]
        clashes = sorted(
            n for n in schemas if n not in renames and n in merged and merged[n] != incoming[n]
        )
        if not clashes:
            return renames
        for clash in clashes:
            new = base = _pascal(name) + clash
            n = 2
            while new in taken or new in schemas:
                new, n = f"{base}{n}", n + 1
            taken.add(new)
            renames[clash] = new


def _unique(op_id: str, taken: set[str]) -> str:
    candidate, n = op_id, 2
    while candidate in taken:
        candidate, n = f"{op_id}_{n}", n + 1
    taken.add(candidate)
    return candidate


def merge(gateway: dict[str, Any], parts: list[Part]) -> dict[str, Any]:
    """The whole API: the gateway's own document and each service's part (or why it is
    missing), as `/openapi.json` at the gateway serves it."""
    merged: dict[str, Any] = {
        "openapi": gateway.get("openapi", "3.1.0"),
        "info": {},
        "servers": [{"url": "/", "description": "the gateway, Ladder's one door"}],
        "paths": {},
        "components": {"schemas": {}, "securitySchemes": {}},
        "tags": [],
    }
    schemas = merged["components"]["schemas"]
    schemes = merged["components"]["securitySchemes"]
    taken_ids: set[str] = set()
    tags: dict[str, str] = {}
    summary: dict[str, Any] = {}

    for name, document in [(GATEWAY, gateway)] + [(p.name, p.document) for p in parts]:
        if document is None:
            continue
        paths = _part_paths(name, document)
        used = _reachable(document, paths) | KEPT_COMPONENTS
        part = {
            "paths": copy.deepcopy(paths),
            "components": {
                "schemas": {
                    n: copy.deepcopy(s)
                    for n, s in document.get("components", {}).get("schemas", {}).items()
                    if n in used
                }
            },
        }
        rename_schemas(part, _fold_schemas(schemas, name, part, set(schemas)))
        schemas.update(part["components"]["schemas"])
        for scheme, value in document.get("components", {}).get("securitySchemes", {}).items():
            schemes.setdefault(scheme, value)
        for path, ops in part["paths"].items():
            for method, op in ops.items():
                if method not in _METHODS:
                    continue
                op[SERVICE_KEY] = name
                own = op.get("operationId") or f"{method}_{path}"
                op["operationId"] = _unique(own if name == GATEWAY else f"{name}_{own}", taken_ids)
                if name != GATEWAY:
                    op["tags"] = [f"{name}: {t}" for t in op.get("tags") or ["other"]]
                for tag in op.get("tags", ()):
                    tags.setdefault(tag, f"{document.get('info', {}).get('title', name)}")
            merged["paths"][path] = ops
        summary[name] = {
            "included": True,
            "title": document.get("info", {}).get("title", name),
            "version": document.get("info", {}).get("version", ""),
            "paths": len(part["paths"]),
        }
    for p in parts:
        if p.document is not None and p.stale is not None:
            summary[p.name]["stale"] = p.stale
    for p in parts:
        if p.document is None:
            summary[p.name] = {"included": False, "reason": p.missing or "unknown"}

    unique_titles(schemas)
    merged["tags"] = [{"name": t, "description": d} for t, d in tags.items()]
    notes = [
        f"the {n} service's part is missing ({s['reason']})"
        if not s["included"]
        else f"the {n} service's part is the one fetched before ({s['stale']})"
        for n, s in summary.items()
        if not s["included"] or "stale" in s
    ]
    description = (
        "Ladder's whole API (智能工厂梯度培育) through its one door: the gateway's own routes "
        "and each service's under `/api/<service>/`. Every error is "
        '`{"error": {"code", "message", "message_en", "details"}}`; each response names its '
        "codes (`x-error-codes`)."
    )
    if notes:
        description += (
            "\n\n**Incomplete**: "
            + "; ".join(notes)
            + f". The gateway tries again within {int(RETRY_SECONDS)} s."
        )
    merged["info"] = {
        "title": "Ladder API",
        "version": gateway.get("info", {}).get("version", "0"),
        "description": description,
        PARTS_KEY: summary,
    }
    return merged


# ---- fetching and caching ------------------------------------------------------------------


def _is_openapi(body: Any) -> bool:
    return (
        isinstance(body, dict)
        and isinstance(body.get("openapi"), str)
        and body["openapi"].startswith("3.")
        and isinstance(body.get("paths"), dict)
    )


async def fetch_part(name: str, client: httpx.AsyncClient, authorization: str | None) -> Part:
    headers = {"x-request-id": request_id_var.get() or ""}
    if authorization:
        headers["authorization"] = authorization
    try:
        resp = await client.get("/openapi.json", headers=headers, timeout=FETCH_TIMEOUT_SECONDS)
    except httpx.HTTPError as exc:
        log.warning("%s's OpenAPI document could not be fetched: %r", name, exc)
        return Part(name, missing="unreachable")
    if resp.status_code != 200:
        return Part(name, missing=f"answered {resp.status_code}")
    try:
        body = resp.json()
    except ValueError:
        body = None
    if not _is_openapi(body):
        return Part(name, missing="not an OpenAPI document")
    return Part(name, document=body)


@dataclass
class MergedDocument:
    """The merged document, built when first asked and rebuilt when stale."""

    body: bytes | None = None
    built_at: float = 0.0
    complete: bool = False
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    fetched: dict[str, dict[str, Any]] = field(default_factory=dict)  # last good, per service

    def fresh(self) -> bool:
        age = time.monotonic() - self.built_at
        return self.body is not None and age < (REFRESH_SECONDS if self.complete else RETRY_SECONDS)

    async def get(self, app: FastAPI, authorization: str | None) -> bytes:
        if self.fresh():
            return self.body  # type: ignore[return-value]
        async with self.lock:
            if not self.fresh():
                upstreams: dict[str, httpx.AsyncClient] = app.state.upstreams
                parts = [
                    self._kept(part)
                    for part in await asyncio.gather(
                        *(fetch_part(n, c, authorization) for n, c in upstreams.items())
                    )
                ]
                document = merge(app.openapi(), parts)
                self.body = json.dumps(document, ensure_ascii=False).encode()
                self.complete = all(p.document is not None and p.stale is None for p in parts)
                self.built_at = time.monotonic()
        return self.body  # type: ignore[return-value]

    def _kept(self, part: Part) -> Part:
        """A part that could not be fetched now is the one fetched before, if any (a service
        restarting, or a caller whose token that service refuses: a machine client without
        its scope), marked stale; a fresh one is kept for next time."""
        if part.document is not None:
            self.fetched[part.name] = part.document
            return part
        before = self.fetched.get(part.name)
        if before is None:
            return part
        return Part(part.name, document=before, stale=part.missing)


def merged_document(app: FastAPI) -> MergedDocument:
    cached = getattr(app.state, "merged_openapi", None)
    if cached is None:
        cached = app.state.merged_openapi = MergedDocument()
    return cached


# ---- the routes ----------------------------------------------------------------------------


async def document_reader(request: Request) -> None:
    """Dev/test: anyone; production: a valid token (401 otherwise)."""
    if not request.app.state.settings.is_dev:
        await get_principal(request)


async def dev_only(request: Request) -> None:
    """The HTML pages exist in dev/test only (404 in production)."""
    if not request.app.state.settings.is_dev:
        raise NotFound()


implies(document_reader, Unauthenticated)
implies(dev_only, NotFound)
ReaderDep = Annotated[None, Depends(document_reader)]
router = APIRouter(include_in_schema=False)


@router.get("/openapi.json", responses=declare(Unauthenticated))
async def openapi_document(request: Request, _: ReaderDep) -> Response:
    body = await merged_document(request.app).get(request.app, request.headers.get("authorization"))
    return Response(body, media_type="application/json")


def _document_url(request: Request) -> str:
    return request.scope.get("root_path", "") + "/openapi.json"


@router.get("/docs", dependencies=[Depends(dev_only)], responses=declare(NotFound))
async def swagger_ui(request: Request) -> Response:
    return get_swagger_ui_html(
        openapi_url=_document_url(request),
        title="Ladder API - Swagger UI",
        oauth2_redirect_url=request.scope.get("root_path", "") + "/docs/oauth2-redirect",
    )


@router.get("/docs/oauth2-redirect", dependencies=[Depends(dev_only)], responses=declare(NotFound))
async def swagger_ui_redirect() -> Response:
    return get_swagger_ui_oauth2_redirect_html()


@router.get("/redoc", dependencies=[Depends(dev_only)], responses=declare(NotFound))
async def redoc(request: Request) -> Response:
    return get_redoc_html(openapi_url=_document_url(request), title="Ladder API - ReDoc")
