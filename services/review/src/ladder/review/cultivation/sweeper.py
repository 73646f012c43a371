"""The durable sweeper of the cultivation deadlines: expiries and reminders.

Nothing is kept in memory: every due thing is a row with its deadline (a record's `deadline`,
a reminder's `due_at`), so a restart, a crash or several replicas lose and double nothing. One
sweep claims a batch of due rows with `SELECT … FOR UPDATE SKIP LOCKED LIMIT n` — concurrent
sweepers take disjoint batches — and in one transaction per batch performs each transition,
its history row and its outbox event; a failure rolls the whole batch back for the next tick.

Expiries go first: a record that expires cancels its pending reminders, so a sweeper that was
down past a deadline does not send "30 days left" after the end.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.kit.clock import Clock
from ladder.kit.db import Database
from ladder.kit.outbox import wake_relay
from ladder.review.cultivation import repository, service

log = logging.getLogger("ladder.review.cultivation.sweeper")

DEFAULT_BATCH = 100


@dataclass(frozen=True)
class SweepCounts:
    expired: int = 0
    reminders: int = 0
    full: bool = False  # a batch was full: more may be due right now


@asynccontextmanager
async def _transaction(
    db: Database | async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    if isinstance(db, Database):
        async with db.transaction() as session:
            yield session
    else:
        async with db() as session, session.begin():
            yield session


async def _expire_due(session: AsyncSession, now: datetime, batch_size: int) -> int:
    rows = await repository.claim_due_expiries(session, now, batch_size)
    for record in rows:
        await service.expire(session, record, now)
    await repository.cancel_pending_reminders(session, [r.id for r in rows])
    await session.flush()
    return len(rows)


async def _remind_due(session: AsyncSession, now: datetime, batch_size: int) -> int:
    rows = await repository.claim_due_reminders(session, now, batch_size)
    for reminder, record in rows:
        await service.send_reminder(session, reminder, record, now)
    await session.flush()
    return len(rows)


async def sweep_once(
    db: Database | async_sessionmaker[AsyncSession],
    clock: Clock,
    batch_size: int = DEFAULT_BATCH,
) -> SweepCounts:
    """One batch of due expiries, then one of due reminders, each in its own transaction."""
    now = clock.now()
    async with _transaction(db) as session:
        expired = await _expire_due(session, now, batch_size)
    async with _transaction(db) as session:
        reminders = await _remind_due(session, now, batch_size)
    return SweepCounts(expired, reminders, full=batch_size in (expired, reminders))


async def cultivation_sweeper(app: FastAPI) -> None:
    """The background loop (ServiceSpec `background`): sweep, and sleep when nothing more is
    due. A failed sweep (the database away, a bug in one batch) is logged and retried on the
    next tick; the loop only ends when the app shuts down."""
    settings = app.state.settings
    while True:
        try:
            counts = await sweep_once(
                app.state.db, app.state.clock, settings.cultivation_sweep_batch_size
            )
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("cultivation sweep failed; retrying on the next tick")
            counts = SweepCounts()
        if counts.expired or counts.reminders:
            wake_relay(app.state)
        if not counts.full:
            await asyncio.sleep(settings.cultivation_sweep_seconds)
