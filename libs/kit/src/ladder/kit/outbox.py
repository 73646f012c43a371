"""The transactional outbox and inbox that carry events between services.

Writing side: `publish()` inserts one outbox row per destination in the caller's transaction,
so an event exists if and only if the change that caused it committed. A relay task in the
same process claims due rows with `FOR UPDATE SKIP LOCKED` (several replicas never send one row
at the same time) and POSTs them to the destination's `/internal/events/batch` in batches
capped by count and by serialised size (`max_batch_bytes`, well below the consumers' 2 MiB body
cap; an event larger than that goes alone). Nothing is lost and nothing is stuck silently:

- a batch answered 4xx (413 too large, 422 malformed, …) is bisected until the failing events
  are isolated, so the others are delivered in the same pass;
- a failure backs off exponentially with jitter, computed on the database's clock (`now()`),
  so replicas and consumers that recover do not see every retry arrive in step;
- an event is dead-lettered (`dead_at`, with `attempts` and `last_error`) when a failure
  leaves it tried `max_permanent_attempts` times and that failure was permanent (4xx, rejected
  by the consumer), or `max_transient_attempts` times whatever the failure (connection errors,
  5xx, 401/403/408/429: a consumer that is down). `attempts` counts every try, so an event
  that waited through an outage and is then rejected is not given five more tries — it then
  waits for an operator (`ladder.kit.outbox_ops`: read API, replay, `tools/outbox.py`);
- the first failure of an event and its dead-lettering are logged at WARNING (ids, topic,
  destination and the error code — never the payload, which carries enterprise data), and
  a relay pass that fails (the database is down) is logged once, then summarised once a minute.

A consumer without the batch route (404/405, an older release mid-upgrade) gets the events one
by one on `/internal/events`.

Receiving side: `events_router()` dedupes by event id in an inbox table inside the handler's
transaction, so redelivery is harmless (at-least-once delivery, exactly-once effect). Each
event of a batch is validated on its own: one that breaks the `Event` model (a payload that is
not an object) is answered "rejected" and the rest go through. A batch is tried whole under one
savepoint; when an event fails it is redone with a savepoint per event, so the rejected one is
answered as such and rolls back alone, the others are kept.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

import httpx
from fastapi import APIRouter
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    Uuid,
    func,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.kit.auth import Principal, ServicePrincipalDep
from ladder.kit.db import Database, SessionDep
from ladder.kit.errors import LadderError, declare, validation_details
from ladder.kit.observability import request_id_var

log = logging.getLogger("ladder.outbox")


_LIVE_ORDERED = "delivered_at IS NULL AND dead_at IS NULL AND subject IS NOT NULL"


def outbox_table(metadata: MetaData, schema: str) -> Table:
    """One row per (event, destination). States: pending (`attempts` 0), retrying
    (`attempts` > 0), delivered (`delivered_at`), dead (`dead_at`: waits for a replay)."""
    return Table(
        "outbox",
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("event_id", Uuid, nullable=False),
        Column("topic", Text, nullable=False),
        Column("destination", Text, nullable=False),
        Column("payload", JSONB, nullable=False),
        Column("request_id", Text),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("available_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("attempts", Integer, nullable=False, server_default=text("0")),
        Column("last_error", Text),
        Column("delivered_at", DateTime(timezone=True)),
        # When the last attempt failed; `dead_at` when the relay gave up (see OutboxRelay).
        Column("last_attempt_at", DateTime(timezone=True)),
        Column("dead_at", DateTime(timezone=True)),
        # How often an operator replayed the row (a replay keeps `last_error` as history).
        Column("replays", Integer, nullable=False, server_default=text("0")),
        # The ordering key (issue 16): rows of one destination with the same subject (a
        # declaration, a list) are delivered one after another, in id order; None: unordered.
        Column("subject", Text),
        Index(None, "event_id", "destination", unique=True),
        Index(
            "ix_outbox_due",
            "available_at",
            postgresql_where=text("delivered_at IS NULL AND dead_at IS NULL"),
        ),
        # Readiness detail and the read API: undelivered (live or dead) rows per destination.
        Index(
            "ix_outbox_undelivered",
            "destination",
            "id",
            postgresql_where=text("delivered_at IS NULL"),
        ),
        # The head of each subject's queue (`OutboxRelay._in_subject_order`).
        Index(
            "ix_outbox_subject",
            "destination",
            "subject",
            "id",
            postgresql_where=text(_LIVE_ORDERED),
        ),
        schema=schema,
    )


def inbox_table(metadata: MetaData, schema: str) -> Table:
    return Table(
        "inbox",
        metadata,
        Column("event_id", Uuid, primary_key=True),
        Column("topic", Text, nullable=False),
        Column("source", Text, nullable=False),
        Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        schema=schema,
    )


class Event(BaseModel):
    """What travels between services."""

    event_id: uuid.UUID
    topic: str = Field(max_length=200)
    source: str = Field(max_length=100)
    occurred_at: datetime
    payload: dict[str, Any]
    request_id: str | None = Field(
        default=None,
        max_length=200,
        description="the request that caused the event (batches carry it per event)",
    )


# The most events one batch request may carry (the relay claims at most this many per pass).
MAX_BATCH = 200
# The most bytes of JSON the relay puts in one batch request: half the consumers' 2 MiB body
# cap (`KitSettings.max_body_bytes`), leaving room for the envelope. A larger event goes alone.
MAX_BATCH_BYTES = 1024 * 1024
# Dead-letter bounds. A permanent failure (the consumer answered 4xx or rejected the event)
# will not heal by itself, but a few tries cover a consumer mid-deploy; a transient one
# (connection refused, 5xx) is a consumer that is down: ~24 h of tries at the 30 s backoff cap.
MAX_PERMANENT_ATTEMPTS = 5
MAX_TRANSIENT_ATTEMPTS = 2880
# Answers that say nothing about the events themselves: retried, never bisected.
_TRANSIENT_4XX = frozenset({401, 403, 408, 425, 429})


class EventBatch(BaseModel):
    """A batch as it arrives: each item is checked against `Event` on its own (a malformed one
    is answered "rejected" in the results; the others are handled)."""

    events: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=MAX_BATCH,
        description="events (each an `Event`: event_id, topic, source, occurred_at, payload)",
    )


async def publish(
    session: AsyncSession,
    table: Table,
    *,
    topic: str,
    payload: BaseModel | dict[str, Any],
    destinations: list[str],
    event_id: uuid.UUID | None = None,
    subject: str | None = None,
) -> uuid.UUID:
    """Queue an event for each destination in the caller's transaction. `payload` is the
    topic's contract model (`ladder.contracts`), stored as its JSON with the fields the
    producer set (an unset optional field is absent; the consumer's model defaults it).
    With a `subject`, each destination gets the subject's events in the order they were
    queued (a later one waits while an earlier one is retried)."""
    eid = event_id or uuid.uuid4()
    payload = payload_json(payload)
    rid = request_id_var.get()
    await session.execute(
        insert(table),
        [
            {
                "event_id": eid,
                "topic": topic,
                "destination": dest,
                "payload": payload,
                "request_id": rid,
                "subject": subject,
            }
            for dest in destinations
        ],
    )
    return eid


def payload_json(payload: BaseModel | dict[str, Any]) -> dict[str, Any]:
    """A payload as it is stored and sent: a model's JSON with the fields its producer set."""
    if isinstance(payload, BaseModel):
        return payload.model_dump(mode="json", exclude_unset=True)
    return payload


Resolver = Callable[[str], httpx.AsyncClient]


@dataclass(frozen=True)
class Failure:
    """Why one row was not delivered; `permanent` when retrying the same bytes cannot help;
    `final` when no retry may be made at all (the destination is gone: dead-lettered now)."""

    error: str
    permanent: bool
    final: bool = False


class _Skipped:
    """A row left untried in this pass (it waits behind an earlier row of its subject)."""

    def __repr__(self) -> str:
        return "SKIPPED"


SKIPPED = _Skipped()


@dataclass(frozen=True)
class Held:
    """A row not tried because its destination does not take deliveries now (a paused
    webhook subscription): no attempt is counted; it is due again after `seconds` (or when
    the destination's owner wakes it), and the rows of its subject wait with it."""

    seconds: float


Outcome = Failure | _Skipped | Held | None
"""None: delivered; a `Failure`: tried and failed; `SKIPPED`: not tried (no attempt counted);
`Held`: not tried, due again later (no attempt counted)."""


class Transport:
    """How the relay hands rows to one kind of destination. The relay claims, orders,
    backs off and dead-letters; a transport only sends. `prepare` and `record` run in the
    relay's transaction (before and after the sending); `deliver` must not use it, since
    destinations are sent to concurrently.

    `max_attempts` / `max_backoff_seconds` replace the relay's bounds for this transport's
    rows (an outside platform gets a schedule of its own); None keeps the relay's."""

    max_attempts: int | None = None
    max_backoff_seconds: float | None = None

    async def prepare(self, session: AsyncSession, destinations: list[str]) -> None:
        """Look up what `deliver` needs (e.g. a subscription's URL and secret)."""

    async def deliver(self, destination: str, rows: list[Any]) -> list[Outcome]:
        raise NotImplementedError

    async def record(
        self, session: AsyncSession, destination: str, rows: list[Any], outcomes: list[Outcome]
    ) -> None:
        """Keep what the transport wants to keep of the pass (e.g. each attempt)."""

    async def aclose(self) -> None:
        """Release what the transport holds (its HTTP client) when the process stops."""


class ServiceTransport(Transport):
    """To another Ladder service: `/internal/events/batch`, in batches capped by count and
    bytes, bisected on a 4xx about their content (see the module docstring)."""

    def __init__(
        self, *, source: str, client_for: Resolver, batch_size: int, max_batch_bytes: int
    ) -> None:
        self.source = source
        self.client_for = client_for
        self.batch_size = batch_size
        self.max_batch_bytes = max_batch_bytes

    def _event(self, row: Any) -> dict[str, Any]:
        return {
            "event_id": str(row["event_id"]),
            "topic": row["topic"],
            "source": self.source,
            "occurred_at": row["created_at"].isoformat(),
            "payload": row["payload"],
            "request_id": row["request_id"],
        }

    def _chunks(self, rows: list[Any]) -> list[list[tuple[Any, bytes]]]:
        """Rows in order, cut into batches of at most `batch_size` events and
        `max_batch_bytes` bytes of JSON (an event larger than that is a batch of its own)."""
        chunks: list[list[tuple[Any, bytes]]] = []
        current: list[tuple[Any, bytes]] = []
        size = 0
        for row in rows:
            body = _dumps(self._event(row))
            if current and (
                size + len(body) + 1 > self.max_batch_bytes or len(current) >= self.batch_size
            ):
                chunks.append(current)
                current, size = [], 0
            current.append((row, body))
            size += len(body) + 1
        if current:
            chunks.append(current)
        return chunks

    async def deliver(self, destination: str, rows: list[Any]) -> list[Outcome]:
        """Each row's outcome, in order. A transient failure (the consumer is down) is
        recorded for the rows not yet sent too: one refused connection per pass is enough."""
        outcomes: list[Outcome] = []
        for chunk in self._chunks(rows):
            last = outcomes[-1] if outcomes else None
            if isinstance(last, Failure) and not last.permanent:
                outcomes.extend([last] * len(chunk))
                continue
            outcomes.extend(await self._send_batch(destination, chunk))
        return outcomes

    async def _send_batch(self, destination: str, chunk: list[tuple[Any, bytes]]) -> list[Outcome]:
        """One batch request; on a 4xx about the batch's content it is split in halves until
        the failing events stand alone (the others are delivered on the way)."""
        content = b'{"events":[' + b",".join(body for _, body in chunk) + b"]}"
        try:
            client = self.client_for(destination)
            resp = await client.post(
                "/internal/events/batch",
                content=content,
                headers={"Content-Type": "application/json"},
            )
        except Exception as exc:  # any failure to deliver is retried later
            return [Failure(f"{type(exc).__name__}: {str(exc)[:200]}", False)] * len(chunk)
        status = resp.status_code
        if status in (404, 405):
            return [await self._send_one(row, body) for row, body in chunk]
        if 400 <= status < 500 and status not in _TRANSIENT_4XX:
            if len(chunk) > 1:
                half = len(chunk) // 2
                first = await self._send_batch(destination, chunk[:half])
                return first + await self._send_batch(destination, chunk[half:])
            return [Failure(_describe(resp), True)]
        if status >= 300:
            return [Failure(_describe(resp), False)] * len(chunk)
        try:
            acks = {a["event_id"]: a for a in resp.json()["results"]}
        except (ValueError, KeyError, TypeError) as exc:
            return [Failure(f"unreadable batch answer: {exc}", False)] * len(chunk)
        outcomes: list[Outcome] = []
        for row, _ in chunk:
            ack = acks.get(str(row["event_id"]))
            if ack is None:
                outcomes.append(Failure("missing from the batch answer", False))
            elif ack.get("status") == "rejected":
                error = ack.get("error") or {}
                code = error.get("status") if isinstance(error, dict) else None
                permanent = isinstance(code, int) and code < 500
                outcomes.append(Failure(f"rejected: {_error_summary(error)}", permanent))
            else:
                outcomes.append(None)
        return outcomes

    async def _send_one(self, row: Any, body: bytes) -> Outcome:
        headers = {"Content-Type": "application/json"}
        if row["request_id"]:
            headers["X-Request-ID"] = row["request_id"]
        try:
            client = self.client_for(row["destination"])
            resp = await client.post("/internal/events", content=body, headers=headers)
        except Exception as exc:  # any failure to deliver is retried later
            return Failure(f"{type(exc).__name__}: {str(exc)[:200]}", False)
        status = resp.status_code
        if status >= 300:
            permanent = 400 <= status < 500 and status not in _TRANSIENT_4XX
            return Failure(_describe(resp), permanent)
        return None


async def _in_rounds(transport: Transport, destination: str, rows: list[Any]) -> list[Outcome]:
    """Send one destination's rows in rounds: the first holds every unordered row and the
    first row of each subject, the next the second row of each subject still going, and so
    on. A subject whose row failed stops there: its later rows are `SKIPPED` (not tried)."""
    rounds: list[list[Any]] = [[]]
    depth: dict[str, int] = {}
    for row in rows:
        subject = row["subject"]
        k = 0 if subject is None else depth.get(subject, 0)
        if subject is not None:
            depth[subject] = k + 1
        if k == len(rounds):
            rounds.append([])
        rounds[k].append(row)
    outcomes: dict[int, Outcome] = {}
    stopped: set[str] = set()
    for batch in rounds:
        batch = [r for r in batch if r["subject"] is None or r["subject"] not in stopped]
        if not batch:
            break
        for row, outcome in zip(batch, await transport.deliver(destination, batch), strict=True):
            outcomes[row["id"]] = outcome
            if outcome is not None and row["subject"] is not None:
                stopped.add(row["subject"])
    return [outcomes.get(row["id"], SKIPPED) for row in rows]


def backoff_seconds(attempts: int, max_backoff: float, rng: random.Random | None = None) -> float:
    """Delay before the next try after `attempts` failures: exponential (0.5 s · 2^n, capped
    at `max_backoff`) with "equal jitter" — uniformly in [half, whole] of it, so rows that
    failed together spread out while the wait still grows."""
    base = min(max_backoff, 0.5 * (2 ** min(attempts, 20)))
    return (rng or random).uniform(base / 2, base)


# Destinations sent to at the same time in one pass (each its own HTTP exchanges).
MAX_PARALLEL_DESTINATIONS = 8


class OutboxRelay:
    """Delivers due outbox rows; run one per process (replicas are safe together).

    A destination goes to the first transport whose prefix it starts with (`transports`,
    e.g. `webhook:` for outside platforms), else to another Ladder service. Rows with a
    `subject` are delivered in order per (destination, subject): only the head of that queue
    and the rows right behind it are sent, one after another, and a failure holds the rest
    back until it is delivered or dead-lettered (a dead letter no longer holds them; its
    replay arrives later, out of order — the event's own timestamp says when it happened)."""

    # A failing pass (database down) is logged once, then at most this often.
    FAILURE_SUMMARY_SECONDS = 60.0

    def __init__(
        self,
        db: Database,
        table: Table,
        *,
        source: str,
        client_for: Resolver,
        poll_seconds: float = 0.5,
        batch_size: int = MAX_BATCH,
        max_backoff_seconds: float = 30.0,
        max_batch_bytes: int = MAX_BATCH_BYTES,
        max_permanent_attempts: int = MAX_PERMANENT_ATTEMPTS,
        max_transient_attempts: int = MAX_TRANSIENT_ATTEMPTS,
        transports: Mapping[str, Transport] | None = None,
    ) -> None:
        self.db = db
        self.table = table
        self.source = source
        self.poll_seconds = poll_seconds
        # One pass claims at most this many rows; a consumer refuses more than MAX_BATCH.
        self.batch_size = max(1, min(batch_size, MAX_BATCH))
        self.max_backoff = max_backoff_seconds
        self.max_permanent_attempts = max(1, max_permanent_attempts)
        self.max_transient_attempts = max(1, max_transient_attempts)
        self.services = ServiceTransport(
            source=source,
            client_for=client_for,
            batch_size=self.batch_size,
            max_batch_bytes=max(1, max_batch_bytes),
        )
        self.transports = dict(transports or {})
        self._wake = asyncio.Event()
        self._stopping = False
        self._failed_passes = 0
        self._last_summary = 0.0

    def transport_for(self, destination: str) -> Transport:
        for prefix, transport in self.transports.items():
            if destination.startswith(prefix):
                return transport
        return self.services

    def wake(self) -> None:
        self._wake.set()

    async def run_forever(self) -> None:
        while not self._stopping:
            try:
                sent = await self.deliver_due()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._pass_failed(exc)
                sent = 0
            else:
                self._pass_succeeded()
            if sent < self.batch_size:
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
                except TimeoutError:
                    pass

    def _pass_failed(self, exc: Exception) -> None:
        """A pass that could not run (the database is unreachable): the first with its
        traceback, then one summary line a minute — not a traceback every poll."""
        self._failed_passes += 1
        now = time.monotonic()
        if self._failed_passes == 1:
            self._last_summary = now
            log.warning("outbox relay pass failed; retrying every %.1f s", self.poll_seconds,
                        exc_info=exc)  # fmt: skip
        elif now - self._last_summary >= self.FAILURE_SUMMARY_SECONDS:
            self._last_summary = now
            log.warning("outbox relay still failing: %d passes failed so far, last: %s: %s",
                        self._failed_passes, type(exc).__name__, str(exc)[:200])  # fmt: skip

    def _pass_succeeded(self) -> None:
        if self._failed_passes:
            log.warning("outbox relay recovered after %d failed passes", self._failed_passes)
            self._failed_passes = 0

    async def deliver_due(self) -> int:
        """One pass: claim due rows, keep each subject's in order, send each destination its
        share through its transport (destinations in parallel), record every row's outcome.
        Returns rows delivered."""
        t = self.table
        async with self.db.transaction() as session:
            rows = (
                (
                    await session.execute(
                        select(t)
                        .where(
                            t.c.delivered_at.is_(None),
                            t.c.dead_at.is_(None),
                            t.c.available_at <= func.now(),
                        )
                        .order_by(t.c.id)
                        .limit(self.batch_size)
                        .with_for_update(skip_locked=True)
                    )
                )
                .mappings()
                .all()
            )
            rows = await self._in_subject_order(session, rows)
            by_destination: dict[str, list[Any]] = {}
            for row in rows:
                by_destination.setdefault(row["destination"], []).append(row)
            by_transport: dict[int, tuple[Transport, list[str]]] = {}
            for destination in by_destination:
                transport = self.transport_for(destination)
                by_transport.setdefault(id(transport), (transport, []))[1].append(destination)
            for transport, destinations in by_transport.values():
                await transport.prepare(session, destinations)
            gate = asyncio.Semaphore(MAX_PARALLEL_DESTINATIONS)

            async def send(destination: str, due: list[Any]) -> list[Outcome]:
                async with gate:
                    return await _in_rounds(self.transport_for(destination), destination, due)

            results = await asyncio.gather(*(send(d, due) for d, due in by_destination.items()))
            done: list[int] = []
            for (destination, due), outcomes in zip(by_destination.items(), results, strict=True):
                transport = self.transport_for(destination)
                waits: dict[str, float] = {}  # subject → the delay of its failed head
                for row, outcome in zip(due, outcomes, strict=True):
                    if outcome is None:
                        done.append(row["id"])
                    elif isinstance(outcome, Failure):
                        delay = await self._record_failure(session, row, outcome, transport)
                        if row["subject"] is not None:
                            waits[row["subject"]] = delay
                    elif isinstance(outcome, Held):
                        await self._postpone(session, [row["id"]], outcome.seconds)
                        if row["subject"] is not None:
                            waits[row["subject"]] = outcome.seconds
                held = [(r["id"], waits[r["subject"]]) for r, o in zip(due, outcomes, strict=True)
                        if o is SKIPPED and r["subject"] in waits]  # fmt: skip
                for row_id, delay in held:  # they wait with their head
                    await self._postpone(session, [row_id], delay)
                await transport.record(session, destination, due, outcomes)
            if done:
                await session.execute(
                    update(t).where(t.c.id.in_(done)).values(delivered_at=func.now())
                )
        return len(done)

    async def _postpone(self, session: AsyncSession, ids: list[int], seconds: float) -> None:
        t = self.table
        await session.execute(
            update(t)
            .where(t.c.id.in_(ids))
            .values(available_at=func.now() + timedelta(seconds=seconds))
        )

    async def _in_subject_order(self, session: AsyncSession, rows: list[Any]) -> list[Any]:
        """The claimed rows that may go now: every row without a subject; of a subject's
        queue (per destination), the head and the claimed rows right behind it. A row that
        waits behind a head backing off is made due with that head (so waiting rows are not
        claimed again on every pass, crowding out the rest)."""
        ordered = [r for r in rows if r["subject"] is not None]
        if not ordered:
            return rows
        t = self.table
        keys = {(r["destination"], r["subject"]) for r in ordered}
        queue = (
            await session.execute(
                select(t.c.id, t.c.destination, t.c.subject, t.c.available_at)
                .where(
                    t.c.delivered_at.is_(None),
                    t.c.dead_at.is_(None),
                    t.c.id <= max(r["id"] for r in ordered),
                    tuple_(t.c.destination, t.c.subject).in_(list(keys)),
                )
                .order_by(t.c.id)
            )
        ).all()
        claimed = {r["id"] for r in rows}
        by_key: dict[tuple[str, str], list[Any]] = {}
        for q in queue:
            by_key.setdefault((q.destination, q.subject), []).append(q)
        allowed: set[int] = set()
        for waiting in by_key.values():
            for q in waiting:
                if q.id not in claimed:
                    break
                allowed.add(q.id)
            head = waiting[0]
            if head.id not in claimed:
                held = [q.id for q in waiting[1:] if q.id in claimed]
                if held:
                    await session.execute(
                        update(t)
                        .where(t.c.id.in_(held))
                        .values(available_at=func.greatest(t.c.available_at, head.available_at))
                    )
        return [r for r in rows if r["subject"] is None or r["id"] in allowed]

    async def _record_failure(
        self, session: AsyncSession, row: Any, failure: Failure, transport: Transport
    ) -> float:
        """Count the attempt, back off with jitter on the database's clock, or dead-letter.
        Returns the delay before the next try."""
        t = self.table
        attempts = row["attempts"] + 1
        if transport.max_attempts is not None:
            bound = transport.max_attempts
        elif failure.permanent:
            bound = self.max_permanent_attempts
        else:
            bound = self.max_transient_attempts
        dead = failure.final or attempts >= bound
        delay = backoff_seconds(attempts, transport.max_backoff_seconds or self.max_backoff)
        await session.execute(
            update(t)
            .where(t.c.id == row["id"])
            .values(
                attempts=attempts,
                last_error=failure.error[:1000],
                last_attempt_at=func.now(),
                available_at=func.now() + timedelta(seconds=delay),
                dead_at=func.now() if dead else None,
            )
        )
        what = (row["event_id"], row["topic"], row["destination"], row["id"])
        if dead:
            log.warning("outbox event %s (%s to %s, row %d) dead-lettered after %d attempts: %s",
                        *what, attempts, failure.error[:300])  # fmt: skip
        elif attempts == 1:
            log.warning("outbox event %s (%s to %s, row %d) not delivered, will retry: %s",
                        *what, failure.error[:300])  # fmt: skip
        return delay

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _describe(resp: httpx.Response) -> str:
    """`HTTP 413 payload_too_large: …` from the error envelope — its code and English message
    only, so no echoed value (enterprise data) reaches the outbox row or the log."""
    try:
        error = resp.json()["error"]
        return f"HTTP {resp.status_code} {error['code']}: {str(error.get('message_en', ''))[:200]}"
    except (ValueError, KeyError, TypeError):
        return f"HTTP {resp.status_code}"


def _error_summary(error: Any) -> str:
    if not isinstance(error, dict):
        return "no reason given"
    summary = f"{error.get('status')} {error.get('code')}"
    body = error.get("body")
    fields = (
        body.get("error", {}).get("details", {}).get("fields") if isinstance(body, dict) else None
    )
    if isinstance(fields, list):
        summary += " (" + ", ".join(f"{f.get('field')}: {f.get('type')}" for f in fields[:10]
                                    if isinstance(f, dict)) + ")"  # fmt: skip
    return summary[:500]


Handler = Callable[[AsyncSession, Event], Awaitable[None]]
PayloadT = TypeVar("PayloadT", bound=BaseModel)


class InvalidEventPayload(LadderError):
    """An event whose payload breaks its contract. Answered 422 (in a batch: "rejected" with
    422): the publisher's relay retries it a few times, then dead-letters it, visible and
    replayable once someone fixes the producer, the row or the contract."""

    status_code = 422
    code = "invalid_event_payload"
    message = "事件内容不符合约定格式"
    message_en = "The event payload does not match its contract"


def read_payload(model: type[PayloadT], event: Event) -> PayloadT:
    """The event's payload as `model`, or 422 `invalid_event_payload` naming the fields that
    broke. Values stay out of the log and the error (they may name enterprises)."""
    try:
        return model.model_validate(event.payload)
    except ValidationError as exc:
        details = validation_details(list(exc.errors(include_input=False, include_url=False)))
        log.warning(
            "rejected %s event %s from %s: invalid payload (%s)",
            event.topic,
            event.event_id,
            event.source,
            ", ".join(f"{f['field']}: {f['type']}" for f in details["fields"]),
        )
        raise InvalidEventPayload(
            details={"event_id": str(event.event_id), "topic": event.topic, **details}
        ) from None


def wake_relay(app_state: Any) -> None:
    """Events were queued: let this process's relay send them now rather than at its next
    poll (no-op in a process without one). Pass `request.app.state` or `app.state`."""
    relay = getattr(app_state, "relay", None)
    if relay is not None:
        relay.wake()


class EventAck(BaseModel):
    event_id: uuid.UUID
    status: str = Field(description="accepted | duplicate | ignored | rejected (batches only)")
    error: dict[str, Any] | None = Field(
        default=None, description="why a batched event was rejected: the error model's body"
    )


class BatchAck(BaseModel):
    results: list[EventAck]


class WrongProducer(LadderError):
    """An event that its caller may not send: a service speaks only for itself (`source` is
    its own name), and a topic comes only from the service that owns it."""

    status_code = 403
    code = "wrong_producer"
    message = "该服务无权发送此事件"
    message_en = "This service may not send this event"


def events_router(
    inbox: Table, handlers: dict[str, Handler], *, producers: Mapping[str, str]
) -> APIRouter:
    """`POST /internal/events` and `/internal/events/batch`: service callers only; deduped
    by event id. `producers` names the service that owns each handled topic: an event is
    taken only from that service's own identity (a forged `review.status_changed` sent by
    another service's token is refused, 403 `wrong_producer`)."""
    missing = set(handlers) - set(producers)
    assert not missing, f"no producer named for {sorted(missing)}"
    router = APIRouter(tags=["internal"])

    def check_producer(principal: Principal, event: Event) -> None:
        owner = producers.get(event.topic)
        if principal.sub != f"service:{event.source}" or (
            owner is not None and event.source != owner
        ):
            log.warning(
                "refused %s event %s: sent by %s as %s", event.topic, event.event_id,
                principal.sub, event.source,
            )  # fmt: skip
            raise WrongProducer(
                details={"topic": event.topic, "source": event.source, "producer": owner}
            )

    async def handle(session: AsyncSession, principal: Principal, event: Event) -> EventAck:
        check_producer(principal, event)
        inserted = (
            await session.execute(
                insert(inbox)
                .values(event_id=event.event_id, topic=event.topic, source=event.source)
                .on_conflict_do_nothing(index_elements=[inbox.c.event_id])
                .returning(inbox.c.event_id)
            )
        ).first()
        if inserted is None:
            return EventAck(event_id=event.event_id, status="duplicate")
        handler = handlers.get(event.topic)
        if handler is None:
            log.info("ignoring event topic %s", event.topic)
            return EventAck(event_id=event.event_id, status="ignored")
        await handler(session, event)
        return EventAck(event_id=event.event_id, status="accepted")

    @router.post(
        "/internal/events",
        response_model=EventAck,
        responses=declare(WrongProducer, InvalidEventPayload),
        response_model_exclude_none=True,
        include_in_schema=True,
    )
    async def receive_event(
        event: Event, session: SessionDep, principal: ServicePrincipalDep
    ) -> EventAck:
        return await handle(session, principal, event)

    @router.post(
        "/internal/events/batch",
        response_model=BatchAck,
        responses=declare(InvalidEventBatch),
        response_model_exclude_none=True,
        include_in_schema=True,
    )
    async def receive_batch(
        batch: EventBatch, session: SessionDep, principal: ServicePrincipalDep
    ) -> BatchAck:
        """Events handled in order. Each is first checked against `Event` on its own: a
        malformed one (a payload that is not an object) is answered "rejected" (422
        `invalid_event`), the others go on. The valid ones are tried under one savepoint first
        (the usual case: every event goes through); if any fails, that work is rolled back and
        they are redone with a savepoint per event, so a rejected one (its error in the
        answer, its effects rolled back) does not hold up the others."""
        parsed: list[Event | EventAck] = [_parse_event(raw) for raw in batch.events]
        valid = [e for e in parsed if isinstance(e, Event)]
        try:
            async with session.begin_nested():
                handled = {
                    e.event_id: await _handle_in_context(session, principal, e) for e in valid
                }
            return BatchAck(results=[handled[e.event_id] if isinstance(e, Event) else e
                                     for e in parsed])  # fmt: skip
        except Exception as exc:  # redone event by event below, where each failure is reported
            log.debug("batch of %d redone event by event: %s", len(batch.events), exc)
        results: list[EventAck] = []
        for event in parsed:
            if isinstance(event, EventAck):
                results.append(event)
                continue
            try:
                async with session.begin_nested():
                    results.append(await _handle_in_context(session, principal, event))
            except LadderError as exc:
                results.append(_rejected(event.event_id, exc.status_code, exc.code, exc.body()))
            except Exception:  # a handler's bug: this event waits, the batch goes on
                log.exception("event %s (%s) failed", event.event_id, event.topic)
                results.append(_rejected(event.event_id, 500, "internal_error", None))
        return BatchAck(results=results)

    async def _handle_in_context(
        session: AsyncSession, principal: Principal, event: Event
    ) -> EventAck:
        """`handle`, logging and re-publishing under the request id that caused the event."""
        token = request_id_var.set(event.request_id) if event.request_id else None
        try:
            return await handle(session, principal, event)
        finally:
            if token is not None:
                request_id_var.reset(token)

    return router


class InvalidEvent(LadderError):
    """A batched event that breaks the `Event` model (answered as its "rejected" result)."""

    status_code = 422
    code = "invalid_event"
    message = "事件不符合约定格式"
    message_en = "The event does not match the event model"


class InvalidEventBatch(LadderError):
    """A batch with an item that cannot even be named (no valid `event_id`): no result could
    be matched to it, so the whole batch is refused."""

    status_code = 422
    code = "invalid_event_batch"
    message = "事件批次中有无法识别的事件"
    message_en = "The batch holds an event without a valid event_id"


def _parse_event(raw: dict[str, Any]) -> Event | EventAck:
    """The item as an `Event`, or its "rejected" answer naming the fields that broke (never
    their values: payloads carry enterprise data)."""
    try:
        return Event.model_validate(raw)
    except ValidationError as exc:
        try:
            event_id = uuid.UUID(str(raw.get("event_id")))
        except ValueError:
            raise InvalidEventBatch() from None
        errors = list(exc.errors(include_input=False, include_url=False))
        error = InvalidEvent(details={"event_id": str(event_id), **validation_details(errors)})
        log.warning("rejected batched event %s: %s", event_id, error.details.get("fields"))
        return _rejected(event_id, error.status_code, error.code, error.body())


def _rejected(event_id: uuid.UUID, status: int, code: str, body: dict[str, Any] | None) -> EventAck:
    return EventAck(
        event_id=event_id,
        status="rejected",
        error={"status": status, "code": code, **({"body": body} if body else {})},
    )
