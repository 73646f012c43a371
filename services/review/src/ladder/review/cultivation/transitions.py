"""The one path by which a cultivation record (培育对象) changes: the machine, the version, the
history row, the event — all in the caller's transaction.

`move` sends a trigger to `CultivationMachine` (its guards judge the facts passed), applies what
the move changes besides the status (`apply`: the level and holder, the conclusion), bumps the
row version, writes the `CultivationTransition` row (actor, time by the kit clock, from, to,
reason, level and holder after it), cancels the pending reminders of a record that ended and
queues `cultivation.<event>` (`cultivation.expired` whenever it ended expired). `started`
records a new record's first row, `noted` a change that keeps the status (the experts
assigned). Nothing else writes history rows or sets a record's status.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from statemachine.exceptions import TransitionNotAllowed as MachineRefused

from ladder.contracts.registry import destinations
from ladder.contracts.review import CULTIVATION_PREFIX, CULTIVATION_REMINDER, CultivationChanged
from ladder.kit import clock
from ladder.kit.errors import LadderError
from ladder.kit.outbox import publish
from ladder.review.cases import repository as cases
from ladder.review.cultivation import repository
from ladder.review.cultivation.machine import EXPIRED, FINAL_STATUSES, CultivationMachine
from ladder.review.cultivation.models import CultivationRecord, CultivationTransition
from ladder.review.errors import TransitionNotAllowed
from ladder.review.tables import OUTBOX
from ladder.review.webhooks import fanout

# The declaration service shows the enterprise where its cultivation stands (it ignores topics
# it has no handler for yet, and will mirror these later).
DESTINATIONS = destinations(CULTIVATION_REMINDER)  # every cultivation topic: the same
# The cultivation topics other platforms may subscribe to, by their public type (webhooks).
PUBLIC_CULTIVATION = {
    CULTIVATION_PREFIX + "started": "cultivation.started",
    CULTIVATION_REMINDER: "cultivation.reminded",
    CULTIVATION_PREFIX + "accepted": "cultivation.accepted",
    CULTIVATION_PREFIX + "expired": "cultivation.expired",
}

Refused = Callable[[str], LadderError]
"""(status before) → the error a refused trigger answers."""


def _refused(status: str) -> LadderError:
    return TransitionNotAllowed(details={"status": status})


async def move(
    session: AsyncSession,
    record: CultivationRecord,
    trigger: str,
    *,
    actor: str,
    event: str,
    reason: str | None = None,
    refused: Refused = _refused,
    apply: Callable[[CultivationRecord], None] | None = None,
    at: datetime | None = None,
    cancel_reminders: bool = True,
    **facts: Any,
) -> str:
    """Run `trigger` with `facts` for the guards and record it as `event`; the status before.

    A guard's own error (CultivationPeriodOver, ReasonsRequired …) propagates; a trigger the
    status does not have answers `refused(status)`. `at` is the sweeper's tick (else the kit
    clock); the sweeper cancels the reminders of the records it expires in bulk
    (`cancel_reminders=False`)."""
    now = at or clock.now()
    before = record.status
    try:
        CultivationMachine(record, state_field="status").send(trigger, **facts)
    except MachineRefused:
        raise refused(before) from None
    if apply is not None:
        apply(record)
    _recorded(session, record, event, before, actor, now, reason)
    if cancel_reminders and record.status in FINAL_STATUSES:
        await repository.cancel_pending_reminders(session, [record.id])
    topic = CULTIVATION_PREFIX + (EXPIRED if record.status == EXPIRED else event)
    await tell(session, record, topic, event, now, reason)
    return before


async def started(
    session: AsyncSession, record: CultivationRecord, *, actor: str, event: str, at: datetime
) -> None:
    """A record just inserted in its initial status: its first history row and event."""
    session.add(_row(record, event, None, actor, at))
    await session.flush()
    await tell(session, record, CULTIVATION_PREFIX + event, event, at)


def noted(
    session: AsyncSession, record: CultivationRecord, *, actor: str, event: str, reason: str
) -> None:
    """A change that keeps the status (from = to): a new version and a history row, no event."""
    _recorded(session, record, event, record.status, actor, clock.now(), reason)


def _recorded(
    session: AsyncSession,
    record: CultivationRecord,
    event: str,
    before: str | None,
    actor: str,
    at: datetime,
    reason: str | None,
) -> None:
    record.bump()
    record.updated_at = at
    session.add(record)
    session.add(_row(record, event, before, actor, at, reason))


def _row(
    record: CultivationRecord,
    event: str,
    before: str | None,
    actor: str,
    at: datetime,
    reason: str | None = None,
) -> CultivationTransition:
    return CultivationTransition(
        record_id=record.id,
        event=event,
        from_status=before,
        to_status=record.status,
        actor=actor,
        reason=reason,
        level=record.level,
        holder=record.holder,
        at=at,
    )


async def tell(
    session: AsyncSession,
    record: CultivationRecord,
    topic: str,
    event: str,
    at: datetime,
    reason: str | None = None,
    **reminder: Any,
) -> None:
    """Queue the record's news for the declaration service (same transaction as the change)."""
    await publish(
        session,
        OUTBOX,
        topic=topic,
        destinations=DESTINATIONS,
        payload=CultivationChanged(
            declaration_id=record.declaration_id,
            enterprise_uscc=record.enterprise_uscc,
            event=event,
            status=record.status,
            period_end=record.period_end,
            at=at,
            **({"reason": reason} if reason is not None else {}),
            **reminder,
        ),
    )
    public_type = PUBLIC_CULTIVATION.get(topic)
    if public_type is not None:
        case = await cases.by_declaration(session, record.declaration_id)
        if case is not None:
            await fanout.for_case(
                session,
                public_type,
                case,
                at,
                event=event,
                status=record.status,
                period_end=record.period_end,
                reason=reason,
                **reminder,
            )
