"""Score sheets on a case: an assigned reviewer writes their own; who sees what.

Concurrency: a sheet is the expert's own record, so its first PUT needs no precondition
(`If-None-Match: *` may be sent to refuse overwriting one), and every later change needs
`If-Match` with the sheet's ETag. A PUT is a whole sheet, so retrying it is harmless.
The case row is share-locked while a sheet is written, so a decision (which locks the case
for update) never reads the sheets half-way."""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.kit import clock
from ladder.kit.auth import Principal, Role
from ladder.kit.concurrency import check_if_match, etag
from ladder.kit.errors import PreconditionFailed
from ladder.review.cases.models import ReviewCase
from ladder.review.national.cases.service import DECIDED, expert_of, not_found, reach
from ladder.review.national.data import NationalTier, national
from ladder.review.national.errors import ScoringClosed
from ladder.review.national.experts import repository as experts_repository
from ladder.review.national.experts.models import NationalExpert
from ladder.review.national.experts.repository import REVIEW
from ladder.review.national.scoring import repository
from ladder.review.national.scoring.models import NationalScoreSheet
from ladder.review.national.scoring.schemas import (
    AggregateRead,
    CriterionRead,
    ScoreSheetRead,
    ScoresRead,
)
from ladder.review.national.scoring.sheet import aggregate, check_sheet, total

OPEN_FOR_SCORING = frozenset({"in_expert_review", "onsite_verification"})


def sheet_etag(case: ReviewCase, sheet: NationalScoreSheet) -> str:
    return etag(sheet.etag_kind, f"{case.declaration_id}-{sheet.expert_id}", sheet.row_version)


def _criteria(case: ReviewCase):
    return national().criteria.for_tier(NationalTier(case.tier))


def sheet_read(case: ReviewCase, s: NationalScoreSheet, e: NationalExpert) -> ScoreSheetRead:
    assert s.submitted_at is not None and s.updated_at is not None
    return ScoreSheetRead(
        expert_id=e.id,
        expert_name=e.name,
        scores=s.scores,
        total=s.total,
        etag=sheet_etag(case, s),
        submitted_at=s.submitted_at,
        updated_at=s.updated_at,
    )


async def _reviewer_case(
    session: AsyncSession, principal: Principal, declaration_id: uuid.UUID
) -> tuple[ReviewCase, NationalExpert]:
    """The case (share-locked) and the caller, if the caller is one of its reviewers."""
    expert = await expert_of(session, principal)
    if expert is None:
        raise not_found(declaration_id)
    case = await repository.case_for_scoring(session, declaration_id)
    if case is None or REVIEW not in await experts_repository.duties(session, case.id, expert.id):
        raise not_found(declaration_id)
    return case, expert


async def submit_own(
    session: AsyncSession,
    principal: Principal,
    declaration_id: uuid.UUID,
    scores: dict[str, float],
    *,
    if_match: str | None,
    if_none_match: str | None,
) -> tuple[ReviewCase, NationalScoreSheet, NationalExpert, bool]:
    """Create or replace the caller's sheet; True when created."""
    case, expert = await _reviewer_case(session, principal, declaration_id)
    if case.status not in OPEN_FOR_SCORING:
        raise ScoringClosed(details={"status": case.status})
    criteria = _criteria(case)
    check_sheet(criteria, scores)
    sheet = await repository.sheet(session, case.id, expert.id, for_update=True)
    now = clock.now()
    if sheet is None:
        if if_match is not None and if_match.strip() != "*":
            raise PreconditionFailed(details={"current_etag": None})
        sheet = NationalScoreSheet(
            case_id=case.id,
            expert_id=expert.id,
            scores=scores,
            total=total(criteria, scores),
            submitted_at=now,
            updated_at=now,
        )
        created = True
    else:
        current = sheet_etag(case, sheet)
        if if_none_match is not None and if_none_match.strip() == "*":
            raise PreconditionFailed(details={"current_etag": current})
        check_if_match(if_match, current)
        sheet.scores = scores
        sheet.total = total(criteria, scores)
        sheet.bump()
        sheet.updated_at = now
        created = False
    session.add(sheet)
    await session.flush()
    await session.refresh(sheet)
    return case, sheet, expert, created


async def read(
    session: AsyncSession, principal: Principal, declaration_id: uuid.UUID
) -> ScoresRead:
    """The ministry sees every sheet and the aggregate over the assigned reviewers; an expert
    on the case sees their own sheet until the decision, and everything after it."""
    case = await reach(session, principal, declaration_id)
    criteria = _criteria(case)
    reviewers = await experts_repository.assigned(session, case.id, REVIEW)
    assigned_ids = {e.id for e in reviewers}
    sheets = [(s, e) for s, e in await repository.sheets(session, case.id) if e.id in assigned_ids]
    sees_all = principal.role is Role.ministry or case.status in DECIDED
    if not sees_all:
        me = await expert_of(session, principal)
        own = [(s, e) for s, e in sheets if me is not None and e.id == me.id]
        return ScoresRead(
            criteria=[CriterionRead.model_validate(c) for c in criteria],
            sheets=[sheet_read(case, s, e) for s, e in own],
            aggregate=None,
            assigned=None,
            unscored=None,
        )
    agg = aggregate(criteria, [s.scores for s, _ in sheets])
    scored = {e.id for _, e in sheets}
    return ScoresRead(
        criteria=[CriterionRead.model_validate(c) for c in criteria],
        sheets=[sheet_read(case, s, e) for s, e in sheets],
        aggregate=AggregateRead(
            sheets=agg.sheets, mean_total=agg.mean_total, criterion_means=agg.criterion_means
        ),
        assigned=len(reviewers),
        unscored=[e.id for e in reviewers if e.id not in scored],
    )
