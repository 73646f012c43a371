"""Webhooks to other platforms, delivered by the outbox relay (one engine for internal events
and outside deliveries: `ladder.kit.outbox`).

A webhook is an outbox row whose destination is `webhook:<subscription id>` and whose payload
is the message body as the receiver gets it (`{"type", "version", "id", "timestamp",
"data"}`). The relay claims, orders (per subject), backs off with jitter and dead-letters it as
any row; `WebhookTransport` only sends it: one POST per row, signed per the Standard Webhooks
spec with the `standardwebhooks` library —

- `webhook-id`: the event's id, the same on every retry and replay (receivers dedupe on it);
- `webhook-timestamp`: the attempt's time (receivers refuse one older than 5 minutes);
- `webhook-signature`: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, with the previous
  secret's signature beside it while a rotated secret's overlap lasts.

Any answer but 2xx is a failure retried on the transport's schedule (`max_attempts`,
`max_backoff_seconds`), then dead-lettered; 410 Gone dead-letters at once (the receiver says
the endpoint is gone). Redirects are not followed; at most `MAX_ANSWER_BYTES` of an answer are
read. What each attempt got (status, error, time taken) is handed to `record` for the
subscription's delivery log.
"""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession
from standardwebhooks.webhooks import Webhook

from ladder.kit.outbox import Failure, Held, Outcome, Transport

PREFIX = "webhook:"
SECRET_PREFIX = "whsec_"  # noqa: S105  (the spec's prefix, not a secret)
SECRET_BYTES = 32
MAX_ANSWER_BYTES = 4096
USER_AGENT = "Ladder-Webhooks/1"
# Requests to one receiver at the same time (each of another subject).
MAX_PARALLEL_SENDS = 4
# How often a paused subscription's held rows are looked at again; resuming it makes them due
# at once (its owner's service wakes them), so this only bounds a missed wake-up.
PAUSED_RECHECK_SECONDS = 300.0


def new_secret() -> str:
    """A signing secret as Standard Webhooks writes them: `whsec_` + base64 of 32 random
    bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def destination(subscription_id: object) -> str:
    return f"{PREFIX}{subscription_id}"


def signature(secrets_: list[str], msg_id: str, at: datetime, body: str) -> str:
    """The `webhook-signature` header: one `v1,…` per secret, space-separated."""
    return " ".join(Webhook(s).sign(msg_id, at.astimezone(UTC), body) for s in secrets_)


@dataclass(frozen=True)
class Target:
    """Where and how one subscription's messages go: its URL and the secrets that sign them
    (the current one first; a rotated-out one beside it while its overlap lasts)."""

    url: str
    secrets: tuple[str, ...]
    paused: bool = False
    """Paused by its owner: nothing is sent, what is queued is held (`outbox.Held`)."""


@dataclass(frozen=True)
class Attempt:
    """One try of one row, for the subscription's delivery log."""

    outbox_id: int
    destination: str
    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int


Resolve = Callable[[AsyncSession, list[str]], Awaitable[dict[str, Target | None]]]
"""Destinations → their targets (None: the subscription is gone or disabled)."""
Record = Callable[[AsyncSession, list[Attempt]], Awaitable[None]]


class WebhookTransport(Transport):
    """Signed POSTs to the subscribers' URLs (see the module docstring)."""

    def __init__(
        self,
        *,
        resolve: Resolve,
        record: Record,
        client: httpx.AsyncClient,
        max_attempts: int,
        max_backoff_seconds: float,
    ) -> None:
        self.resolve = resolve
        self.record_attempts = record
        self.client = client
        self.max_attempts = max(1, max_attempts)
        self.max_backoff_seconds = max_backoff_seconds
        self._targets: dict[str, Target | None] = {}
        self._attempts: dict[str, list[Attempt]] = {}

    async def prepare(self, session: AsyncSession, destinations: list[str]) -> None:
        self._targets = await self.resolve(session, destinations)
        self._attempts = {d: [] for d in destinations}

    async def deliver(self, destination: str, rows: list[Any]) -> list[Outcome]:
        """Every row side by side (the relay hands over at most one row per subject at a
        time: `ladder.kit.outbox._in_rounds`)."""
        target = self._targets.get(destination)
        if target is None:
            gone = Failure("the subscription is disabled or deleted", permanent=True, final=True)
            return [gone] * len(rows)
        if target.paused:
            return [Held(PAUSED_RECHECK_SECONDS)] * len(rows)
        gate = asyncio.Semaphore(MAX_PARALLEL_SENDS)

        async def send(row: Any) -> Outcome:
            async with gate:
                return await self._send(destination, target, row)

        return list(await asyncio.gather(*(send(row) for row in rows)))

    async def _send(self, destination: str, target: Target, row: Any) -> Outcome:
        body = json.dumps(row["payload"], ensure_ascii=False, separators=(",", ":"))
        msg_id = str(row["event_id"])
        at = datetime.now(UTC)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "webhook-id": msg_id,
            "webhook-timestamp": str(int(at.timestamp())),
            "webhook-signature": signature(list(target.secrets), msg_id, at, body),
        }
        started = time.perf_counter()
        status: int | None = None
        error: str | None = None
        try:
            async with self.client.stream(
                "POST", target.url, content=body.encode(), headers=headers
            ) as resp:
                status = resp.status_code
                read = 0
                async for chunk in resp.aiter_bytes():
                    read += len(chunk)
                    if read >= MAX_ANSWER_BYTES:
                        break
        except Exception as exc:  # any failure to deliver is retried on the schedule
            error = f"{type(exc).__name__}: {str(exc)[:200]}"
        duration = int((time.perf_counter() - started) * 1000)
        if status is not None and not 200 <= status < 300:
            error = f"HTTP {status}"
        self._attempts.setdefault(destination, []).append(
            Attempt(row["id"], destination, at, status, error, duration)
        )
        if error is None:
            return None
        return Failure(error, permanent=status == 410, final=status == 410)

    async def record(
        self, session: AsyncSession, destination: str, rows: list[Any], outcomes: list[Outcome]
    ) -> None:
        attempts = self._attempts.pop(destination, [])
        if attempts:
            await self.record_attempts(session, attempts)

    async def aclose(self) -> None:
        await self.client.aclose()


def external_client(
    *, connect_timeout: float = 5.0, read_timeout: float = 10.0
) -> httpx.AsyncClient:
    """The client for outside receivers: short timeouts, no redirects, no cookies kept, no
    proxy from the environment."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
        follow_redirects=False,
        trust_env=False,
        limits=httpx.Limits(max_connections=50, max_keepalive_connections=10),
    )
