"""形式审查: a pass sends the case to the expert review, a fail (with reasons) ends it; both
through the case's one transition path."""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.kit.auth import Principal
from ladder.kit.concurrency import check_if_match
from ladder.review.cases import transitions
from ladder.review.cases.machine import FAILED_FORMAL_CHECK, PASSED_FORMAL_CHECK
from ladder.review.cases.models import ReviewCase
from ladder.review.cases.service import case_etag
from ladder.review.national.cases.service import reach
from ladder.review.national.formal_check.schemas import FormalCheckCreate, FormalOutcome


async def formal_check(
    session: AsyncSession,
    principal: Principal,
    declaration_id: uuid.UUID,
    data: FormalCheckCreate,
    if_match: str | None,
) -> ReviewCase:
    """形式审查: a pass sends the case to the expert review; a fail (with reasons) ends it."""
    case = await reach(session, principal, declaration_id, for_update=True)
    check_if_match(if_match, case_etag(case))
    if data.outcome is FormalOutcome.passed:
        await transitions.move(
            session,
            case,
            "pass_formal_check",
            actor=principal.sub,
            event=PASSED_FORMAL_CHECK,
            reason=data.reasons,
        )
    else:
        await transitions.move(
            session,
            case,
            "fail_formal_check",
            actor=principal.sub,
            event=FAILED_FORMAL_CHECK,
            reason=data.reasons,
            tell_reason=True,
            reasons=data.reasons,
        )
    return case
