"""The one path by which a review case changes: the case machine, the version, the history row,
the event to the declaration service — all in the caller's transaction.

`move` sends a trigger to `CaseMachine` (its guards judge the facts passed), applies what the
move changes besides the status (`apply`: the level a forward reaches), bumps the row version,
writes the `CaseTransition` row (actor, time by the kit clock, from, to, reason, level and
holder after it) and queues `review.status_changed` — and, when the case leaves the expert
review, the end of its experts' access to the 申报书 (`national.experts.access`). `opened`
records a new case's first row, `note` a row that changes no status (a 现场核查 rescheduled).
Nothing else writes history rows or sets a case's status.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession
from statemachine.exceptions import TransitionNotAllowed as MachineRefused

from ladder.contracts.registry import destinations
from ladder.contracts.review import REVIEW_STATUS_CHANGED, StatusChanged
from ladder.kit import clock
from ladder.kit.errors import LadderError
from ladder.kit.outbox import publish
from ladder.review.cases.machine import (
    RECEIVED,
    RESUBMITTED,
    RETURNED,
    WITHDRAWN_BY_APPLICANT,
    CaseMachine,
)
from ladder.review.cases.models import CaseTransition, ReviewCase
from ladder.review.errors import TransitionNotAllowed
from ladder.review.national.experts import access as expert_access
from ladder.review.tables import OUTBOX
from ladder.review.webhooks import fanout

Refused = Callable[[str, str], LadderError]
"""(status before, trigger) → the error a refused move answers."""


def _refused(status: str, trigger: str) -> LadderError:
    return TransitionNotAllowed(details={"status": status, "action": trigger})


async def move(
    session: AsyncSession,
    case: ReviewCase,
    trigger: str,
    *,
    actor: str,
    event: str,
    reason: str | None = None,
    tell_reason: bool = False,
    event_id: uuid.UUID | None = None,
    apply: Callable[[ReviewCase], None] | None = None,
    refused: Refused = _refused,
    **facts: object,
) -> str:
    """Run `trigger` on the case's machine with `facts` for its guards; record it as `event`.

    A guard's own error (ReasonsRequired, ScoresIncomplete …) propagates; a trigger the status
    does not have answers `refused(status, trigger)`. The declaration is told `reason` only
    when `tell_reason` (a return's reasons are the enterprise's to read; a scorer's are not).
    Returns the status before the move."""
    before = case.status
    try:
        CaseMachine(case, state_field="status").send(trigger, **facts)
    except MachineRefused:
        raise refused(before, trigger) from None
    if apply is not None:
        apply(case)
    case.bump()
    await _recorded(session, case, event, before, actor, reason, event_id)
    await tell_declaration(session, case, event, reason if tell_reason else None)
    await expert_access.case_moved(session, case, before)
    return before


async def opened(
    session: AsyncSession, case: ReviewCase, *, actor: str, event: str, event_id: uuid.UUID
) -> None:
    """A case just inserted in its initial status: its first history row and event."""
    await _recorded(session, case, event, None, actor, None, event_id)
    await tell_declaration(session, case, event)


async def note(
    session: AsyncSession, case: ReviewCase, *, actor: str, event: str, reason: str
) -> None:
    """A history row that changes no status (from = to), and tells no one."""
    await _recorded(session, case, event, case.status, actor, reason, None, touch=False)


async def _recorded(
    session: AsyncSession,
    case: ReviewCase,
    event: str,
    before: str | None,
    actor: str,
    reason: str | None,
    event_id: uuid.UUID | None,
    *,
    touch: bool = True,
) -> None:
    now = clock.now()
    if touch:
        case.updated_at = now
        session.add(case)
    session.add(
        CaseTransition(
            case_id=case.id,
            event=event,
            from_status=before,
            to_status=case.status,
            actor=actor,
            reason=reason or None,
            version=case.version,
            event_id=event_id,
            level=case.level,
            holder_region=case.holder_region,
            at=now,
        )
    )
    await session.flush()


async def tell_declaration(
    session: AsyncSession, case: ReviewCase, event: str, reason: str | None = None
) -> None:
    """Queue the case's status for the declaration service, which shows it to the enterprise
    (same transaction as the change: the status goes out exactly when it happened). On
    `returned_for_revision` it reopens the declaration, showing `reason`. The routing
    (`recommending_unit`) lets the same authorities read the 申报书 there."""
    at = clock.now()
    await publish(
        session,
        OUTBOX,
        topic=REVIEW_STATUS_CHANGED,
        destinations=destinations(REVIEW_STATUS_CHANGED),
        payload=StatusChanged(
            declaration_id=case.declaration_id,
            version=case.version,
            event=event,
            status=case.status,
            at=at,
            recommending_unit=case.recommending_unit,
            **({"reason": reason} if reason is not None else {}),
        ),
    )
    await tell_subscribers(session, case, event, at, reason)


async def tell_subscribers(
    session: AsyncSession, case: ReviewCase, event: str, at: datetime, reason: str | None
) -> None:
    """The same news for the other platforms' webhooks (`ladder.review.webhooks.fanout`):
    the public declaration event it is, if any, then the case's status change."""
    if event in (RECEIVED, RESUBMITTED):
        await fanout.for_case(
            session,
            "declaration.submitted",
            case,
            at,
            submitted_at=case.submitted_at,
            fingerprint=case.fingerprint,
        )
    elif event == WITHDRAWN_BY_APPLICANT:
        await fanout.for_case(session, "declaration.withdrawn", case, at, reason=reason)
    elif event == RETURNED:
        await fanout.for_case(
            session, "declaration.returned", case, at, reason=reason, level=case.level
        )
    await fanout.for_case(
        session,
        "case.status_changed",
        case,
        at,
        event=event,
        status=case.status,
        level=case.level,
        reason=reason,
    )
