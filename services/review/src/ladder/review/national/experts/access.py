"""Which experts may read a case's 申报书 (专家查阅申报材料), told to the declaration service.

The declaration service holds the 申报书, its printed copy and its attachments; it lets an
expert read them only while this service says so (`review.expert_access_changed`), queued in
the same transaction as the change that grants or ends the access.

An expert reads the version under review (`case.version`) while all of these hold:
- they have a duty on the case: reviewer (材料评审) or member of the 现场核查 team;
- they have no conflict of interest (回避, `conflicts.py`) with it — vetting refuses a conflicted
  expert at assignment, but an expert's facts may change afterwards (an organisation, a declared
  conflict), and then the access ends though the ministry has not yet taken them off the case;
- the case is in the expert review: `in_expert_review` or `onsite_verification`, the statuses
  in which a sheet may still be written (`scoring.service.OPEN_FOR_SCORING`). The expert's task
  ends with the decision (拟入选 / 未入选: the committee's review ends in the ministry's
  decision, 工信厅联通装函〔2025〕251号 二(二)4, 三(二)4) or when the enterprise withdraws;
  the notices say nothing of how long experts read the material, so ending the access there is
  Ladder's reading. A sheet is not the end: a reviewer may correct it until the decision.
"""

from __future__ import annotations

import uuid
from typing import Literal

from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.contracts.registry import destinations
from ladder.contracts.review import EXPERT_ACCESS_CHANGED, ExpertAccessCause, ExpertAccessChanged
from ladder.kit import clock
from ladder.kit.outbox import publish
from ladder.review.cases.models import ReviewCase
from ladder.review.national.experts import repository
from ladder.review.national.experts.conflicts import conflicts_of
from ladder.review.national.experts.models import NationalExpert
from ladder.review.tables import OUTBOX

EXPERT_REVIEW = frozenset({"in_expert_review", "onsite_verification"})

Readers = dict[str, uuid.UUID]
"""The experts who read a case: account (their token's `sub`) → pool id. Plain values, so a
snapshot taken before a change is not changed by it."""


async def _unconflicted(session: AsyncSession, case: ReviewCase) -> Readers:
    experts = await repository.on_case(session, case.id)
    return {e.account: e.id for e in experts if not conflicts_of(e, case)}


async def readers(session: AsyncSession, case: ReviewCase) -> Readers:
    """Who reads the case's 申报书 now (see the module's rule)."""
    if case.status not in EXPERT_REVIEW:
        return {}
    return await _unconflicted(session, case)


async def _tell(
    session: AsyncSession,
    case: ReviewCase,
    account: str,
    expert_id: uuid.UUID,
    access: Literal["granted", "revoked"],
    cause: ExpertAccessCause,
) -> None:
    await publish(
        session,
        OUTBOX,
        topic=EXPERT_ACCESS_CHANGED,
        destinations=destinations(EXPERT_ACCESS_CHANGED),
        payload=ExpertAccessChanged(
            declaration_id=case.declaration_id,
            version=case.version,
            expert=account,
            expert_id=expert_id,
            access=access,
            cause=cause,
            at=clock.now(),
        ),
    )


async def changed(
    session: AsyncSession,
    case: ReviewCase,
    before: Readers,
    *,
    granted: ExpertAccessCause,
    revoked: ExpertAccessCause,
) -> None:
    """Tell the declaration service how the case's readers differ from `before` (taken before
    the change): an access revoked for each who no longer reads, granted for each new one."""
    now = await readers(session, case)
    for account in sorted(before.keys() - now.keys()):
        await _tell(session, case, account, before[account], "revoked", revoked)
    for account in sorted(now.keys() - before.keys()):
        await _tell(session, case, account, now[account], "granted", granted)


async def case_moved(session: AsyncSession, case: ReviewCase, before_status: str) -> None:
    """After a move of the case: leaving the expert review ends every expert's access."""
    if before_status not in EXPERT_REVIEW or case.status in EXPERT_REVIEW:
        return
    for account, expert_id in sorted((await _unconflicted(session, case)).items()):
        await _tell(session, case, account, expert_id, "revoked", "review_ended")


async def expert_cases(session: AsyncSession, expert: NationalExpert) -> dict[uuid.UUID, Readers]:
    """Before an expert's facts change: the readers of each case in review they are on."""
    cases = await repository.cases_of(session, expert.id, EXPERT_REVIEW)
    return {case.id: await readers(session, case) for case in cases}


async def expert_changed(
    session: AsyncSession, expert: NationalExpert, before: dict[uuid.UUID, Readers]
) -> None:
    """After an expert's facts changed (`expert_cases` taken before): a conflict now found
    ends their access (回避), one cleared restores it, a new account moves it."""
    cases = await repository.cases_of(session, expert.id, EXPERT_REVIEW)
    for case in cases:
        was = before.get(case.id, {})
        moved = expert.account not in was and expert.id in was.values()
        await changed(
            session,
            case,
            was,
            granted="account_changed" if moved else "conflict_cleared",
            revoked="account_changed" if moved else "conflict_of_interest",
        )
