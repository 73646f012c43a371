"""The expert pool (专家库) and putting experts on a case.

An expert on a case must exist, be active and have no conflict of interest with it
(`conflicts.py`); the same vetting serves the reviewers (材料评审) and the 现场核查 team."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.kit import clock
from ladder.kit.auth import Principal
from ladder.kit.concurrency import check_if_match
from ladder.review.cases.models import ReviewCase
from ladder.review.cases.service import case_etag
from ladder.review.national.cases.service import reach
from ladder.review.national.data import NationalTier, Range, national
from ladder.review.national.errors import (
    ConflictOfInterest,
    ExpertAccountTaken,
    ExpertCountOutOfRange,
    ExpertInactive,
    ExpertInUse,
    ExpertNotFound,
    TransitionNotAllowed,
)
from ladder.review.national.experts import access, repository
from ladder.review.national.experts.conflicts import Conflict, conflicts_of
from ladder.review.national.experts.models import NationalExpert
from ladder.review.national.experts.repository import REVIEW
from ladder.review.national.experts.schemas import (
    ConflictCheckRead,
    ConflictRead,
    ExpertConflicts,
    ExpertCreate,
    ExpertRead,
    ExpertUpdate,
)


def expert_etag(e: NationalExpert) -> str:
    return e.etag


def expert_read(e: NationalExpert) -> ExpertRead:
    return ExpertRead.model_validate({**e.model_dump(), "etag": expert_etag(e)})


async def get(session: AsyncSession, expert_id: uuid.UUID, *, for_update: bool = False):
    expert = await repository.expert(session, expert_id, for_update=for_update)
    if expert is None:
        raise ExpertNotFound(details={"expert_id": str(expert_id)})
    return expert


async def page(
    session: AsyncSession,
    *,
    field: str | None,
    region_prefix: str | None,
    active: bool | None,
    offset: int,
    limit: int,
) -> tuple[list[NationalExpert], int]:
    return await repository.page_experts(
        session,
        field=field,
        region_prefix=region_prefix,
        active=active,
        offset=offset,
        limit=limit,
    )


async def create(session: AsyncSession, principal: Principal, data: ExpertCreate) -> NationalExpert:
    """Add an expert; the account (`sub`) is unique (409 `expert_account_taken`)."""
    new_id = uuid.uuid4()
    now = clock.now()
    inserted = await repository.insert_expert(
        session,
        id=new_id,
        **data.model_dump(),
        row_version=1,
        created_by=principal.sub,
        updated_by=principal.sub,
        created_at=now,
        updated_at=now,
    )
    if not inserted:
        raise ExpertAccountTaken(details={"account": data.account})
    return await get(session, new_id)


async def update(
    session: AsyncSession,
    principal: Principal,
    expert_id: uuid.UUID,
    data: ExpertUpdate,
    if_match: str | None,
) -> NationalExpert:
    """Only the fields sent. A change that makes the expert conflicted with a case they are on
    (回避 found afterwards: a declared conflict, a new organisation) ends their access to its
    申报书; they stay assigned until the ministry takes them off."""
    expert = await get(session, expert_id, for_update=True)
    check_if_match(if_match, expert_etag(expert))
    changes = data.model_dump(exclude_unset=True)
    if "account" in changes and changes["account"] != expert.account:
        other = await repository.expert_by_account(session, changes["account"])
        if other is not None:
            raise ExpertAccountTaken(details={"account": changes["account"]})
    before = await access.expert_cases(session, expert)
    for field, value in changes.items():
        setattr(expert, field, value)
    expert.bump()
    expert.updated_by = principal.sub
    expert.updated_at = clock.now()
    session.add(expert)
    await session.flush()
    await access.expert_changed(session, expert, before)
    return expert


async def delete(session: AsyncSession, expert_id: uuid.UUID, if_match: str | None) -> None:
    """Only an expert who never sat on a case; the others are deactivated (`active: false`),
    so the record of who reviewed what stays."""
    expert = await get(session, expert_id, for_update=True)
    check_if_match(if_match, expert_etag(expert))
    if await repository.expert_in_use(session, expert_id):
        raise ExpertInUse(details={"expert_id": str(expert_id)})
    await session.delete(expert)
    await session.flush()


def _conflict_read(c: Conflict) -> ConflictRead:
    return ConflictRead(
        code=c.code, message=c.message, message_en=c.message_en, evidence=c.evidence
    )


async def _experts(session: AsyncSession, expert_ids: Sequence[uuid.UUID]) -> list[NationalExpert]:
    found = await repository.experts_by_ids(session, expert_ids)
    missing = [str(i) for i in expert_ids if i not in found]
    if missing:
        raise ExpertNotFound(details={"expert_ids": missing})
    return [found[i] for i in expert_ids]


def _check_count(n: int, allowed: Range, what: str) -> None:
    if not allowed.min <= n <= allowed.max:
        raise ExpertCountOutOfRange(
            details={"count": n, "min": allowed.min, "max": allowed.max, "for": what}
        )


async def vet(
    session: AsyncSession, case: ReviewCase, expert_ids: Sequence[uuid.UUID]
) -> list[NationalExpert]:
    """The experts, if every one exists (404), is active (409 `expert_inactive`) and has no
    conflict of interest with the case (409 `conflict_of_interest`, per expert)."""
    experts = await _experts(session, expert_ids)
    inactive = [str(e.id) for e in experts if not e.active]
    if inactive:
        raise ExpertInactive(details={"expert_ids": inactive})
    found = {
        str(e.id): [_conflict_read(c).model_dump() for c in conflicts_of(e, case)] for e in experts
    }
    conflicted = {k: v for k, v in found.items() if v}
    if conflicted:
        raise ConflictOfInterest(details={"experts": conflicted})
    return experts


async def conflict_check(
    session: AsyncSession,
    principal: Principal,
    declaration_id: uuid.UUID,
    expert_ids: Sequence[uuid.UUID],
) -> ConflictCheckRead:
    """Each expert's conflicts with the case, without assigning anyone."""
    case = await reach(session, principal, declaration_id)
    experts = await _experts(session, expert_ids)
    rows = [
        ExpertConflicts(
            expert_id=e.id,
            name=e.name,
            active=e.active,
            conflicts=[_conflict_read(c) for c in conflicts_of(e, case)],
        )
        for e in experts
    ]
    return ConflictCheckRead(experts=rows, clear=not any(r.conflicts for r in rows))


def experts_are_assigned_during_expert_review(case: ReviewCase) -> None:
    """Reviewers are put on a case while it is in the expert review, not before its formal
    check nor after the decision."""
    if case.status != "in_expert_review":
        raise TransitionNotAllowed(details={"status": case.status, "action": "assign_experts"})


async def assign(
    session: AsyncSession,
    principal: Principal,
    declaration_id: uuid.UUID,
    expert_ids: Sequence[uuid.UUID],
    if_match: str | None,
) -> tuple[ReviewCase, list[NationalExpert]]:
    """The case's reviewers become exactly `expert_ids` (If-Match on the case). A reviewer
    taken off keeps their sheet, but it no longer counts. Each one put on may read the 申报书,
    each one taken off no longer (`access`)."""
    case = await reach(session, principal, declaration_id, for_update=True)
    check_if_match(if_match, case_etag(case))
    experts_are_assigned_during_expert_review(case)
    _check_count(
        len(expert_ids), national().experts_per_case.for_tier(NationalTier(case.tier)), REVIEW
    )
    experts = await vet(session, case, expert_ids)
    before = await access.readers(session, case)
    await repository.replace_assignments(session, case.id, REVIEW, expert_ids, principal.sub)
    await access.changed(session, case, before, granted="assigned", revoked="unassigned")
    case.bump()
    case.updated_at = clock.now()
    session.add(case)
    await session.flush()
    return case, experts


def check_team_size(n: int) -> None:
    _check_count(n, national().onsite_team, "onsite")
