"""The REST reverse proxy: `/api/{service}/{path}` → `{service_url}/{path}?{query}`.

The gateway checks tokens too (defence in depth; each service verifies again): a request that
carries `Authorization` must carry a valid token, and one without may reach only the public
paths of a service. Request bodies are buffered (the request middleware caps their size);
response bodies are streamed back, so downloads (申报书 PDFs) do not sit in memory.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from urllib.parse import quote

import httpx
from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

from ladder.gateway.ratelimit import limit_rate
from ladder.gateway.upstreams import upstream_failure
from ladder.kit.auth import TokenVerifier, bearer_token
from ladder.kit.errors import NotFound, Unauthenticated, responses
from ladder.kit.observability import request_id_var

log = logging.getLogger("ladder.gateway.proxy")
router = APIRouter(tags=["proxy"])

PUBLIC_PATHS = frozenset({"openapi.json", "healthz", "readyz", "docs"})
PUBLIC_PREFIX = "public/"
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

# RFC 9110 §7.6.1 hop-by-hop headers.
_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "host"}
)
# Set here, or already dealt with (the body is buffered, so `Expect: 100-continue` is moot).
_SET_BY_GATEWAY = frozenset(
    {
        "content-length",
        "expect",
        "x-request-id",
        "x-forwarded-for",
        "x-forwarded-proto",
        "x-forwarded-prefix",
    }
)
# From the upstream answer: the gateway's own server, date and request id headers win.
_NOT_RELAYED = frozenset({"server", "date", "x-request-id"})
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


def is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIX)


async def forward(service: str, path: str, request: Request) -> Response:
    client: httpx.AsyncClient | None = request.app.state.upstreams.get(service)
    if client is None:
        raise NotFound("没有该服务", "No such service", details={"service": service})
    if any(segment in (".", "..") for segment in path.split("/")):
        # Would be normalised away by the client and could step out of `public/`.
        raise NotFound(details={"reason": "dot_segment"})
    await _authenticate(request, path)

    query: bytes = request.scope.get("query_string", b"")
    url = httpx.URL(path="/" + quote(path, safe=_PATH_SAFE), query=query or None)
    upstream_request = client.build_request(request.method, url, content=await request.body())
    computed = [
        (k, v) for k, v in upstream_request.headers.items() if k in ("host", "content-length")
    ]
    upstream_request.headers = httpx.Headers([*computed, *_forwarded_headers(request, service)])
    try:
        upstream = await client.send(upstream_request, stream=True)
    except httpx.TransportError as exc:
        log.warning("%s unreachable for %s %s: %r", service, request.method, path, exc)
        raise upstream_failure(service, exc) from exc

    response = StreamingResponse(
        _relay(upstream),
        status_code=upstream.status_code,
        background=BackgroundTask(upstream.aclose),
    )
    response.raw_headers = _relayed_headers(upstream.headers)
    return response


for _method in METHODS:
    # One route per method: a multi-method route would repeat one OpenAPI operation id.
    router.add_api_route(
        "/api/{service}/{path:path}",
        forward,
        methods=[_method],
        operation_id=f"proxy_{_method.lower()}",
        summary=f"{_method} on a Ladder service (declaration, rules, review)",
        description="Each service's own OpenAPI is at `/api/<service>/openapi.json`.",
        responses=responses(401, 404, 413, 502, 503, 504),
    )


async def _authenticate(request: Request, path: str) -> None:
    token = bearer_token(request)
    if token is None:
        if is_public(path):
            if request.method not in ("GET", "HEAD", "OPTIONS"):
                # Anonymous writes (公示 objections) are rate limited per client IP.
                limit_rate(request.app.state.public_write_limiter, request)
            return
        raise Unauthenticated(details={"reason": "missing_token"})
    verifier: TokenVerifier = request.app.state.verifier
    request.state.principal = await verifier.verify(token)


def _forwarded_headers(request: Request, service: str) -> list[tuple[str, str]]:
    listed = {t.strip().lower() for t in request.headers.get("connection", "").split(",")}
    drop = _HOP_BY_HOP | _SET_BY_GATEWAY | listed
    headers = [
        (k, v) for k, v in request.headers.items() if k not in drop and not k.startswith("proxy-")
    ]
    hops = [h for h in (request.headers.get("x-forwarded-for"), _client_host(request)) if h]
    headers += [
        ("x-request-id", request_id_var.get() or ""),
        ("x-forwarded-for", ", ".join(hops)),
        ("x-forwarded-proto", request.url.scheme),
        ("x-forwarded-prefix", f"/api/{service}"),
    ]
    return headers


def _client_host(request: Request) -> str | None:
    return request.client.host if request.client else None


def _relayed_headers(headers: httpx.Headers) -> list[tuple[bytes, bytes]]:
    listed = {t.strip().lower() for t in headers.get("connection", "").split(",")}
    drop = (_HOP_BY_HOP - {"host"}) | _NOT_RELAYED | listed
    return [
        (k, v)
        for k, v in headers.raw
        if k.decode("latin-1").lower() not in drop
        and not k.decode("latin-1").lower().startswith("proxy-")
    ]


async def _relay(upstream: httpx.Response) -> AsyncIterator[bytes]:
    # Raw bytes: Content-Encoding and Content-Length stay true to what we relay.
    try:
        async for chunk in upstream.aiter_raw():
            yield chunk
    finally:
        await upstream.aclose()
