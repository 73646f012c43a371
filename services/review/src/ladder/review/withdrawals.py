"""A declaration withdrawn by its enterprise (撤回申报, `declaration.withdrawn`): its case ends
as `withdrawn_by_applicant` and leaves every recommendation list not yet submitted, each step
in its machine's history, in the event's transaction.

A case already decided (not recommended, not selected, published …) keeps its decision; the
withdrawal is noted in its history. A case that never opened (the withdrawal overtook the
submission) has nothing to close: when the submission arrives later, it opens as usual and the
declaration service, whose declaration is withdrawn, shows its own status (logged here).
"""

from __future__ import annotations

import logging

from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.contracts.declaration import DeclarationWithdrawn
from ladder.kit.outbox import Event, read_payload
from ladder.review.cases import repository as cases
from ladder.review.cases import transitions as case_transitions
from ladder.review.cases.machine import WITHDRAWN_BY_APPLICANT
from ladder.review.errors import TransitionNotAllowed
from ladder.review.recommendations import transitions as list_transitions

log = logging.getLogger("ladder.review.withdrawals")


async def on_declaration_withdrawn(session: AsyncSession, event: Event) -> None:
    """Handler of `declaration.withdrawn` (runs in the request's transaction)."""
    withdrawn = read_payload(DeclarationWithdrawn, event)
    actor = f"service:{event.source}"
    reason = f"申报主体撤回申报：{withdrawn.reason}" if withdrawn.reason else "申报主体撤回申报"
    case = await cases.by_declaration(session, withdrawn.declaration_id, for_update=True)
    if case is None:
        log.warning("declaration %s withdrawn before its case opened", withdrawn.declaration_id)
        return
    await list_transitions.drop_case(
        session, withdrawn.declaration_id, actor=actor, action=WITHDRAWN_BY_APPLICANT, reason=reason
    )
    try:
        await case_transitions.move(
            session,
            case,
            "applicant_withdraws",
            actor=actor,
            event=WITHDRAWN_BY_APPLICANT,
            reason=reason,
            event_id=event.event_id,
        )
    except TransitionNotAllowed:
        await case_transitions.note(
            session,
            case,
            actor=actor,
            event="withdrawal_after_decision",
            reason=f"{reason}（案件已为 {case.status}，决定不变）",
        )
