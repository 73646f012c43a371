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
import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.declaration.declarations import repository
from ladder.declaration.declarations.models import DeclarationTransition
from ladder.declaration.declarations.service import touch, transition
from ladder.kit.outbox import Event, read_payload

log = logging.getLogger("ladder.declaration.review_events")

STATUS_CHANGED = "review.status_changed"
RETURNED = "returned_for_revision"


class StatusChanged(BaseModel):
    model_config = ConfigDict(extra="ignore")

    declaration_id: uuid.UUID
    version: int = Field(ge=1)
    event: str = Field(max_length=60)
    status: str = Field(max_length=60)
    at: datetime
    reason: str | None = Field(default=None, max_length=2000)
    recommending_unit: str | None = Field(
        default=None,
        max_length=22,
        pattern=r"^([0-9]{6}|xpcc|soe:[0-9A-Z]{18})$",
        description="where the case is routed: who may read the declaration",
    )


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
        returned: DeclarationTransition = transition(
            row, "return_for_revision", f"service:{event.source}", change.reason
        )
        session.add(returned)
    touch(d)
    await session.flush()
