"""The decision: the guards of `CaseMachine` judge the facts gathered here (who scored,
which 现场核查 items lack a finding); a selection is refused once the 公示 is announced.
Locks: a publicity row before a case row, always (the 公示 locks its cases in that order)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.kit.auth import Principal
from ladder.kit.concurrency import check_if_match
from ladder.review.cases import transitions
from ladder.review.cases.machine import NOT_SELECTED, SELECTED
from ladder.review.cases.models import ReviewCase
from ladder.review.cases.service import case_etag
from ladder.review.national.cases.service import not_found, reach
from ladder.review.national.data import national
from ladder.review.national.decision import repository
from ladder.review.national.decision.schemas import DecisionCreate, DecisionOutcome
from ladder.review.national.errors import PublicityAnnounced
from ladder.review.national.experts import repository as experts_repository
from ladder.review.national.experts.repository import REVIEW
from ladder.review.national.onsite import repository as onsite_repository
from ladder.review.national.publicity import repository as publicity_repository
from ladder.review.national.scoring import repository as scoring_repository


async def decision_facts(session: AsyncSession, case: ReviewCase) -> dict[str, Any]:
    """What the decision's guards judge: the tier, the assigned reviewers without a sheet,
    and the 现场核查 items without a finding (and its conclusion)."""
    reviewers = await experts_repository.assigned(session, case.id, REVIEW)
    scored = {s.expert_id for s, _ in await scoring_repository.sheets(session, case.id)}
    facts: dict[str, Any] = {
        "tier": case.tier,
        "assigned": len(reviewers),
        "unscored": tuple(str(e.id) for e in reviewers if e.id not in scored),
        "onsite_required": national().onsite_verification.facts()["onsite_required"],
    }
    visit = await onsite_repository.onsite(session, case.id)
    if visit is not None:
        items = await onsite_repository.items(session, visit.id)
        facts["unrecorded"] = tuple(i.key for i in items if i.finding is None)
        facts["conclusion"] = visit.conclusion
    return facts


async def decide(
    session: AsyncSession,
    principal: Principal,
    declaration_id: uuid.UUID,
    data: DecisionCreate,
    if_match: str | None,
) -> ReviewCase:
    """Select (拟入选, to the 公示) or reject (未入选, with reasons).

    A selection needs every assigned reviewer's sheet, and for 领航级 the 现场核查 done; it is
    refused once the campaign's 公示 for the tier is announced (one 公示 per campaign and tier,
    so a later selection would never be listed). The publicity row is share-locked before the
    case so an announcement cannot slip between the check and the selection.
    """
    key = await repository.campaign_and_tier(session, declaration_id)
    if key is None:
        raise not_found(declaration_id)
    publicity = await publicity_repository.publicity(session, key[0], key[1], for_share=True)
    case = await reach(session, principal, declaration_id, for_update=True)
    check_if_match(if_match, case_etag(case))
    if data.outcome is DecisionOutcome.select:
        if (
            publicity is not None
            and publicity.status != "draft"
            and case.status
            in {
                "in_expert_review",
                "onsite_verification",
            }
        ):
            raise PublicityAnnounced(
                details={"campaign_year": case.campaign_year, "tier": case.tier}
            )
        facts = await decision_facts(session, case)
        await transitions.move(
            session,
            case,
            "select",
            actor=principal.sub,
            event=SELECTED,
            reason=data.reasons,
            **facts,
        )
    else:
        await transitions.move(
            session,
            case,
            "reject",
            actor=principal.sub,
            event=NOT_SELECTED,
            reason=data.reasons,
            tell_reason=True,
            reasons=data.reasons,
        )
    return case
