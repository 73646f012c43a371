"""JSON structured logs carrying the request id, and the middleware that sets it.

The request id comes from `X-Request-ID` (or is made), is echoed on the response, is attached
to every log record of the request, and is propagated by `ladder.kit.http` to other services.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from pythonjsonlogger.json import JsonFormatter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ladder.kit.errors import error_body

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "ladder_request_id", default=None
)
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
access_log = logging.getLogger("ladder.access")


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
    """Sets the request id, caps the body size, and writes one access log line per request.

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
        started = time.perf_counter()
        status_holder = {"status": 500}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
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
                await _send_too_large(send_with_id, limit)
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
                await _send_too_large(send_with_id, limit)
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
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            request_id_var.reset(token)


class _BodyTooLarge(Exception):
    pass


async def _send_too_large(send: Send, limit: int) -> None:
    await send_error(
        send,
        413,
        error_body(
            "payload_too_large",
            f"请求体超过上限 {limit} 字节",
            f"Request body exceeds {limit} bytes",
            {"limit_bytes": limit},
        ),
    )


async def send_error(send: Send, status: int, body: dict[str, Any]) -> None:
    """Answer with the error model from ASGI middleware (before any route runs)."""
    raw = json.dumps(body, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(raw)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": raw})
