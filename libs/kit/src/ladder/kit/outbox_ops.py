"""Operating the outbox: what is waiting, what is dead, and putting it back in the queue.

The relay (`ladder.kit.outbox`) never drops an event; what it cannot deliver ends up
dead-lettered (`dead_at`) or keeps retrying. This module makes both visible and fixable:

- `outbox_stats()` — per destination, undelivered rows, the age of the oldest one, dead rows:
  the `/readyz` detail (an old event does not make a pod unready; it is for alerting);
- `list_events()` — rows by state (pending / retrying / dead / delivered), keyset-paginated
  on the row id, without payloads (they carry enterprise data);
- `replay()` — a dead or retrying row (or all dead rows of a destination / topic) due now with
  its attempts reset; `last_error` is kept as the history of why it had stopped;
- `outbox_router()` — `GET /v1/outbox/events`, `POST /v1/outbox/events/{outbox_id}/replay`,
  `POST /v1/outbox/replay` for the `ministry` role (MIIT operates the platform) and service
  callers; everyone else 403. `tools/outbox.py` is the same for an operator with a database URL.

Replays take no `Idempotency-Key`: a replay sets a row to a state (due now, attempts 0), so
sending it twice leaves the same state, and the consumer dedupes deliveries by event id in its
inbox — a retried replay can never apply an event twice.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Table, and_, func, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.kit.auth import Principal, Role, require_roles
from ladder.kit.db import Database, SessionDep
from ladder.kit.errors import Conflict, NotFound, declare

MAX_LIST = 200
BIGINT_MAX = 2**63 - 1


class OutboxState(enum.StrEnum):
    pending = "pending"  # never tried yet
    retrying = "retrying"  # failed at least once, still being retried ("stuck")
    dead = "dead"  # given up: waits for a replay
    delivered = "delivered"


def state_filter(table: Table, state: OutboxState) -> ColumnElement[bool]:
    c = table.c
    live = and_(c.delivered_at.is_(None), c.dead_at.is_(None))
    return {
        OutboxState.pending: and_(live, c.attempts == 0),
        OutboxState.retrying: and_(live, c.attempts > 0),
        OutboxState.dead: and_(c.delivered_at.is_(None), c.dead_at.is_not(None)),
        OutboxState.delivered: c.delivered_at.is_not(None),
    }[state]


def state_of(row: Any) -> OutboxState:
    if row["delivered_at"] is not None:
        return OutboxState.delivered
    if row["dead_at"] is not None:
        return OutboxState.dead
    return OutboxState.retrying if row["attempts"] else OutboxState.pending


async def outbox_stats(session: AsyncSession, table: Table) -> dict[str, Any]:
    """Undelivered (live) and dead rows per destination and overall, with the age in seconds
    of the oldest live undelivered row (by the database's clock)."""
    c = table.c
    live = c.dead_at.is_(None)
    rows = (
        await session.execute(
            select(
                c.destination,
                func.count().filter(live).label("undelivered"),
                func.extract("epoch", func.now() - func.min(c.created_at).filter(live)).label(
                    "age"
                ),
                func.count().filter(c.dead_at.is_not(None)).label("dead"),
            )
            .where(c.delivered_at.is_(None))
            .group_by(c.destination)
        )
    ).all()
    destinations = {
        r.destination: {
            "undelivered": r.undelivered,
            "oldest_undelivered_age_seconds": round(float(r.age), 3) if r.age is not None else None,
            "dead": r.dead,
        }
        for r in rows
    }
    ages = [d["oldest_undelivered_age_seconds"] for d in destinations.values()]
    return {
        "undelivered": sum(d["undelivered"] for d in destinations.values()),
        "oldest_undelivered_age_seconds": max((a for a in ages if a is not None), default=None),
        "dead": sum(d["dead"] for d in destinations.values()),
        "destinations": destinations,
    }


class OutboxEventOut(BaseModel):
    """An outbox row without its payload (payloads carry enterprise data)."""

    outbox_id: int
    event_id: str
    topic: str
    destination: str
    state: OutboxState
    attempts: int
    replays: int
    last_error: str | None
    request_id: str | None
    created_at: datetime
    available_at: datetime
    last_attempt_at: datetime | None
    dead_at: datetime | None
    delivered_at: datetime | None


class OutboxEventPage(BaseModel):
    items: list[OutboxEventOut]
    next_after: int | None = Field(
        description="pass as `after` for the next page; null on the last page"
    )


def _out(row: Any) -> OutboxEventOut:
    return OutboxEventOut(
        outbox_id=row["id"],
        event_id=str(row["event_id"]),
        topic=row["topic"],
        destination=row["destination"],
        state=state_of(row),
        attempts=row["attempts"],
        replays=row["replays"],
        last_error=row["last_error"],
        request_id=row["request_id"],
        created_at=row["created_at"],
        available_at=row["available_at"],
        last_attempt_at=row["last_attempt_at"],
        dead_at=row["dead_at"],
        delivered_at=row["delivered_at"],
    )


def _columns(table: Table) -> list[Any]:
    return [col for col in table.c if col.name != "payload"]


async def list_events(
    session: AsyncSession,
    table: Table,
    state: OutboxState,
    *,
    destination: str | None = None,
    topic: str | None = None,
    after: int = 0,
    limit: int = 50,
) -> OutboxEventPage:
    """Rows in `state`, oldest first, after row id `after` (keyset: stable under inserts)."""
    c = table.c
    query = select(*_columns(table)).where(state_filter(table, state), c.id > after)
    if destination is not None:
        query = query.where(c.destination == destination)
    if topic is not None:
        query = query.where(c.topic == topic)
    limit = max(1, min(limit, MAX_LIST))
    rows = (await session.execute(query.order_by(c.id).limit(limit + 1))).mappings().all()
    items = [_out(r) for r in rows[:limit]]
    return OutboxEventPage(
        items=items, next_after=items[-1].outbox_id if len(rows) > limit else None
    )


class OutboxEventNotFound(NotFound):
    code = "outbox_event_not_found"
    message = "发件箱中没有该事件"
    message_en = "No such outbox event"


class OutboxEventDelivered(Conflict):
    code = "outbox_event_delivered"
    message = "该事件已投递，无需重放"
    message_en = "This event was already delivered; there is nothing to replay"


def replay_values(table: Table) -> dict[str, Any]:
    return {
        "attempts": 0,
        "dead_at": None,
        "available_at": func.now(),
        "replays": table.c.replays + 1,
    }


async def replay_one(session: AsyncSession, table: Table, outbox_id: int) -> OutboxEventOut:
    """A dead or retrying row due now, its attempts reset (its last error kept)."""
    c = table.c
    row = (
        (await session.execute(select(*_columns(table)).where(c.id == outbox_id).with_for_update()))
        .mappings()
        .first()
    )
    if row is None:
        raise OutboxEventNotFound(details={"outbox_id": outbox_id})
    if row["delivered_at"] is not None:
        raise OutboxEventDelivered(details={"outbox_id": outbox_id})
    updated = (
        (
            await session.execute(
                update(table)
                .where(c.id == outbox_id)
                .values(**replay_values(table))
                .returning(*_columns(table))
            )
        )
        .mappings()
        .one()
    )
    return _out(updated)


async def replay_dead(
    session: AsyncSession,
    table: Table,
    *,
    destination: str | None = None,
    topic: str | None = None,
    include_retrying: bool = False,
) -> int:
    """Every dead row (and, asked to, every retrying one) of a destination / topic due now.
    Returns how many rows were replayed."""
    c = table.c
    where = state_filter(table, OutboxState.dead)
    if include_retrying:
        where = where | state_filter(table, OutboxState.retrying)
    conditions = [where]
    if destination is not None:
        conditions.append(c.destination == destination)
    if topic is not None:
        conditions.append(c.topic == topic)
    result = await session.execute(
        update(table).where(*conditions).values(**replay_values(table)).returning(c.id)
    )
    return len(result.all())


class ReplayRequest(BaseModel):
    destination: str | None = Field(default=None, max_length=100)
    topic: str | None = Field(default=None, max_length=200)
    include_retrying: bool = Field(
        default=False, description="also make retrying (stuck) rows due now, attempts reset"
    )


class ReplayResult(BaseModel):
    replayed: int


OperatorDep = Annotated[Principal, require_roles(Role.ministry, Role.service)]


def outbox_router(table: Table) -> APIRouter:
    """The read API and replays of this service's outbox (see the module docstring)."""
    router = APIRouter(prefix="/v1/outbox", tags=["outbox"])

    @router.get("/events", response_model=OutboxEventPage, summary="Outbox events by state")
    async def get_outbox_events(
        session: SessionDep,
        _: OperatorDep,
        state: Annotated[OutboxState, Query()] = OutboxState.dead,
        destination: Annotated[str | None, Query(max_length=100)] = None,
        topic: Annotated[str | None, Query(max_length=200)] = None,
        after: Annotated[int, Query(ge=0, le=BIGINT_MAX, description="row id cursor")] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_LIST)] = 50,
    ) -> OutboxEventPage:
        return await list_events(
            session, table, state, destination=destination, topic=topic, after=after, limit=limit
        )

    @router.post(
        "/events/{outbox_id}/replay",
        response_model=OutboxEventOut,
        summary="Replay one dead or retrying event",
        responses=declare(OutboxEventNotFound, OutboxEventDelivered),
    )
    async def replay_outbox_event(
        session: SessionDep,
        _: OperatorDep,
        outbox_id: Annotated[int, Path(ge=1, le=BIGINT_MAX)],
    ) -> OutboxEventOut:
        """Due now, attempts reset, last error kept. No Idempotency-Key: replaying twice
        leaves the same state, and the consumer dedupes by event id."""
        return await replay_one(session, table, outbox_id)

    @router.post(
        "/replay",
        response_model=ReplayResult,
        summary="Replay every dead event of a destination / topic",
    )
    async def replay_outbox(
        session: SessionDep, _: OperatorDep, body: ReplayRequest | None = None
    ) -> ReplayResult:
        """Idempotent like the single replay (a state, not an increment of work)."""
        body = body or ReplayRequest()
        count = await replay_dead(
            session,
            table,
            destination=body.destination,
            topic=body.topic,
            include_retrying=body.include_retrying,
        )
        return ReplayResult(replayed=count)

    return router


def stats_detail(db: Database, table: Table):
    """A `/readyz` detail provider: the outbox's numbers, in its own short transaction."""

    async def detail() -> dict[str, Any]:
        async with db.transaction() as session:
            return await outbox_stats(session, table)

    return detail
