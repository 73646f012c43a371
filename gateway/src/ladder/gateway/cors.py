"""CORS at the gateway: a browser app on another origin (the public portal) may call Ladder.

The origins allowed are a list in the settings (`LADDER_CORS_ORIGINS`; none in production
unless set, the dev portal's in dev and test). The gateway is the only process that speaks
CORS, and this middleware is its outermost one (`install_cors`, last in `create_app`), so:

- a preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) is answered here
  and never reaches the token check, the proxy or GraphQL: 204 with
  `Access-Control-Allow-Origin` (the origin itself), `-Allow-Methods`, `-Allow-Headers`
  (`ALLOWED_HEADERS`) and `-Max-Age` when the origin, the method and every requested header
  are allowed; otherwise 403 `cors_refused` in the error envelope (its reason in `details`,
  for whoever reads the browser's network panel) without any CORS header;
- every other answer to an allowed origin — errors too (401, 413, 429, 503…: a browser hides
  an answer without CORS headers from the page, which then cannot tell "sign in again" from
  "retry later") — carries `Access-Control-Allow-Origin` and `-Expose-Headers`
  (`EXPOSED_HEADERS`: what the portal reads, ETag for If-Match, Location, Retry-After,
  X-Request-Id, Content-Disposition, Content-Language). An origin not in the list gets no
  CORS header at all; while the list is not empty every answer says `Vary: Origin`;
- `Access-Control-*` headers from a service's answer are dropped: the list here is the only
  one.

No credentials (`Access-Control-Allow-Credentials` is never sent): Ladder's clients carry a
bearer token in `Authorization`, which CORS allows as a listed request header without
credentials mode, and Ladder sets no cookies. A browser app calls with `fetch`'s default
`credentials: "same-origin"` (or `"omit"`), never `"include"`.

Starlette's `CORSMiddleware` is not used: it answers a preflight 200 (and a refused one 400
with the allowed methods and headers), and it adds `Access-Control-Expose-Headers` to
answers for origins it does not allow.
"""

from __future__ import annotations

import re
from typing import ClassVar

from fastapi import FastAPI
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ladder.gateway.settings import GatewaySettings
from ladder.kit.errors import Forbidden
from ladder.kit.negotiation import add_vary
from ladder.kit.observability import send_error

ALLOWED_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
ALLOWED_HEADERS = (
    "Authorization",
    "Content-Type",
    "Idempotency-Key",
    "If-Match",
    "If-None-Match",
    "Accept-Language",
    "X-Request-Id",
)
EXPOSED_HEADERS = (
    "ETag",
    "Location",
    "Retry-After",
    "X-Request-Id",
    "Content-Disposition",
    "Content-Language",
)
# How long a browser may keep a preflight's answer: a change of the list reaches browsers
# within ten minutes (Chromium caps it at two hours anyway).
MAX_AGE_SECONDS = 600
_PREFLIGHT_VARY = ("Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers")
_ALLOWED_LOWER = frozenset(h.lower() for h in ALLOWED_HEADERS)
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9a-z-]{1,64}")  # RFC 9110 §5.6.2, lower-cased


class CorsRefused(Forbidden):
    """A preflight the allow-list does not cover (the origin, the method or a header)."""

    code: ClassVar[str] = "cors_refused"
    message: ClassVar[str] = "跨域请求未获允许"
    message_en: ClassVar[str] = "This cross-origin request is not allowed"


class CorsMiddleware:
    """See the module docstring. `origins` are serialized origins (`https://host[:port]`),
    compared with the request's `Origin` exactly, as browsers send it."""

    def __init__(self, app: ASGIApp, *, origins: tuple[str, ...]) -> None:
        self.app = app
        self.origins = frozenset(origins)
        self._preflight_headers = [
            (b"access-control-allow-methods", ", ".join(ALLOWED_METHODS).encode()),
            (b"access-control-allow-headers", ", ".join(ALLOWED_HEADERS).encode()),
            (b"access-control-max-age", str(MAX_AGE_SECONDS).encode()),
            (b"vary", ", ".join(_PREFLIGHT_VARY).encode()),
        ]
        self._exposed = ", ".join(EXPOSED_HEADERS)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if (
            scope["method"] == "OPTIONS"
            and origin is not None
            and "access-control-request-method" in headers
        ):
            await self._preflight(scope, headers, origin, send)
            return
        if not self.origins:
            await self.app(scope, receive, send)
            return
        allowed = origin if origin in self.origins else None

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer = MutableHeaders(scope=message)
                for name in {k for k in answer.keys() if k.startswith("access-control-")}:
                    del answer[name]
                add_vary(answer, "Origin")
                if allowed is not None:
                    answer["Access-Control-Allow-Origin"] = allowed
                    answer["Access-Control-Expose-Headers"] = self._exposed
            await send(message)

        await self.app(scope, receive, send_with_cors)

    async def _preflight(self, scope: Scope, headers: Headers, origin: str, send: Send) -> None:
        refusal = self._refusal(headers, origin)
        if refusal is not None:

            async def send_with_vary(message: Message) -> None:
                if message["type"] == "http.response.start":
                    add_vary(MutableHeaders(scope=message), *_PREFLIGHT_VARY)
                await send(message)

            await send_error(send_with_vary, 403, refusal.body(), scope=scope)
            return
        await send(
            {
                "type": "http.response.start",
                "status": 204,
                "headers": [
                    (b"access-control-allow-origin", origin.encode("latin-1")),
                    *self._preflight_headers,
                ],
            }
        )
        await send({"type": "http.response.body", "body": b""})

    def _refusal(self, headers: Headers, origin: str) -> CorsRefused | None:
        if origin not in self.origins:
            return CorsRefused(details={"reason": "origin_not_allowed"})
        # Compared as sent: the Fetch standard upper-cases only the methods it knows, so a
        # `patch` is not PATCH (and the request would be refused as sent).
        if headers["access-control-request-method"] not in ALLOWED_METHODS:
            return CorsRefused(details={"reason": "method_not_allowed"})
        requested = headers.get("access-control-request-headers", "")
        for name in (n.strip().lower() for n in requested.split(",")):
            if name and name not in _ALLOWED_LOWER:
                details = {"reason": "header_not_allowed"}
                if _TOKEN.fullmatch(name):  # a name, never anything else the client wrote
                    details["header"] = name
                return CorsRefused(details=details)
        return None


def install_cors(app: FastAPI, settings: GatewaySettings) -> None:
    """Make CORS the outermost middleware of `app`: call it after every other
    `add_middleware` (Starlette runs the last added first)."""
    app.add_middleware(CorsMiddleware, origins=settings.cors_allowed_origins)
