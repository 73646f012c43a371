"""The transactional outbox and inbox that carry events between services.

Writing side: `publish()` inserts one outbox row per destination in the caller's transaction,
so an event exists if and only if the change that caused it committed. A relay task in the
same process claims due rows with `FOR UPDATE SKIP LOCKED` (several replicas never send one row
at the same time), POSTs them to the destination's `/internal/events/batch` (one request for
everything due there, in order), and marks them delivered; a failure backs off exponentially
and the row waits — nothing is lost while a consumer is down. A consumer without the batch
route (404/405, an older release mid-upgrade) gets the events one by one on `/internal/events`.

Receiving side: `events_router()` dedupes by event id in an inbox table inside the handler's
transaction, so redelivery is harmless (at-least-once delivery, exactly-once effect). A batch
is tried whole under one savepoint; when an event fails it is redone with a savepoint per
event, so the rejected one is answered as such and rolls back alone, the others are kept.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
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
    update,
)
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.kit.auth import Principal, ServicePrincipalDep
from ladder.kit.db import Database, SessionDep
from ladder.kit.errors import LadderError, validation_details
from ladder.kit.observability import request_id_var

log = logging.getLogger("ladder.outbox")


def outbox_table(metadata: MetaData, schema: str) -> Table:
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
        Index(None, "event_id", "destination", unique=True),
        Index(
            "ix_outbox_due",
            "available_at",
            postgresql_where=text("delivered_at IS NULL"),
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


class EventBatch(BaseModel):
    events: list[Event] = Field(min_length=1, max_length=MAX_BATCH)


async def publish(
    session: AsyncSession,
    table: Table,
    *,
    topic: str,
    payload: dict[str, Any],
    destinations: list[str],
    event_id: uuid.UUID | None = None,
) -> uuid.UUID:
    """Queue an event for each destination in the caller's transaction."""
    eid = event_id or uuid.uuid4()
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
            }
            for dest in destinations
        ],
    )
    return eid


Resolver = Callable[[str], httpx.AsyncClient]


class OutboxRelay:
    """Delivers due outbox rows; run one per process (replicas are safe together)."""

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
    ) -> None:
        self.db = db
        self.table = table
        self.source = source
        self.client_for = client_for
        self.poll_seconds = poll_seconds
        # One pass is one batch request per consumer, which refuses more than MAX_BATCH.
        self.batch_size = max(1, min(batch_size, MAX_BATCH))
        self.max_backoff = max_backoff_seconds
        self._wake = asyncio.Event()
        self._stopping = False

    def wake(self) -> None:
        self._wake.set()

    async def run_forever(self) -> None:
        while not self._stopping:
            try:
                sent = await self.deliver_due()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay pass failed")
                sent = 0
            if sent < self.batch_size:
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
                except TimeoutError:
                    pass

    async def deliver_due(self) -> int:
        """One pass: claim due rows, send each destination its share in one batch, record
        every row's outcome. Returns rows delivered."""
        t = self.table
        delivered = 0
        async with self.db.transaction() as session:
            rows = (
                (
                    await session.execute(
                        select(t)
                        .where(t.c.delivered_at.is_(None), t.c.available_at <= func.now())
                        .order_by(t.c.id)
                        .limit(self.batch_size)
                        .with_for_update(skip_locked=True)
                    )
                )
                .mappings()
                .all()
            )
            by_destination: dict[str, list[Any]] = {}
            for row in rows:
                by_destination.setdefault(row["destination"], []).append(row)
            done: list[int] = []
            for destination, due in by_destination.items():
                outcomes = await self._deliver(destination, due)
                for row, error in zip(due, outcomes, strict=True):
                    if error is None:
                        done.append(row["id"])
                    else:
                        await self._back_off(session, row, error)
            if done:
                await session.execute(
                    update(t).where(t.c.id.in_(done)).values(delivered_at=func.now())
                )
            delivered = len(done)
        return delivered

    async def _back_off(self, session: AsyncSession, row: Any, error: str) -> None:
        t = self.table
        attempts = row["attempts"] + 1
        delay = min(self.max_backoff, 0.5 * (2 ** min(attempts, 10)))
        await session.execute(
            update(t)
            .where(t.c.id == row["id"])
            .values(
                attempts=attempts,
                last_error=error[:1000],
                available_at=datetime.now(UTC) + timedelta(seconds=delay),
            )
        )

    def _event(self, row: Any) -> dict[str, Any]:
        return {
            "event_id": str(row["event_id"]),
            "topic": row["topic"],
            "source": self.source,
            "occurred_at": row["created_at"].isoformat(),
            "payload": row["payload"],
            "request_id": row["request_id"],
        }

    async def _deliver(self, destination: str, rows: list[Any]) -> list[str | None]:
        """Each row's outcome, in order: None when delivered, else the error to record."""
        try:
            client = self.client_for(destination)
            resp = await client.post(
                "/internal/events/batch", json={"events": [self._event(r) for r in rows]}
            )
        except Exception as exc:  # any failure to deliver is retried later
            return [f"{type(exc).__name__}: {exc}"] * len(rows)
        if resp.status_code in (404, 405):
            return [await self._send(r) for r in rows]
        if resp.status_code >= 300:
            return [f"HTTP {resp.status_code}: {resp.text[:300]}"] * len(rows)
        try:
            acks = {a["event_id"]: a for a in resp.json()["results"]}
        except (ValueError, KeyError, TypeError) as exc:
            return [f"unreadable batch answer: {exc}"] * len(rows)
        outcomes: list[str | None] = []
        for row in rows:
            ack = acks.get(str(row["event_id"]))
            if ack is None:
                outcomes.append("missing from the batch answer")
            elif ack.get("status") == "rejected":
                outcomes.append(f"rejected: {ack.get('error')}")
            else:
                outcomes.append(None)
        return outcomes

    async def _send(self, row: Any) -> str | None:
        headers = {"X-Request-ID": row["request_id"]} if row["request_id"] else {}
        try:
            client = self.client_for(row["destination"])
            resp = await client.post("/internal/events", json=self._event(row), headers=headers)
        except Exception as exc:  # any failure to deliver is retried later
            return f"{type(exc).__name__}: {exc}"
        if resp.status_code >= 300:
            return f"HTTP {resp.status_code}: {resp.text[:300]}"
        return None

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()


Handler = Callable[[AsyncSession, Event], Awaitable[None]]
PayloadT = TypeVar("PayloadT", bound=BaseModel)


class InvalidEventPayload(LadderError):
    """An event whose payload breaks its contract. Answered 422 so the publisher's outbox keeps
    the event and retries it (with backoff) until someone fixes the producer or the contract."""

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
        response_model_exclude_none=True,
        include_in_schema=True,
    )
    async def receive_batch(
        batch: EventBatch, session: SessionDep, principal: ServicePrincipalDep
    ) -> BatchAck:
        """Events handled in order. The whole batch is tried under one savepoint first (the
        usual case: every event goes through); if any event fails, that work is rolled back
        and the batch is redone with a savepoint per event, so a rejected one (its error in
        the answer, its effects rolled back) does not hold up the others."""
        try:
            async with session.begin_nested():
                return BatchAck(
                    results=[await _handle_in_context(session, principal, e) for e in batch.events]
                )
        except Exception as exc:  # redone event by event below, where each failure is reported
            log.debug("batch of %d redone event by event: %s", len(batch.events), exc)
        results: list[EventAck] = []
        for event in batch.events:
            try:
                async with session.begin_nested():
                    results.append(await _handle_in_context(session, principal, event))
            except LadderError as exc:
                results.append(_rejected(event, exc.status_code, exc.code, exc.body()))
            except Exception:  # a handler's bug: this event waits, the batch goes on
                log.exception("event %s (%s) failed", event.event_id, event.topic)
                results.append(_rejected(event, 500, "internal_error", None))
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


def _rejected(event: Event, status: int, code: str, body: dict[str, Any] | None) -> EventAck:
    return EventAck(
        event_id=event.event_id,
        status="rejected",
        error={"status": status, "code": code, **({"body": body} if body else {})},
    )
