"""The REST reverse proxy: `/api/{service}/{path}` → `{service_url}/{path}?{query}`.

The gateway checks tokens too (defence in depth; each service verifies again): a request that
carries `Authorization` must carry a valid token, and one without may reach only the public
paths of a service. Small request bodies are read first (so an idempotent request can be sent
again when a pooled connection turns out dead); large ones and response bodies are streamed,
so batches and downloads (申报书 PDFs) do not sit in memory. A failure says what it was:
could not connect (503, `Retry-After`), no answer in time (504), connection lost after
sending (502 `upstream_connection_lost`; `ladder.kit.transport`).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from urllib.parse import quote

import httpx
from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

from ladder.gateway.clients import client_ip
from ladder.gateway.errors import RateLimited, UpstreamConnectionLost, UpstreamTimeout
from ladder.gateway.ratelimit import limit_rate
from ladder.gateway.upstreams import upstream_failure
from ladder.kit.auth import TokenVerifier, bearer_token
from ladder.kit.errors import (
    NotFound,
    PayloadTooLarge,
    ServiceUnavailable,
    Unauthenticated,
    declare,
)
from ladder.kit.observability import request_id_var
from ladder.kit.transport import RESENT_BY_TRANSPORT, fate

log = logging.getLogger("ladder.gateway.proxy")
router = APIRouter(tags=["proxy"])

PUBLIC_PATHS = frozenset({"healthz", "readyz"})
# The API documents are public in dev/test only (`ladder.kit.docs`); production asks a token.
DEV_PUBLIC_PATHS = PUBLIC_PATHS | {"openapi.json", "docs", "redoc", "docs/oauth2-redirect"}
PUBLIC_PREFIX = "public/"
# The identity service's routes for callers who have no token yet (issue 15): signing in,
# refreshing, registering an enterprise, accepting an invitation, resetting a password,
# enrolling TOTP with an enrolment token, the OAuth2 token endpoint and the issuer's
# documents. The service checks each itself (a route there that needs a token still asks for
# one); here they are reachable without one, and their writes are limited per client address
# like `/auth/*`.
ANONYMOUS_PREFIXES = {
    "identity": (
        "v1/sessions",
        "v1/registrations",
        "v1/invitations/",
        "v1/password-resets",
        "v1/mfa/totp/",
        "oauth/token",
        ".well-known/",
    )
}
# Service-to-service routes (events, clocks, sweeps): never reachable from outside.
INTERNAL_PREFIX = "internal/"
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


def is_public(path: str, *, dev: bool = False) -> bool:
    return path in (DEV_PUBLIC_PATHS if dev else PUBLIC_PATHS) or path.startswith(PUBLIC_PREFIX)


def is_anonymous_entry(service: str, path: str) -> bool:
    """A route of `ANONYMOUS_PREFIXES`: reachable without a token."""
    return path.startswith(ANONYMOUS_PREFIXES.get(service, ()))


def _check_path(path: str) -> None:
    """404 for what must not reach a service: its internal routes, and paths that a client
    library would rewrite (`.`/`..` could step out of `public/`; an empty segment makes
    `//host`-like URLs)."""
    segments = path.split("/")
    if any(segment in (".", "..") for segment in segments):
        raise NotFound(details={"reason": "dot_segment"})
    if not path or any(segment == "" for segment in segments[:-1]):
        raise NotFound(details={"reason": "empty_segment"})
    if path.lower().startswith(INTERNAL_PREFIX):
        raise NotFound(details={"reason": "internal_route"})


async def forward(service: str, path: str, request: Request) -> Response:
    client: httpx.AsyncClient | None = request.app.state.upstreams.get(service)
    if client is None:
        raise NotFound("没有该服务", "No such service", details={"service": service})
    _check_path(path)
    await _authenticate(request, service, path)

    query: bytes = request.scope.get("query_string", b"")
    url = httpx.URL(path="/" + quote(path, safe=_PATH_SAFE), query=query or None)
    body = await _RequestBody.of(request)
    # Reads, PUT and DELETE are resent once by the transport itself (`RESENT_BY_TRANSPORT`);
    # a POST or PATCH only here, and only with an Idempotency-Key (the service dedupes it).
    resend = (
        body.replayable
        and request.method not in RESENT_BY_TRANSPORT
        and "idempotency-key" in request.headers
    )
    for attempt in (1, 2):
        upstream_request = client.build_request(request.method, url, content=body.content())
        upstream_request.headers = httpx.Headers(
            [
                ("host", upstream_request.headers["host"]),
                *body.length_header(),
                *_forwarded_headers(request, service),
            ]
        )
        try:
            upstream = await client.send(upstream_request, stream=True)
            break
        except httpx.TransportError as exc:
            if body.error is not None:  # the client's body broke (too large): not the service's
                raise body.error from exc
            if attempt == 1 and resend and fate(exc) == "lost":
                # The usual case: a pooled keep-alive connection the service had closed.
                log.info("%s: connection lost on %s %s, sending once more", service,
                         request.method, path)  # fmt: skip
                continue
            log.warning("%s unreachable for %s %s: %r", service, request.method, path, exc)
            raise upstream_failure(service, exc) from exc

    response = StreamingResponse(
        _relay(upstream),
        status_code=upstream.status_code,
        background=BackgroundTask(upstream.aclose),
    )
    response.raw_headers = _relayed_headers(upstream.headers, client.base_url, service)
    return response


for _method in METHODS:
    # One route per method: a multi-method route would repeat one OpenAPI operation id.
    router.add_api_route(
        "/api/{service}/{path:path}",
        forward,
        methods=[_method],
        operation_id=f"proxy_{_method.lower()}",
        summary=f"{_method} on a Ladder service (declaration, rules, review, identity)",
        description="Each service's own OpenAPI is at `/api/<service>/openapi.json`.",
        responses=declare(
            Unauthenticated,
            NotFound,
            PayloadTooLarge,
            RateLimited,
            UpstreamConnectionLost,
            ServiceUnavailable,
            UpstreamTimeout,
        ),
    )


async def _authenticate(request: Request, service: str, path: str) -> None:
    entry = is_anonymous_entry(service, path)
    if entry and not _is_bearer(request):
        # The token endpoint takes `Authorization: Basic` (client_secret_basic): the service
        # authenticates the client; the gateway only limits the rate.
        if request.method not in _READS:
            limit_rate(request.app.state.auth_limiter, request)
        return
    token = bearer_token(request)
    public = is_public(path, dev=request.app.state.settings.is_dev)
    principal = None
    if token is not None:
        verifier: TokenVerifier = request.app.state.verifier
        principal = request.state.principal = await verifier.verify(token)
    elif not public:
        raise Unauthenticated(details={"reason": "missing_token"})
    if public and path.startswith(PUBLIC_PREFIX) and request.method not in _READS:
        # Writes to public paths (公示 objections) are rate limited per client address, and
        # per principal too when the caller has a token: neither a header nor a token lifts it.
        limit_rate(
            request.app.state.public_write_limiter,
            request,
            principal.sub if principal is not None else None,
        )


_READS = frozenset({"GET", "HEAD", "OPTIONS"})


def _is_bearer(request: Request) -> bool:
    return request.headers.get("authorization", "").lower().startswith("bearer ")


# Bodies up to this size are read before they are sent, so an idempotent request whose pooled
# connection turns out to be dead can be sent again. Larger (or chunked) bodies stream through
# as they arrive — a 14 MB evaluation batch never sits whole in the gateway — and are never
# sent twice.
REPLAYABLE_BODY_BYTES = 64 * 1024


class _RequestBody:
    """The client's body as the upstream request's content: bytes when small, else a stream
    (the request middleware's size cap still counts every chunk)."""

    def __init__(self, request: Request, data: bytes | None, declared: str | None) -> None:
        self._request = request
        self._data = data
        self._declared = declared
        self.error: Exception | None = None

    @classmethod
    async def of(cls, request: Request) -> _RequestBody:
        declared = request.headers.get("content-length")
        chunked = "transfer-encoding" in request.headers
        small = declared is None or (declared.isdigit() and int(declared) <= REPLAYABLE_BODY_BYTES)
        if small and not chunked:
            return cls(request, await request.body(), declared)
        return cls(request, None, declared if declared and declared.isdigit() else None)

    @property
    def replayable(self) -> bool:
        return self._data is not None

    def content(self) -> bytes | AsyncIterator[bytes]:
        return self._data if self._data is not None else self._stream()

    def length_header(self) -> list[tuple[str, str]]:
        if self._data is not None:
            return [("content-length", str(len(self._data)))] if self._data else []
        return [("content-length", self._declared)] if self._declared else []

    async def _stream(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._request.stream():
                if chunk:
                    yield chunk
        except Exception as exc:  # kept: the transport reports it as its own failure
            self.error = exc
            raise


def _forwarded_headers(request: Request, service: str) -> list[tuple[str, str]]:
    """The request's own headers, less hop-by-hop ones, and the gateway's: the client address
    as the gateway determined it (`ladder.gateway.clients`), never a client-written chain."""
    listed = {t.strip().lower() for t in request.headers.get("connection", "").split(",")}
    drop = _HOP_BY_HOP | _SET_BY_GATEWAY | listed
    headers = [
        (k, v) for k, v in request.headers.items() if k not in drop and not k.startswith("proxy-")
    ]
    headers += [
        ("x-request-id", request_id_var.get() or ""),
        ("x-forwarded-for", client_ip(request)),
        ("x-forwarded-proto", request.url.scheme),
        ("x-forwarded-prefix", f"/api/{service}"),
    ]
    return headers


def _relayed_headers(
    headers: httpx.Headers, upstream: httpx.URL, service: str
) -> list[tuple[bytes, bytes]]:
    listed = {t.strip().lower() for t in headers.get("connection", "").split(",")}
    drop = (_HOP_BY_HOP - {"host"}) | _NOT_RELAYED | listed
    relayed = []
    for k, v in headers.raw:
        name = k.decode("latin-1").lower()
        if name in drop or name.startswith("proxy-"):
            continue
        if name == "location":
            v = _public_location(v.decode("latin-1"), upstream, service).encode("latin-1")
        relayed.append((k, v))
    return relayed


def _public_location(location: str, upstream: httpx.URL, service: str) -> str:
    """A `Location` as the client must see it: never the service's own address. A path of
    the service becomes the gateway path; an absolute URL on the service's host too; any
    other absolute URL (a service has no business sending one) is dropped to the root."""
    try:
        target = httpx.URL(location)
    except httpx.InvalidURL:
        return "/"
    if not target.is_absolute_url:
        path = location if location.startswith("/") else "/" + location
        return f"/api/{service}{path}" if not path.startswith("//") else "/"
    if target.host == upstream.host and target.port == upstream.port:
        query = f"?{target.query.decode()}" if target.query else ""
        return f"/api/{service}{target.path}{query}"
    return "/"


async def _relay(upstream: httpx.Response) -> AsyncIterator[bytes]:
    # Raw bytes: Content-Encoding and Content-Length stay true to what we relay.
    try:
        async for chunk in upstream.aiter_raw():
            yield chunk
    finally:
        await upstream.aclose()
