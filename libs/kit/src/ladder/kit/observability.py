"""JSON structured logs carrying the request id, and the middleware that sets it.

The request id comes from `X-Request-ID` (or is made), is echoed on the response, is attached
to every log record of the request, and is propagated by `ladder.kit.http` to other services.

An outage of something every request needs (the database) is logged as an outage, not once
per failed request: `OutageLog`.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pythonjsonlogger.json import JsonFormatter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ladder.kit.errors import INTERNAL_ERROR, error_body
from ladder.kit.negotiation import DEFAULT_LANGUAGE, localized, scope_language

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "ladder_request_id", default=None
)
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
access_log = logging.getLogger("ladder.access")
error_log = logging.getLogger("ladder.errors")


class _RequestIdFilter(logging.Filter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        record.service = self.service
        return True


# What must never be written to a log, whatever code logs it: mobile numbers (masked like the
# API masks them), bearer tokens, NUL characters; and the process's secrets (configured).
_MOBILE = re.compile(r"(?<![0-9A-Za-z])(1[3-9][0-9])[0-9]{4}([0-9]{4})(?![0-9A-Za-z])")
_TOKEN = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
_NUL = re.compile(r"\x00|\\u0000")


class RedactingFormatter(logging.Formatter):
    """Formats with `inner`, then removes personal data and secrets from the line. The code
    should not log them in the first place; this is the net under it (a library's exception
    message, a value inside a traceback)."""

    def __init__(self, inner: logging.Formatter, secrets: Sequence[str] = ()) -> None:
        super().__init__()
        self.inner = inner
        self.secrets = [s for s in secrets if len(s) >= 8]

    def format(self, record: logging.LogRecord) -> str:
        return redact(self.inner.format(record), self.secrets)


def redact(line: str, secrets: Sequence[str] = ()) -> str:
    for secret in secrets:
        line = line.replace(secret, "[secret]")
    line = _TOKEN.sub("[token]", line)
    line = _MOBILE.sub(r"\1****\2", line)
    return _NUL.sub("[NUL]", line)


def configure_logging(
    service: str, level: str = "INFO", json_format: bool = True, secrets: Sequence[str] = ()
) -> None:
    """Route every logger (ours, uvicorn's, sqlalchemy's) to one stdout handler, redacted."""
    handler = logging.StreamHandler(sys.stdout)
    inner: logging.Formatter
    if json_format:
        inner = JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(service)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    else:
        inner = logging.Formatter(
            "%(asctime)s %(levelname)s [%(service)s %(request_id)s] %(message)s"
        )
    handler.setFormatter(RedactingFormatter(inner, secrets))
    handler.addFilter(_RequestIdFilter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True


def new_request_id() -> str:
    return uuid.uuid4().hex


class RequestContextMiddleware:
    """Sets the request id, caps the body size, answers bugs, and writes one access log line
    per request.

    An exception no handler took (a bug) is answered here with the 500 `internal_error`
    envelope and logged once, with its traceback and the request id. Starlette's own catch-all
    (`ServerErrorMiddleware`, where an `Exception` handler runs) answers and then re-raises to
    the server, which logs the traceback again and drops the keep-alive connection without
    `Connection: close`; here the exception ends, and the connection serves the next request.
    Only an answer already started when the exception came cannot be replaced: that one is
    re-raised, so the server closes the connection on the cut-off body.

    `route_limits` raises (or lowers) the cap for some paths, so an upload route (a province's
    spreadsheet of self-assessments, a declaration's evidence files) can take a large file
    while every JSON route keeps the small default. A key is an exact path, or a regular
    expression matched against the whole path when it contains `{id}`-like parts, e.g.
    `/v1/declarations/[^/]+/attachments`.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int = 2 * 1024 * 1024,
        route_limits: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.route_limits = dict(route_limits or {})
        self._patterns = [
            (re.compile(path), limit)
            for path, limit in self.route_limits.items()
            if any(c in path for c in "[]()+*?\\")
        ]

    def _limit_for(self, path: str) -> int:
        exact = self.route_limits.get(path)
        if exact is not None:
            return exact
        for pattern, limit in self._patterns:
            if pattern.fullmatch(path):
                return limit
        return self.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        rid = incoming if _VALID_REQUEST_ID.match(incoming) else new_request_id()
        token = request_id_var.set(rid)
        began = time.perf_counter()
        status_holder = {"status": 500}
        started = False  # the answer's start was sent: it can no longer be replaced

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                status_holder["status"] = message["status"]
                headers = [*message.get("headers", []), (b"x-request-id", rid.encode())]
                # No answer is ever to be sniffed into another type (a stored file as HTML).
                if not any(k.lower() == b"x-content-type-options" for k, _ in headers):
                    headers.append((b"x-content-type-options", b"nosniff"))
                message["headers"] = headers
            await send(message)

        limit = self._limit_for(scope.get("path", ""))
        try:
            declared = headers.get(b"content-length")
            if declared is not None and declared.isdigit() and int(declared) > limit:
                await _send_too_large(send_with_id, limit, scope)
                return
            received = 0

            async def capped_receive() -> Message:
                nonlocal received
                message = await receive()
                if message["type"] == "http.request":
                    received += len(message.get("body", b""))
                    if received > limit:
                        raise _BodyTooLarge
                return message

            try:
                await self.app(scope, capped_receive, send_with_id)
            except _BodyTooLarge:
                await _send_too_large(send_with_id, limit, scope)
            except Exception:
                if started:
                    raise
                error_log.exception(
                    "unhandled error on %s %s",
                    scope.get("method"),
                    scope.get("path"),
                    extra={"request_id": rid},
                )
                await send_error(send_with_id, 500, INTERNAL_ERROR, scope=scope)
        finally:
            access_log.info(
                "%s %s %s",
                scope.get("method"),
                scope.get("path"),
                status_holder["status"],
                extra={
                    "method": scope.get("method"),
                    "path": scope.get("path"),
                    "status": status_holder["status"],
                    "duration_ms": round((time.perf_counter() - began) * 1000, 2),
                },
            )
            request_id_var.reset(token)


class OutageLog:
    """Logs an outage of `what` once, not once per failed request.

    The first failure is a WARNING naming the cause; while the outage lasts there is at most
    one summary line per `every_seconds`, with the count of failures since the last line; when
    `recovered()` is called (the dependency answered again) one INFO line closes it. A
    dependency that flaps is held to the same pace: an outage that starts within
    `every_seconds` of the last line is only counted, and so is its end.
    """

    def __init__(
        self,
        logger: logging.Logger,
        what: str,
        *,
        every_seconds: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.logger = logger
        self.what = what
        self.every_seconds = every_seconds
        self.clock = clock
        self.down_since: float | None = None
        self._announced = False  # whether this outage's start was logged
        self._last_line: float | None = None
        self._since_line = 0  # failures not yet reported
        self._total = 0  # failures in this outage

    @property
    def down(self) -> bool:
        return self.down_since is not None

    def _quiet(self, now: float) -> bool:
        return self._last_line is not None and now - self._last_line < self.every_seconds

    def failed(self, cause: BaseException) -> None:
        now = self.clock()
        if self.down_since is None:
            self.down_since, self._announced, self._total = now, False, 0
        self._total += 1
        self._since_line += 1
        if self._quiet(now):
            return
        extra = {"failures": self._since_line, "cause": describe_error(cause)}
        if not self._announced:
            self.logger.warning(
                "%s unavailable: %s; answering 503 until it is back",
                self.what,
                describe_error(cause),
                extra=extra,
            )
            self._announced = True
        else:
            self.logger.warning(
                "%s still unavailable after %.0f s: %d failed requests since the last line; "
                "last cause: %s",
                self.what,
                now - self.down_since,
                self._since_line,
                describe_error(cause),
                extra=extra,
            )
        self._last_line, self._since_line = now, 0

    def recovered(self) -> None:
        if self.down_since is None:
            return
        now = self.clock()
        if self._announced:
            self.logger.info(
                "%s available again after %.1f s; %d requests failed meanwhile",
                self.what,
                now - self.down_since,
                self._total,
                extra={"failures": self._total},
            )
            self._last_line, self._since_line = now, 0
        self.down_since, self._announced, self._total = None, False, 0


def describe_error(exc: BaseException) -> str:
    """`ConnectionRefusedError: [Errno 111] …` for the innermost cause, on one short line."""
    while exc.__cause__ is not None:
        exc = exc.__cause__
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = text[:200]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class _BodyTooLarge(Exception):
    pass


async def _send_too_large(send: Send, limit: int, scope: Scope) -> None:
    await send_error(
        send,
        413,
        error_body(
            "payload_too_large",
            f"请求体超过上限 {limit} 字节",
            f"Request body exceeds {limit} bytes",
            {"limit_bytes": limit},
        ),
        scope=scope,
    )


async def send_error(
    send: Send, status: int, body: dict[str, Any], *, scope: Scope | None = None
) -> None:
    """Answer with the error model from ASGI middleware (before any route runs), in the
    language the request in `scope` asks for (`ladder.kit.negotiation`; without a scope, the
    default)."""
    language = scope_language(scope) if scope is not None else DEFAULT_LANGUAGE
    raw = json.dumps(localized(body, language), ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(raw)).encode()),
                (b"content-language", language.encode()),
                (b"vary", b"Accept-Language"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": raw})
