"""The behaviour of review cases: receive submissions, route them along their jurisdiction's
chain, take the initial-review opinions (初审意见), list an authority's inbox, read a case.

A submission event upserts the case of its declaration. Events may arrive late or out of order
(the publisher's outbox retries with backoff), so a version replaces the case's version only if
it is newer: an older (or the same) version arriving late changes nothing. A new case, and a
case resubmitted, lands at the first level of its chain.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.contracts.declaration import (
    DeclarationSubmitted,
    SubmissionDetails,
)
from ladder.kit.auth import Principal
from ladder.kit.concurrency import check_if_match
from ladder.kit.jurisdiction import reach, through_regions
from ladder.kit.outbox import Event, read_payload
from ladder.review.cases import repository, transitions
from ladder.review.cases.auth import held_level, holds, may_read
from ladder.review.cases.machine import (
    FORWARDED,
    HELD_STATUSES,
    INITIAL_STATUS,
    NOT_RECOMMENDED,
    RECEIVED,
    RESUBMITTED,
    RETURNED,
)
from ladder.review.cases.models import CaseOpinion, CaseTransition, ReviewCase
from ladder.review.cases.schemas import (
    CaseRead,
    CaseSummary,
    CreditCheck,
    CreditStatus,
    Decision,
    OpinionCreate,
    OpinionRead,
    TransitionRead,
)
from ladder.review.deadlines import DeadlineBook, due_for_opinion
from ladder.review.errors import (
    CaseLevelNotInChain,
    CaseNotAwaitingReview,
    CaseNotFound,
    DeadlinePassed,
    ForwardThroughTable,
    NotCaseHolder,
    TransitionNotAllowed,
)
from ladder.review.recommendations import repository as list_repository
from ladder.review.recommendations import transitions as list_transitions
from ladder.review.recommendations.ranking_levels import ranking_levels
from ladder.review.routing.chains import Level, Route, chains

log = logging.getLogger("ladder.review.cases")


async def on_declaration_submitted(session: AsyncSession, event: Event) -> None:
    """Handler of `declaration.submitted` (runs in the request's transaction)."""
    submitted = read_payload(DeclarationSubmitted, event)
    await receive_submission(
        session, submitted, actor=f"service:{event.source}", event_id=event.event_id
    )


def case_etag(case: ReviewCase) -> str:
    return case.etag


def _first_level(submitted: DeclarationSubmitted) -> dict[str, str]:
    """Where a submission lands: the first level of its route's chain (see `chains.route`)."""
    route = chains().route(
        submitted.region_code,
        submitted.tier,
        submitted.central_soe_group,
        enterprise_uscc=submitted.enterprise_uscc,
    )
    level = route.chain.first().level
    return {
        "level": level.value,
        "holder_region": route.holder(level, submitted.region_code),
        "recommending_unit": route.unit,
    }


def _snapshot(submitted: DeclarationSubmitted) -> dict[str, Any]:
    return {
        "campaign_year": submitted.campaign_year,
        "tier": submitted.tier,
        "enterprise_uscc": submitted.enterprise_uscc,
        "enterprise_name": submitted.enterprise_name,
        "factory_name": submitted.factory_name,
        "region_code": submitted.region_code,
        "version": submitted.version,
        "fingerprint": submitted.fingerprint,
        "submitted_at": submitted.submitted_at,
        "central_soe_group": submitted.central_soe_group,
        "industry": submitted.industry,
        "details": submitted.details.model_dump(mode="json"),
    }


async def receive_submission(
    session: AsyncSession, submitted: DeclarationSubmitted, *, actor: str, event_id: uuid.UUID
) -> ReviewCase:
    """Open the declaration's case, or move it to a newer version; ignore older versions."""
    case = await repository.by_declaration(session, submitted.declaration_id, for_update=True)
    if case is None:
        case = await repository.insert_if_absent(
            session,
            {
                "id": uuid.uuid4(),
                "declaration_id": submitted.declaration_id,
                "status": INITIAL_STATUS,
                **_snapshot(submitted),
                **_first_level(submitted),
            },
        )
        if case is not None:
            await transitions.opened(session, case, actor=actor, event=RECEIVED, event_id=event_id)
            return case
        # Another delivery opened the case meanwhile (it committed while we waited).
        case = await repository.by_declaration(session, submitted.declaration_id, for_update=True)
        assert case is not None

    if submitted.version <= case.version:
        if submitted.version == case.version and submitted.fingerprint != case.fingerprint:
            log.warning(
                "declaration %s version %s arrived with another fingerprint; kept the first",
                submitted.declaration_id,
                submitted.version,
            )
        else:
            log.info(
                "ignored declaration %s version %s: case already at version %s",
                submitted.declaration_id,
                submitted.version,
                case.version,
            )
        return case

    def _newer_version(case: ReviewCase) -> None:
        # The newer version is the content under review; its snapshot replaces the old one,
        # and it starts again at the first level of its chain.
        for field, value in {**_snapshot(submitted), **_first_level(submitted)}.items():
            setattr(case, field, value)

    try:
        await transitions.move(
            session,
            case,
            "resubmit",
            actor=actor,
            event=RESUBMITTED,
            event_id=event_id,
            apply=_newer_version,
        )
    except TransitionNotAllowed:
        # A final decision (not_recommended) stands; the declaration service does not let the
        # enterprise resubmit then, so this is a producer bug to look into, not to retry.
        log.warning(
            "ignored declaration %s version %s: case is %s",
            submitted.declaration_id,
            submitted.version,
            case.status,
        )
    return case


async def give_opinion(
    session: AsyncSession,
    principal: Principal,
    declaration_id: uuid.UUID,
    data: OpinionCreate,
    if_match: str | None,
    *,
    deadlines: DeadlineBook,
    now: datetime,
) -> tuple[ReviewCase, CaseOpinion]:
    """The holder's initial-review opinion (初审意见): forward one level up (at the top, to the
    province's recommendation), return for revision, or not recommended (final)."""
    if data.decision is not Decision.forward:
        # A return or refusal takes the case off its holder's open table: lock those lists
        # before the case, in the order additions take them (list, then case).
        await list_repository.unsubmitted_entries_of(session, declaration_id)
    case = await repository.by_declaration(session, declaration_id, for_update=True)
    if case is None or not may_read(principal, case):
        raise CaseNotFound(details={"declaration_id": str(declaration_id)})
    if not holds(principal, case):
        raise NotCaseHolder(details={"level": case.level, "holder_region": case.holder_region})
    check_if_match(if_match, case_etag(case))

    route = chains().route_of(
        case.recommending_unit, case.region_code, enterprise_uscc=case.enterprise_uscc
    )
    chain = route.chain
    try:
        here = chain.at(Level(case.level))
    except KeyError:
        # The chains file changed under a case in flight: a data fix, not the caller's fault.
        raise CaseLevelNotInChain(
            details={"level": case.level, "chain": chain.name, "region_code": case.region_code}
        ) from None
    await _check_in_time(case, route, here.level, deadlines, now)
    facts: dict[str, Any]
    apply = None
    if data.decision is Decision.forward:
        _not_at_a_ranking_level(case)
        trigger, event = "forward", FORWARDED
        facts, apply = _forward(route, here, data.credit_check)
    elif data.decision is Decision.return_:
        trigger, event, facts = "return_for_revision", RETURNED, {"reasons": data.reasons}
    else:
        trigger, event, facts = "not_recommend", NOT_RECOMMENDED, {"reasons": data.reasons}
    opinion_level, opinion_region = here.level.value, route.holder(here.level, case.region_code)
    await transitions.move(
        session,
        case,
        trigger,
        actor=principal.sub,
        event=event,
        reason=data.reasons or None,
        # A return's or a refusal's reasons are the enterprise's to read.
        tell_reason=event in (RETURNED, NOT_RECOMMENDED),
        apply=apply,
        refused=lambda status, _: CaseNotAwaitingReview(
            details={"status": status, "decision": data.decision.value}
        ),
        **facts,
    )
    if event in (RETURNED, NOT_RECOMMENDED):
        # Off the holder's own ranked table (a Shanghai district's), if it was on one.
        await list_transitions.drop_case(
            session,
            case.declaration_id,
            actor=principal.sub,
            action=event,
            reason=data.reasons or "",
        )
    opinion = _opinion(
        case, principal, opinion_level, opinion_region, data.decision, data.reasons or None
    )
    credit = data.credit_check
    if credit is not None:
        opinion.credit_gsxt = credit.gsxt.value
        opinion.credit_zxgk = credit.zxgk.value
        opinion.credit_checked_on = credit.checked_on
    session.add(opinion)
    await session.flush()
    await session.refresh(opinion)
    return case, opinion


def _not_at_a_ranking_level(case: ReviewCase) -> None:
    """At a level that ranks its own table the case goes up with the table (`ranking_levels`):
    forwarding it alone would walk around the table's order and cap."""
    ranking = ranking_levels().at(case.level, case.holder_region, case.tier)
    if ranking is not None:
        raise ForwardThroughTable(
            details={
                "unit": case.holder_region,
                "tier": case.tier,
                "list": f"/v1/recommendation-lists/{case.campaign_year}/{case.tier}/"
                f"{case.holder_region}",
                "source": ranking.source,
            }
        )


def _forward(
    route: Route, here: Any, credit_check: CreditCheck | None
) -> tuple[dict[str, Any], Any]:
    """The machine's facts for a forward from `here`, and the move one level up (None at the
    top: the case then awaits the recommendation)."""
    above = route.chain.above(here.level)
    credit_rule = here.credit_check.source if here.requires_credit_check else None
    facts = {"next_level": above, "credit_rule": credit_rule, "credit_check": credit_check}
    if above is None:
        return facts, None

    def apply(case: ReviewCase) -> None:
        case.level = above.level.value
        case.holder_region = route.holder(above.level, case.region_code)

    return facts, apply


def _opinion(
    case: ReviewCase,
    principal: Principal,
    level: str,
    region: str,
    decision: Decision,
    reasons: str | None,
) -> CaseOpinion:
    return CaseOpinion(
        case_id=case.id,
        version=case.version,
        actor=principal.sub,
        actor_name=principal.name,
        role=principal.role.value,
        level=level,
        region=region,
        decision=decision.value,
        reasons=reasons,
    )


async def forward_with_table(
    session: AsyncSession, principal: Principal, case: ReviewCase, reason: str
) -> None:
    """A case on a ranking level's submitted table goes one level up, as a forward opinion of
    the unit that submitted it (the reason names its rank). The table was checked in time."""
    route = chains().route_of(case.recommending_unit, case.region_code)
    here = route.chain.at(Level(case.level))
    facts, apply = _forward(route, here, None)
    region = route.holder(here.level, case.region_code)
    await transitions.move(
        session,
        case,
        "forward",
        actor=principal.sub,
        event=FORWARDED,
        reason=reason,
        apply=apply,
        **facts,
    )
    session.add(_opinion(case, principal, here.level.value, region, Decision.forward, reason))


async def _check_in_time(
    case: ReviewCase, route: Route, level: Level, deadlines: DeadlineBook, now: datetime
) -> None:
    """An opinion only while its level's deadline is open (`ladder.review.deadlines`)."""
    if case.status not in HELD_STATUSES:
        return  # the machine refuses it anyway, with the clearer error
    region = case.region_code if through_regions(case.recommending_unit) else None
    chain = await deadlines.chain(case.campaign_year, case.tier, region)
    due = due_for_opinion(chain, level.value, top=route.chain.above(level) is None)
    if due is not None and now >= due.closes_at:
        raise DeadlinePassed(details=due.details())


def opinion_read(o: CaseOpinion) -> OpinionRead:
    credit = None
    if o.credit_gsxt and o.credit_zxgk and o.credit_checked_on:
        # Constructed, not validated: a check stored yesterday is not "in the future" today.
        credit = CreditCheck.model_construct(
            gsxt=CreditStatus(o.credit_gsxt),
            zxgk=CreditStatus(o.credit_zxgk),
            checked_on=o.credit_checked_on,
        )
    return OpinionRead(
        version=o.version,
        actor=o.actor,
        actor_name=o.actor_name,
        role=o.role,
        level=Level(o.level),
        region=o.region,
        decision=Decision(o.decision),
        reasons=o.reasons,
        credit_check=credit,
        at=o.at,
    )


async def inbox(
    session: AsyncSession,
    principal: Principal,
    *,
    held: bool,
    tier: str | None,
    status: str | None,
    offset: int,
    limit: int,
) -> tuple[list[ReviewCase], int]:
    """With `held`, the cases the caller holds (its level, within its jurisdiction, awaiting
    its move); without, every case in its jurisdiction (oversight)."""
    scope = reach(principal)
    level = held_level(principal)
    if held and level is None:
        return [], 0
    return await repository.page(
        session,
        reach=scope,
        held_at=level.value if held and level is not None else None,
        held_statuses=HELD_STATUSES,
        tier=tier,
        status=status,
        offset=offset,
        limit=limit,
    )


async def get_readable(
    session: AsyncSession, principal: Principal, declaration_id: uuid.UUID
) -> ReviewCase:
    case = await repository.by_declaration(session, declaration_id)
    if case is None or not may_read(principal, case):
        raise CaseNotFound(details={"declaration_id": str(declaration_id)})
    return case


async def readable_many(
    session: AsyncSession, principal: Principal, declaration_ids: Sequence[uuid.UUID]
) -> list[ReviewCase]:
    """The cases of these declarations that `principal` may read (`get_readable`'s rule, as
    SQL: the reach of `auth.may_read`), in the order of the ids."""
    found = {
        c.declaration_id: c
        for c in await repository.by_declarations(
            session, set(declaration_ids), reach=reach(principal)
        )
    }
    return [found[i] for i in dict.fromkeys(declaration_ids) if i in found]


def to_read(case: ReviewCase, history: list[CaseTransition]) -> CaseRead:
    summary = CaseSummary.model_validate(case)
    return CaseRead(
        **summary.model_dump(),
        details=SubmissionDetails.model_validate(case.details or {}),
        submitted_at=case.submitted_at,
        updated_at=case.updated_at,
        etag=case_etag(case),
        history=[TransitionRead.model_validate(t) for t in history],
    )
