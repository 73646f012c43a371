"""What a failed call to another process tells: was the request sent, or not?

Ladder's HTTP clients run httpx over aiohttp's pool (`ladder.kit.http.make_client`). Its
exception mapping turns every aiohttp connection error into `httpx.ConnectTimeout` — among
them `ServerDisconnectedError`, which is what a pooled keep-alive connection the server closed
raises *after the request was written*. Taking that for "could not connect" answers 503 (safe
to retry) for a request that may have committed (issue 12, item 4). `fate()` reads the aiohttp
cause under the httpx exception instead:

- `not_sent` — no connection was made (refused, unreachable, connect or pool timeout): the
  callee saw nothing, a retry is always safe;
- `lost` — the connection broke after the request was (or may have been) written: the callee
  may have acted on it; only an idempotent request may be retried;
- `timeout` — sent, and no answer in the read bound: the callee may still be working on it.
"""

from __future__ import annotations

from typing import Literal

import aiohttp
import httpx

Fate = Literal["not_sent", "lost", "timeout"]

# The methods aiohttp itself sends once more when the connection is lost (RFC 9112 §9.3.1
# allows it for idempotent methods; `aiohttp.client.IDEMPOTENT_METHODS`). A caller adds its
# own resend only for the others, and only when the request carries an Idempotency-Key.
# Ladder's PUT and DELETE routes all take If-Match, so a resent one that had been applied is
# answered 412, never applied twice.
RESENT_BY_TRANSPORT = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})


def fate(exc: httpx.TransportError) -> Fate:
    cause = exc.__cause__
    if isinstance(cause, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError):
        return "not_sent"
    if isinstance(cause, aiohttp.ServerTimeoutError):  # SocketTimeoutError: a read timeout
        return "timeout"
    if isinstance(cause, aiohttp.ClientError | OSError):
        return "lost"  # ServerDisconnected, a reset, a payload cut short
    # A plain httpx transport (tests, other clients): its own classes say it.
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return "not_sent"
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    return "lost"
