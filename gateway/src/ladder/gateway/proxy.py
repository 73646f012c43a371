"""The REST reverse proxy: `/api/{service}/{path}` → `{service_url}/{path}?{query}`.

The gateway checks tokens too (defence in depth; each service verifies again): a request that
carries `Authorization` must carry a valid token, and one without may reach only the public
paths of a service. Small request bodies are read first (so an idempotent request can be sent
again when a pooled connection turns out dead); large ones are streamed. Answers with a
Content-Length up to `BUFFERED_ANSWER_BYTES` are read whole and sent in one piece; larger or
unsized ones (申报书 PDFs, exports) stream, so they never sit in memory. A failure says what
it was: could not connect (503, `Retry-After`), no answer in time (504), connection lost after
sending (502 `upstream_connection_lost`; `ladder.kit.transport`).

The proxy is a plain ASGI app served ahead of the gateway's FastAPI router (`install`): a
proxied request pays for no route matching, dependency solving or response classes, and is
sent on the service's pool directly (`ladder.gateway.upstreams.hop_for`). It sits inside every
middleware (request id, body cap, input guard, CORS), and its errors are rendered by the app's
own handlers, checked against the codes it declares (`ERRORS`) as a route's are. It is not in
the gateway's own OpenAPI document: the services' operations are, under `/api/<service>/`, in
the whole API's (`ladder.gateway.openapi`).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from urllib.parse import quote, quote_from_bytes

import httpx
from fastapi import FastAPI, Request
from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.responses import StreamingResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from ladder.gateway.clients import client_ip
from ladder.gateway.errors import RateLimited, UpstreamConnectionLost, UpstreamTimeout
from ladder.gateway.ratelimit import limit_rate
from ladder.gateway.upstreams import Answer, hop_for, upstream_failure
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

PREFIX = "/api/"
PATH = "/api/{service}/{path}"
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
# The proxy's operations, one per method (the permission matrix has a row for each).
ROUTES = tuple((method, PATH) for method in METHODS)
# Every error the proxy itself answers with (the services' own pass through as they are).
ERRORS = declare(
    Unauthenticated,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    UpstreamConnectionLost,
    ServiceUnavailable,
    UpstreamTimeout,
)

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

# RFC 9110 §7.6.1 hop-by-hop headers.
_HOP_BY_HOP = frozenset(
    {b"connection", b"keep-alive", b"transfer-encoding", b"te", b"trailer", b"upgrade", b"host"}
)
# Set here, or already dealt with (the body is buffered, so `Expect: 100-continue` is moot).
_SET_BY_GATEWAY = frozenset(
    {
        b"content-length",
        b"expect",
        b"x-request-id",
        b"x-forwarded-for",
        b"x-forwarded-proto",
        b"x-forwarded-prefix",
    }
)
_NOT_SENT_UP = _HOP_BY_HOP | _SET_BY_GATEWAY
# From the upstream answer: the gateway's own server, date and request id headers win.
_NOT_RELAYED = (_HOP_BY_HOP - {b"host"}) | {b"server", b"date", b"x-request-id"}
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
# A query goes up as the client wrote it; only what may not stand in one is percent-encoded.
_QUERY_SAFE = "!$&'()*+,;=:/?@[]%-._~"
_READS = frozenset({"GET", "HEAD", "OPTIONS"})

# Bodies up to this size are read before they are sent, so an idempotent request whose pooled
# connection turns out to be dead can be sent again. Larger (or chunked) bodies stream through
# as they arrive — a 14 MB evaluation batch never sits whole in the gateway — and are never
# sent twice.
REPLAYABLE_BODY_BYTES = 64 * 1024
# Answers up to this size (by their Content-Length) are read whole and sent in one message;
# larger or unsized ones stream.
BUFFERED_ANSWER_BYTES = 256 * 1024


def is_public(path: str, *, dev: bool = False) -> bool:
    return path in (DEV_PUBLIC_PATHS if dev else PUBLIC_PATHS) or path.startswith(PUBLIC_PREFIX)


def is_anonymous_entry(service: str, path: str) -> bool:
    """A route of `ANONYMOUS_PREFIXES`: reachable without a token."""
    return path.startswith(ANONYMOUS_PREFIXES.get(service, ()))


def install(app: FastAPI) -> None:
    """Serve `/api/<service>/<path>` ahead of `app`'s router: the innermost middleware (the
    middlewares added before or after it all run first), with the app's error handlers but
    for the catch-all of bugs, which `RequestContextMiddleware` answers and logs."""
    app.user_middleware.append(Middleware(_ProxyFirst, gateway=app))


class _Route:
    """What the kit's error handler reads of the route that raised (`check_declared`)."""

    path = PATH
    responses = ERRORS


class _ProxyFirst:
    def __init__(self, app: ASGIApp, *, gateway: FastAPI) -> None:
        self.app = app
        handlers = {
            key: handler
            for key, handler in gateway.exception_handlers.items()
            if key not in (500, Exception)
        }
        self.proxy = ExceptionMiddleware(forward, handlers=handlers)
        self.route = _Route()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        # `/api/<service>/…`; anything else under `/api` (no service segment) is the router's.
        if scope["type"] == "http" and path.startswith(PREFIX) and path.find("/", 5) > 5:
            scope["route"] = self.route
            await self.proxy(scope, receive, send)
        else:
            await self.app(scope, receive, send)


async def forward(scope: Scope, receive: Receive, send: Send) -> None:
    request = Request(scope, receive)
    method: str = scope["method"]
    if method not in METHODS:
        raise HTTPException(405, headers={"Allow": ", ".join(METHODS)})
    service, _, path = scope["path"][len(PREFIX) :].partition("/")
    hop = hop_for(request.app.state.upstreams, service)
    if hop is None:
        raise NotFound("没有该服务", "No such service", details={"service": service})
    _check_path(path)
    await _authenticate(request, service, path)

    target = "/" + quote(path, safe=_PATH_SAFE)
    query: bytes = scope.get("query_string", b"")
    if query:
        target += "?" + quote_from_bytes(query, safe=_QUERY_SAFE)
    body = await _RequestBody.of(request)
    headers = [*_sent_headers(scope), *body.length_header(), *_gateway_headers(request, service)]
    # Reads, PUT and DELETE are resent once by the transport itself (`RESENT_BY_TRANSPORT`);
    # a POST or PATCH only here, and only with an Idempotency-Key (the service dedupes it).
    resend = (
        body.replayable
        and method not in RESENT_BY_TRANSPORT
        and "idempotency-key" in request.headers
    )
    for attempt in (1, 2):
        try:
            answer = await hop.send(method, target, headers, body.content())
            break
        except httpx.TransportError as exc:
            if body.error is not None:  # the client's body broke (too large): not the service's
                raise body.error from exc
            if attempt == 1 and resend and fate(exc) == "lost":
                # The usual case: a pooled keep-alive connection the service had closed.
                log.info("%s: connection lost on %s %s, sending once more", service, method, path)
                continue
            log.warning("%s unreachable for %s %s: %r", service, method, path, exc)
            raise upstream_failure(service, exc) from exc

    relayed = _relayed_headers(answer.headers, hop.base_url, service)
    if _buffered(answer, method):
        try:
            content = await answer.read()
        except httpx.TransportError as exc:
            log.warning("%s: answer to %s %s cut off: %r", service, method, path, exc)
            raise upstream_failure(service, exc) from exc
        await send({"type": "http.response.start", "status": answer.status, "headers": relayed})
        await send({"type": "http.response.body", "body": content})
        return
    response = StreamingResponse(
        answer.chunks(), status_code=answer.status, background=BackgroundTask(answer.aclose)
    )
    response.raw_headers = relayed
    await response(scope, receive, send)


def _buffered(answer: Answer, method: str) -> bool:
    if answer.length is not None:
        return answer.length <= BUFFERED_ANSWER_BYTES or method == "HEAD"
    return method == "HEAD" or answer.status in (204, 304)  # no body to wait for


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


def _is_bearer(request: Request) -> bool:
    return request.headers.get("authorization", "").lower().startswith("bearer ")


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

    def content(self) -> bytes | AsyncIterator[bytes] | None:
        if self._data is not None:
            return self._data or None
        return self._stream()

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


def _sent_headers(scope: Scope) -> list[tuple[str, str]]:
    """The request's own headers, less hop-by-hop ones (and those the `Connection` header
    names) and those the gateway sets. Names arrive lower-cased (ASGI)."""
    raw: list[tuple[bytes, bytes]] = scope["headers"]
    drop = _NOT_SENT_UP
    for name, value in raw:
        if name == b"connection":
            drop = drop | {t.strip().lower() for t in value.split(b",")}
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, value in raw
        if name not in drop and not name.startswith(b"proxy-")
    ]


def _gateway_headers(request: Request, service: str) -> list[tuple[str, str]]:
    """The client address as the gateway determined it (`ladder.gateway.clients`), never a
    client-written chain; the request id; the scheme and prefix the client used."""
    return [
        ("x-request-id", request_id_var.get() or ""),
        ("x-forwarded-for", client_ip(request)),
        ("x-forwarded-proto", request.scope.get("scheme", "http")),
        ("x-forwarded-prefix", f"/api/{service}"),
    ]


def _relayed_headers(
    headers: Sequence[tuple[bytes, bytes]], upstream: httpx.URL, service: str
) -> list[tuple[bytes, bytes]]:
    drop = _NOT_RELAYED
    for name, value in headers:
        if name.lower() == b"connection":
            drop = drop | {t.strip().lower() for t in value.split(b",")}
    relayed = []
    for name, value in headers:
        lower = name.lower()
        if lower in drop or lower.startswith(b"proxy-"):
            continue
        if lower == b"location":
            location = _public_location(value.decode("latin-1"), upstream, service)
            value = location.encode("latin-1")
        relayed.append((lower, value))
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
