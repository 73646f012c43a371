"""Reaching a national case and reading it: who sees what (an expert scores the project,
not its contact)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.kit.auth import Principal, Role
from ladder.kit.privacy import masked_contact, sees_contacts
from ladder.review.cases import repository as cases
from ladder.review.cases.machine import NATIONAL_STATUSES
from ladder.review.cases.models import ReviewCase
from ladder.review.cases.schemas import TransitionRead
from ladder.review.cases.service import case_etag
from ladder.review.errors import CaseNotFound
from ladder.review.national.cases import repository
from ladder.review.national.cases.schemas import NationalCaseRead, NationalCaseSummary
from ladder.review.national.data import NationalTier
from ladder.review.national.experts import repository as experts_repository
from ladder.review.national.experts.models import NationalExpert
from ladder.review.national.experts.repository import REVIEW
from ladder.review.national.experts.schemas import ExpertBrief

# The statuses after the decision: the experts may then see each other's sheets.
DECIDED = frozenset({"selected", "not_selected", "in_publicity", "withdrawn", "published"})


NATIONAL_TIERS = frozenset(t.value for t in NationalTier)


def not_found(declaration_id: uuid.UUID) -> CaseNotFound:
    return CaseNotFound(details={"declaration_id": str(declaration_id)})


async def expert_of(session: AsyncSession, principal: Principal) -> NationalExpert | None:
    """The pool's expert behind an expert token (matched on `sub`), if any."""
    if principal.role is not Role.expert:
        return None
    return await experts_repository.expert_by_account(session, principal.sub)


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
        on = await experts_repository.duties(session, case.id, expert.id)
        if (duty in on) if duty else on:
            return case
    raise not_found(declaration_id)


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
        experts = [brief(e) for e in await experts_repository.assigned(session, case.id, REVIEW)]
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


async def case_answer(session, principal, case: ReviewCase) -> dict:
    return (await to_read(session, principal, case)).model_dump(mode="json")
