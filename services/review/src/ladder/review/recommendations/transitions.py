"""The one path by which a recommendation list (推荐汇总表) changes: the list machine, the
version, the history row, the event — all in the caller's transaction.

`move` sends a trigger to `ListMachine` (`edit` while open, `lock`, `unlock`, `submit` with the
facts its guards judge), bumps the row version, writes the `RecommendationListEvent` row (actor,
time by the kit clock, from, to, reason, the declaration an edit concerned) and queues the
event a submission tells (`review.list_submitted`). `opened` records a new list's first row.
Nothing else writes list history rows or sets a list's status.

An edit moves first, before the entries change: its guard (the list is open) must answer
before anything else is checked, and a later refusal rolls the whole request back.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlmodel.ext.asyncio.session import AsyncSession
from statemachine.exceptions import TransitionNotAllowed as MachineRefused

from ladder.contracts import review as contracts
from ladder.contracts.registry import destinations
from ladder.kit import clock
from ladder.kit.errors import LadderError
from ladder.kit.outbox import publish
from ladder.review.errors import ListLocked
from ladder.review.recommendations import repository
from ladder.review.recommendations.auth import may_read
from ladder.review.recommendations.machine import ListMachine
from ladder.review.recommendations.models import RecommendationList, RecommendationListEvent
from ladder.review.tables import OUTBOX
from ladder.review.webhooks import fanout

Refused = Callable[[str], LadderError]
"""(status before) → the error a refused trigger answers."""


def _locked(status: str) -> LadderError:
    """Entries change only while the list is open."""
    return ListLocked(details={"status": status})


async def move(
    session: AsyncSession,
    lst: RecommendationList,
    trigger: str,
    *,
    actor: str,
    action: str,
    declaration_id: uuid.UUID | None = None,
    reason: str | None = None,
    refused: Refused = _locked,
    submitted: contracts.ListSubmitted | None = None,
    **facts: object,
) -> str:
    """Run `trigger` with `facts` for the guards and record it as `action`; the status before.

    A guard's own error (ListEmpty, DeadlinePassed) propagates; a trigger the status does not
    have answers `refused(status)`. `submitted` is the event a submission queues."""
    before = lst.status
    try:
        ListMachine(lst, state_field="status").send(trigger, **facts)
    except MachineRefused:
        raise refused(before) from None
    lst.bump()
    lst.updated_by = actor
    lst.updated_at = clock.now()
    session.add(lst)
    _recorded(session, lst, action, before, actor, reason, declaration_id)
    if submitted is not None:
        await publish(
            session,
            OUTBOX,
            topic=contracts.LIST_SUBMITTED,
            destinations=destinations(contracts.LIST_SUBMITTED),
            payload=submitted,
        )
        await fanout.fan_out(
            session,
            "list.submitted",
            submitted,
            at=submitted.at,
            subject=f"list:{lst.campaign_year}:{lst.tier}:{lst.unit}",
            admits=lambda _sub, owner: may_read(owner, lst),
        )
    return before


async def drop_case(
    session: AsyncSession, declaration_id: uuid.UUID, *, actor: str, action: str, reason: str
) -> None:
    """Take a case off every list not yet submitted (its enterprise withdrew it, or the unit
    holding it returned or refused it): each list's history says why; ranks close up."""
    for entry, lst in await repository.unsubmitted_entries_of(session, declaration_id):
        await move(
            session,
            lst,
            "drop_withdrawn",
            actor=actor,
            action=action,
            declaration_id=declaration_id,
            reason=reason,
        )
        await repository.remove_entry(session, entry)


def opened(session: AsyncSession, lst: RecommendationList, *, actor: str) -> None:
    """A list just inserted, open: its first history row."""
    _recorded(session, lst, "created", None, actor, None, None)


def _recorded(
    session: AsyncSession,
    lst: RecommendationList,
    action: str,
    before: str | None,
    actor: str,
    reason: str | None,
    declaration_id: uuid.UUID | None,
) -> None:
    session.add(
        RecommendationListEvent(
            list_id=lst.id,
            action=action,
            from_status=before,
            to_status=lst.status,
            reason=reason,
            declaration_id=declaration_id,
            row_version=lst.row_version,
            actor=actor,
            at=clock.now(),
        )
    )
