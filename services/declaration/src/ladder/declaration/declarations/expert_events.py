"""Which experts may read a declaration under review, as the review service says it
(`review.expert_access_changed`), kept as grants (`ExpertGrant`) that the readable statements
consult (`repository.readable_by`, `version_readable_by`).

The review service decides (assignment, 回避, the end of the expert review); this side only
mirrors it. Words arrive once each (the kit's inbox dedupes by event id) but not necessarily in
order: a grant keeps the time of the last word applied and an older one changes nothing. A word
on a declaration this service does not hold is logged and dropped."""

from __future__ import annotations

import logging

from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.contracts.review import EXPERT_ACCESS_CHANGED, ExpertAccessChanged
from ladder.declaration.declarations import repository
from ladder.declaration.declarations.models import Declaration, ExpertGrant
from ladder.kit.outbox import Event, read_payload

log = logging.getLogger("ladder.declaration.expert_events")

TOPIC = EXPERT_ACCESS_CHANGED


async def on_expert_access_changed(session: AsyncSession, event: Event) -> None:
    change = read_payload(ExpertAccessChanged, event)
    if await session.get(Declaration, change.declaration_id) is None:
        log.warning("expert access to unknown declaration %s ignored", change.declaration_id)
        return
    await repository.grant(
        session,
        ExpertGrant(
            declaration_id=change.declaration_id,
            version=change.version,
            expert=change.expert,
            expert_id=change.expert_id,
            granted_at=change.at,
            revoked_at=change.at if change.access == "revoked" else None,
            changed_at=change.at,
            cause=change.cause,
        ),
    )
