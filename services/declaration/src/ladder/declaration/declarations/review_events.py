"""What the review service says about a declaration, received as events and shown to the
enterprise (`review_status` on the declaration).

The review service owns the review path; this side only mirrors it — and learns from it where
the case was routed (`recommending_unit`), which decides which authorities may read the
declaration (`repository.readable_by`). Statuses about an older
version than the one now submitted are stale and ignored, as are repeats (the kit's inbox has
already deduped by event id). A `returned_for_revision` event is also a transition of the
declaration's own machine: the enterprise may edit and submit again.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.contracts.review import REVIEW_STATUS_CHANGED, StatusChanged
from ladder.declaration.declarations import repository, transitions
from ladder.kit.outbox import Event, read_payload

log = logging.getLogger("ladder.declaration.review_events")

STATUS_CHANGED = REVIEW_STATUS_CHANGED
RETURNED = "returned_for_revision"


async def on_status_changed(session: AsyncSession, event: Event) -> None:
    change = read_payload(StatusChanged, event)
    row = await repository.get(session, change.declaration_id, for_update=True)
    if row is None:
        log.warning("status for unknown declaration %s ignored", change.declaration_id)
        return
    d = row.declaration
    latest = row.latest.number if row.latest else 0
    seen = (d.review_status or {}).get("at")
    if change.version < latest or (seen and datetime.fromisoformat(seen) > change.at):
        log.info("stale review status for %s (version %s) ignored", d.id, change.version)
        return
    d.review_status = change.model_dump(mode="json", exclude={"recommending_unit"})
    if change.recommending_unit is not None:
        d.recommending_unit = change.recommending_unit
    if change.event == RETURNED and d.status == "submitted":
        await transitions.move(
            session,
            d,
            "return_for_revision",
            actor=f"service:{event.source}",
            reason=change.reason,
        )
    else:
        transitions.touch(d)
        await session.flush()
