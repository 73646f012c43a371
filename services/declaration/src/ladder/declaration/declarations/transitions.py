"""The one path by which a declaration (申报) changes status: the machine, the version, the
history row, the event — all in the caller's transaction.

`move` asks the machine (`machine.next_status`) where the trigger takes the declaration, sets
the status, bumps the row version, writes the `DeclarationTransition` row (actor, time by the
kit clock, from, to, reason) and queues the step's event where it has one (a submission's
`declaration.submitted`, so the event exists exactly when the submission committed; a
submitted declaration's withdrawal, `declaration.withdrawn`). `touch`
is a change that moves no status (an edit, a mirrored review status). Nothing else writes
history rows, sets a declaration's status or bumps its version.
"""

from __future__ import annotations

from pydantic import BaseModel
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.contracts.declaration import DECLARATION_SUBMITTED, DECLARATION_WITHDRAWN
from ladder.contracts.registry import contract_for, destinations
from ladder.declaration.declarations.machine import next_status
from ladder.declaration.declarations.models import Declaration, DeclarationTransition
from ladder.declaration.errors import InvalidTransition
from ladder.declaration.tables import OUTBOX
from ladder.kit import clock
from ladder.kit.outbox import publish

# The steps that tell other services, by (trigger, status before), and the topic each queues.
# A draft withdrawn was never seen by the review service, so only a submitted one tells it.
TOPICS: dict[tuple[str, str], str] = {
    ("submit", "draft"): DECLARATION_SUBMITTED,
    ("submit", "returned"): DECLARATION_SUBMITTED,
    ("withdraw", "submitted"): DECLARATION_WITHDRAWN,
    ("withdraw", "returned"): DECLARATION_WITHDRAWN,
}


async def move(
    session: AsyncSession,
    declaration: Declaration,
    trigger: str,
    *,
    actor: str,
    reason: str | None = None,
    event: BaseModel | None = None,
) -> str:
    """Run `trigger` on the declaration's machine and record it; a trigger its status does not
    have is 409 `invalid_transition`. `event` is the payload of the step's topic (`TOPICS`),
    required exactly for the steps that have one. Returns the status before the move."""
    before = declaration.status
    after = next_status(before, trigger)
    if after is None:
        raise InvalidTransition(details={"status": before, "action": trigger})
    topic = TOPICS.get((trigger, before))
    if (topic is None) != (event is None) or (
        topic is not None and not isinstance(event, contract_for(topic).model)
    ):
        raise ValueError(f"the step {trigger!r} from {before!r} queues {topic!r}: match it")
    declaration.status = after
    touch(declaration)
    session.add(declaration)
    session.add(
        DeclarationTransition(
            declaration_id=declaration.id,
            event=trigger,
            from_status=before,
            to_status=after,
            actor=actor,
            reason=reason,
            at=declaration.updated_at,
        )
    )
    await session.flush()
    if topic is not None and event is not None:
        await publish(session, OUTBOX, topic=topic, destinations=destinations(topic), payload=event)
    return before


def touch(declaration: Declaration) -> None:
    """One change, one new version (the ETag) and the time of it, by the kit clock."""
    declaration.bump()
    declaration.updated_at = clock.now()
