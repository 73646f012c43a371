"""The national review of a case: reach, transitions (with history and the status event to
the declaration service), the formal check (形式审查) and the decision.

Every move goes through `CaseMachine`; its guards get the facts they judge (tier, who scored,
which checklist items lack a finding) from `decision_facts`, so the rules stay in one place.
Locks: a publicity row before a case row, always (the 公示 locks its cases in that order).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.kit.auth import Principal, Role
from ladder.kit.concurrency import check_if_match
from ladder.kit.privacy import masked_contact, sees_contacts
from ladder.review.cases import repository as cases
from ladder.review.cases import transitions
from ladder.review.cases.machine import (
    FAILED_FORMAL_CHECK,
    NATIONAL_STATUSES,
    NOT_SELECTED,
    PASSED_FORMAL_CHECK,
    SELECTED,
)
from ladder.review.cases.models import ReviewCase
from ladder.review.cases.schemas import TransitionRead
from ladder.review.cases.service import case_etag
from ladder.review.errors import CaseNotFound
from ladder.review.national import repository
from ladder.review.national.data import NationalTier
from ladder.review.national.errors import PublicityAnnounced
from ladder.review.national.models import NationalExpert
from ladder.review.national.repository import REVIEW
from ladder.review.national.schemas import (
    DecisionCreate,
    DecisionOutcome,
    ExpertBrief,
    FormalCheckCreate,
    FormalOutcome,
    NationalCaseRead,
    NationalCaseSummary,
)

# The statuses after the decision: the experts may then see each other's sheets.
DECIDED = frozenset({"selected", "not_selected", "in_publicity", "withdrawn", "published"})


NATIONAL_TIERS = frozenset(t.value for t in NationalTier)


def not_found(declaration_id: uuid.UUID) -> CaseNotFound:
    return CaseNotFound(details={"declaration_id": str(declaration_id)})


async def expert_of(session: AsyncSession, principal: Principal) -> NationalExpert | None:
    """The pool's expert behind an expert token (matched on `sub`), if any."""
    if principal.role is not Role.expert:
        return None
    return await repository.expert_by_account(session, principal.sub)


async def reach(
    session: AsyncSession,
    principal: Principal,
    declaration_id: uuid.UUID,
    *,
    duty: str | None = None,
    for_update: bool = False,
) -> ReviewCase:
    """The case, if the caller reaches it: the ministry every case; an expert only a case they
    are on (with `duty`, on it with that duty). Anyone else, or no such case: 404. A case of a
    tier the ministries do not review (先进级, recognised by the province: 251号 一(二)) is no
    national case either: 404 naming its tier."""
    case = await cases.by_declaration(session, declaration_id, for_update=for_update)
    if case is None:
        raise not_found(declaration_id)
    if case.tier not in NATIONAL_TIERS:
        raise CaseNotFound(details={"declaration_id": str(declaration_id), "tier": case.tier})
    if principal.role is Role.ministry:
        return case
    expert = await expert_of(session, principal)
    if expert is not None:
        on = await repository.duties(session, case.id, expert.id)
        if (duty in on) if duty else on:
            return case
    raise not_found(declaration_id)


async def decision_facts(session: AsyncSession, case: ReviewCase) -> dict[str, Any]:
    """What the decision's guards judge: the tier, the assigned reviewers without a sheet,
    and the 现场核查 items without a finding (and its conclusion)."""
    reviewers = await repository.assigned(session, case.id, REVIEW)
    scored = {s.expert_id for s, _ in await repository.sheets(session, case.id)}
    facts: dict[str, Any] = {
        "tier": case.tier,
        "assigned": len(reviewers),
        "unscored": tuple(str(e.id) for e in reviewers if e.id not in scored),
    }
    visit = await repository.onsite(session, case.id)
    if visit is not None:
        items = await repository.items(session, visit.id)
        facts["unrecorded"] = tuple(i.key for i in items if i.finding is None)
        facts["conclusion"] = visit.conclusion
    return facts


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
    key = (
        await session.exec(
            select(ReviewCase.campaign_year, ReviewCase.tier).where(
                ReviewCase.declaration_id == declaration_id
            )
        )
    ).first()
    if key is None:
        raise not_found(declaration_id)
    publicity = await repository.publicity(session, key[0], key[1], for_share=True)
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


async def list_cases(
    session: AsyncSession,
    principal: Principal,
    *,
    tier: str | None,
    status: str | None,
    campaign_year: int | None,
    offset: int,
    limit: int,
) -> tuple[list[ReviewCase], int]:
    """The ministry: every case in the national review; an expert: the cases they are on."""
    expert_id = None
    if principal.role is Role.expert:
        expert = await expert_of(session, principal)
        if expert is None:
            return [], 0
        expert_id = expert.id
    return await repository.page_cases(
        session,
        statuses=NATIONAL_STATUSES,
        tier=tier,
        status=status,
        campaign_year=campaign_year,
        expert_id=expert_id,
        offset=offset,
        limit=limit,
    )


def summary(case: ReviewCase) -> NationalCaseSummary:
    return NationalCaseSummary.model_validate(case)


def brief(e: NationalExpert) -> ExpertBrief:
    return ExpertBrief(id=e.id, name=e.name, organisation=e.organisation)


def _need_to_know(principal: Principal, details: dict[str, Any]) -> dict[str, Any]:
    """An expert scores the project, not its contact: the mobile is masked (the ministry,
    which may have to call, sees it whole) — `ladder.kit.privacy`."""
    if sees_contacts(principal) or not details.get("contact"):
        return details
    return {**details, "contact": masked_contact(details["contact"])}


async def to_read(
    session: AsyncSession, principal: Principal, case: ReviewCase
) -> NationalCaseRead:
    experts = None
    if principal.role is Role.ministry:
        experts = [brief(e) for e in await repository.assigned(session, case.id, REVIEW)]
    history = await cases.history(session, case.id)
    return NationalCaseRead(
        **summary(case).model_dump(),
        central_soe_group=case.central_soe_group,
        industry=case.industry,
        version=case.version,
        fingerprint=case.fingerprint,
        details=_need_to_know(principal, case.details),
        etag=case_etag(case),
        experts=experts,
        history=[TransitionRead.model_validate(t) for t in history],
    )
