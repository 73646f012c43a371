"""What the review service says about a 领航级 cultivation (培育), received as events and shown
to the enterprise on its declaration (`cultivation_status`).

The review service owns the cultivation; this side only mirrors its latest word: the status
(cultivating, acceptance_initial_review, expert_acceptance, accepted, failed, expired), the
period end, a return's reason, and the last reminder before the period ends (90 / 30 days). An
event older than the one shown is stale and ignored (the kit's inbox already dedupes repeats).
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.contracts.review import CULTIVATION_REMINDER, CULTIVATION_TOPICS, CultivationChanged
from ladder.declaration.declarations import repository, transitions
from ladder.kit.outbox import Event, read_payload

log = logging.getLogger("ladder.declaration.cultivation_events")

REMINDER = CULTIVATION_REMINDER
ENDED = frozenset({"accepted", "failed", "expired"})
TOPICS = CULTIVATION_TOPICS


async def on_cultivation_changed(session: AsyncSession, event: Event) -> None:
    change = read_payload(CultivationChanged, event)
    row = await repository.get(session, change.declaration_id, for_update=True)
    if row is None:
        log.warning("cultivation status for unknown declaration %s ignored", change.declaration_id)
        return
    d = row.declaration
    shown = dict(d.cultivation_status or {})
    if event.topic == REMINDER:
        last = (shown.get("reminder") or {}).get("at")
        if last and datetime.fromisoformat(last) > change.at:
            return
        if "status" not in shown:  # the reminder came before the start: show what it says
            shown.update(
                status=change.status,
                event="reminder",
                period_end=change.period_end.isoformat(),
                at=change.at.isoformat(),
                reason=None,
            )
        shown["reminder"] = {
            "days_before": change.days_before,
            "deadline": change.deadline.isoformat() if change.deadline else None,
            "at": change.at.isoformat(),
        }
    else:
        seen = shown.get("at")
        if seen and shown.get("event") != "reminder" and datetime.fromisoformat(seen) > change.at:
            log.info("stale cultivation status for %s ignored", d.id)
            return
        reminder = shown.get("reminder")
        shown = {
            "status": change.status,
            "event": change.event,
            "period_end": change.period_end.isoformat(),
            "at": change.at.isoformat(),
            "reason": change.reason,
        }
        if reminder and change.status not in ENDED:
            shown["reminder"] = reminder  # still running: the last reminder still applies
    d.cultivation_status = shown
    transitions.touch(d)
    await session.flush()
