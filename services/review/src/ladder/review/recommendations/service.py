"""The recommending units' lists (推荐汇总表): provinces, the XPCC, central-SOE group HQs —
and the tables of the levels below that rank their own (a Shanghai district, `ranking_levels`).

A lower table is the same list, keyed by the district's code: its entries are the cases the
district holds (待初审 at its level), its cap is the rules service's answer for that code
(沪经信制〔2025〕430号 一(二)4: 6 卓越级, 二(二)3: 1 领航级; 揭榜单位 exempt per the rules'
registry), and submitting it (by the district's deadline) forwards its cases one level up in
rank order, each with a forward opinion naming its rank. The upper unit's list is then built
from what the lower tables forwarded (`take_in_forwarded`): each lower table's rank 1 first
(among them the table submitted earliest first, then by unit code), then every rank 2, and so
on — no district's second choice goes above another's first; the upper unit reorders at will.

A list is opened once per (campaign year, tier, unit) with the quota the rules service
derives for that unit (先进级 has none: the unit recognises, 251号 一(二)). Its lifecycle is
`ListMachine` (open → locked → submitted), changed only through `transitions.move`; submitting
recommends (or, for 先进级, recognises) every case on it and freezes the 推荐汇总表 workbook as
the recommendation record.

Every change locks the list row (`SELECT … FOR UPDATE`) first, so additions are serialised
per list: the count of entries using the quota is read inside the same transaction as the
insert, and concurrent additions can never exceed the limit. Which entries use the quota is
the rules service's judgement (its usage check, `peers.RulesClient.usage`: e.g. a 揭榜单位 that
passed acceptance may be exempt); the limit is the one kept with the list when it was opened.
Lock order is always list, then case (opinions lock the case alone), so there is no deadlock.
Who may is `auth`; every query is in `repository`.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.contracts import review as contracts
from ladder.kit.auth import Principal
from ladder.kit.concurrency import locked_for_edit
from ladder.kit.units import registry
from ladder.review.cases import repository as cases
from ladder.review.cases import transitions as case_transitions
from ladder.review.cases.auth import may_read as may_read_case
from ladder.review.cases.machine import INITIAL_STATUS, RECOGNISED, RECOMMENDED, CaseMachine
from ladder.review.cases.models import ReviewCase
from ladder.review.cases.service import forward_with_table
from ladder.review.deadlines import Deadline, DeadlineBook, due_for_list, due_for_opinion
from ladder.review.errors import (
    AlreadyListed,
    CaseNotAwaitingRecommendation,
    CaseNotForThisList,
    CaseNotFound,
    EntriesNoLongerAwaiting,
    EntryNotFound,
    ListNotLocked,
    ListSubmitted,
    OrderMismatch,
    QuotaExhausted,
    RecommendationListNotFound,
)
from ladder.review.peers import Candidate, QuotaAnswer, QuotaUsage, RulesClient
from ladder.review.recommendations import auth, repository, summary_table, transitions
from ladder.review.recommendations.models import (
    RecommendationEntry,
    RecommendationList,
    RecommendationSubmission,
)
from ladder.review.recommendations.ranking_levels import ranking_levels
from ladder.review.recommendations.schemas import (
    EntryRead,
    ListEventRead,
    ListRead,
    ListStatus,
    ListSummary,
    ListTier,
    SubmissionRead,
)

AWAITING = CaseMachine.awaiting_recommendation.value


def _not_found(campaign_year: int, tier: ListTier, unit: str) -> RecommendationListNotFound:
    return RecommendationListNotFound(
        details={"campaign": campaign_year, "tier": tier.value, "unit": unit}
    )


def _check_unit(principal: Principal, campaign_year: int, tier: ListTier, unit: str) -> None:
    """Only the unit's own authority (404 for another unit: no leak), and a unit below the
    recommending ones only where its level ranks that tier (`ranking_levels`)."""
    if not auth.is_own_unit(principal, unit):
        raise _not_found(campaign_year, tier, unit)
    if unit.isdigit() and not unit.endswith("0000"):
        ranking = ranking_levels().of_unit(unit)
        if ranking is None or tier.value not in ranking.tiers:
            raise _not_found(campaign_year, tier, unit)


async def _get(
    session: AsyncSession,
    principal: Principal,
    campaign_year: int,
    tier: ListTier,
    unit: str,
    *,
    for_update: bool = False,
) -> RecommendationList:
    _check_unit(principal, campaign_year, tier, unit)
    lst = await repository.find(session, campaign_year, tier, unit, for_update=for_update)
    if lst is None:
        raise _not_found(campaign_year, tier, unit)
    return lst


async def _editable(
    session: AsyncSession,
    principal: Principal,
    campaign_year: int,
    tier: ListTier,
    unit: str,
    if_match: str,
) -> RecommendationList:
    """The unit's own list, locked and checked against its If-Match."""
    lst = await _get(session, principal, campaign_year, tier, unit)
    locked = await locked_for_edit(session, RecommendationList, lst.id, if_match)
    assert locked is not None  # lists are never deleted
    return locked


async def open_list(
    session: AsyncSession,
    rules: RulesClient,
    principal: Principal,
    campaign_year: int,
    tier: ListTier,
    unit: str,
) -> tuple[RecommendationList, bool]:
    """The list, created (with the quota from the rules service) if absent; True if created."""
    _check_unit(principal, campaign_year, tier, unit)
    existing = await repository.find(session, campaign_year, tier, unit, for_update=False)
    if existing is not None:
        return existing, False
    if tier is ListTier.advanced:
        # No national quota: the unit recognises (the clause is the 先进级 table's).
        answer = QuotaAnswer(
            limit=None,
            policy={"source": summary_table.specs()["advanced"].source},
            derivation=[],
        )
    else:
        answer = await rules.quota(campaign_year, tier.value, unit)
    inserted = await repository.insert_list(
        session,
        id=uuid.uuid4(),
        campaign_year=campaign_year,
        tier=tier.value,
        unit=unit,
        status=ListStatus.open.value,
        quota_limit=answer.limit,
        jiebang_exempt=bool(answer.exemptions),
        quota=answer.snapshot(),
        created_by=principal.sub,
        updated_by=principal.sub,
    )
    lst = await repository.find(session, campaign_year, tier, unit, for_update=False)
    assert lst is not None
    if inserted is None:  # another request created it meanwhile
        return lst, False
    transitions.opened(session, lst, actor=principal.sub)
    await session.flush()
    return lst, True


async def _get_readable(
    session: AsyncSession, principal: Principal, campaign_year: int, tier: ListTier, unit: str
) -> RecommendationList:
    lst = await repository.find(session, campaign_year, tier, unit, for_update=False)
    if lst is None or not auth.may_read(principal, lst):
        raise _not_found(campaign_year, tier, unit)
    return lst


async def read_list(
    session: AsyncSession, principal: Principal, campaign_year: int, tier: ListTier, unit: str
) -> RecommendationList:
    return await _get_readable(session, principal, campaign_year, tier, unit)


async def read_many(
    session: AsyncSession, principal: Principal, keys: Sequence[tuple[int, ListTier, str]]
) -> list[RecommendationList]:
    """The lists named that the caller may read (`read_list`'s rule), in the order named."""
    wanted = list(dict.fromkeys((year, tier.value, unit) for year, tier, unit in keys))
    found = {
        (lst.campaign_year, lst.tier, lst.unit): lst
        for lst in await repository.find_many(session, wanted)
        if auth.may_read(principal, lst)
    }
    return [found[k] for k in wanted if k in found]


async def listing(
    session: AsyncSession,
    principal: Principal,
    *,
    campaign_year: int | None,
    tier: ListTier | None,
    status: ListStatus | None,
    offset: int,
    limit: int,
) -> tuple[list[tuple[RecommendationList, RecommendationSubmission | None]], int]:
    """The lists the caller may read: a unit its own (any status), the ministry every
    submitted one; newest first."""
    clauses = auth.readable_filter(principal)
    if clauses is None:
        return [], 0
    if campaign_year is not None:
        clauses.append(RecommendationList.campaign_year == campaign_year)
    if tier is not None:
        clauses.append(RecommendationList.tier == tier.value)
    if status is not None:
        clauses.append(RecommendationList.status == status.value)
    return await repository.listing(session, clauses, offset=offset, limit=limit)


def _cap(lst: RecommendationList, counted: int) -> QuotaExhausted:
    """409 naming the cap: its limit, the clause and notice, and whose it is."""
    policy = lst.quota.get("policy") or {}
    quota_unit = lst.quota.get("quota_unit") or {}
    return QuotaExhausted(
        details={
            "limit": lst.quota_limit,
            "counted": counted,
            "unit": lst.unit,
            "unit_name": quota_unit.get("name"),
            "tier": lst.tier,
            "clause": policy.get("clause"),
            "source": policy.get("source"),
        }
    )


async def _usage(
    session: AsyncSession, rules: RulesClient, lst: RecommendationList, new: list[ReviewCase]
) -> QuotaUsage:
    """The rules service's usage check of the list's ranked entries followed by `new`: which
    use the quota and which an exemption (揭榜单位, from its registry) keeps off it."""
    ranked = [c for _, c in await repository.ranked_cases(session, lst.id)] + new
    candidates = [
        Candidate(id=str(c.declaration_id), enterprise_uscc=c.enterprise_uscc) for c in ranked
    ]
    return await rules.usage(lst.campaign_year, lst.tier, lst.unit, candidates)


async def _uses_the_quota(
    session: AsyncSession, rules: RulesClient, lst: RecommendationList, case: ReviewCase
) -> tuple[bool, str | None]:
    """Whether a new last entry uses a slot (and else the exemption that keeps it off), by the
    rules service's usage check; 409 `quota_exhausted` when it would use one beyond the
    list's limit."""
    if lst.quota_limit is None:
        return False, None
    mine = (await _usage(session, rules, lst, [case])).of(str(case.declaration_id))
    if not mine.counts:
        return False, mine.exemption
    counted = await repository.counted(session, lst.id)
    if counted >= lst.quota_limit:
        raise _cap(lst, counted)
    return True, None


def _check_listable(lst: RecommendationList, case: ReviewCase, unit: str) -> None:
    """The case waits for this unit: to recommend it (a recommending unit: 待推荐), or at a
    ranking level to rank it (held by this district, 待初审 at its level)."""
    ranking = ranking_levels().of_unit(unit)
    if ranking is None:
        waiting = case.status == AWAITING and case.recommending_unit == unit
    else:
        waiting = (case.status, case.level, case.holder_region) == (
            INITIAL_STATUS,
            ranking.level.value,
            unit,
        )
    if not waiting:
        raise CaseNotAwaitingRecommendation(
            details={
                "status": case.status,
                "recommending_unit": case.recommending_unit,
                "level": case.level,
                "holder_region": case.holder_region,
            }
        )
    if case.campaign_year != lst.campaign_year or case.tier != lst.tier:
        raise CaseNotForThisList(details={"campaign_year": case.campaign_year, "tier": case.tier})


async def add_entry(
    session: AsyncSession,
    rules: RulesClient,
    principal: Principal,
    campaign_year: int,
    tier: ListTier,
    unit: str,
    declaration_id: uuid.UUID,
) -> RecommendationList:
    """Append a case awaiting this unit's recommendation (or ranking), within the quota."""
    lst = await _get(session, principal, campaign_year, tier, unit, for_update=True)
    await transitions.move(
        session, lst, "edit", actor=principal.sub, action="added", declaration_id=declaration_id
    )
    case = await cases.by_declaration(session, declaration_id, for_update=True)
    if case is None or not may_read_case(principal, case):
        raise CaseNotFound(details={"declaration_id": str(declaration_id)})
    _check_listable(lst, case, unit)
    existing = await repository.entry(session, lst.id, declaration_id)
    if existing is not None:
        raise AlreadyListed(details={"rank": existing.rank})
    counts, exemption = await _uses_the_quota(session, rules, lst, case)
    session.add(
        RecommendationEntry(
            list_id=lst.id,
            declaration_id=declaration_id,
            rank=await repository.last_rank(session, lst.id) + 1,
            counts=counts,
            exemption=exemption,
            added_by=principal.sub,
        )
    )
    await session.flush()
    return lst


async def take_in_forwarded(
    session: AsyncSession,
    rules: RulesClient,
    principal: Principal,
    campaign_year: int,
    tier: ListTier,
    unit: str,
) -> RecommendationList:
    """Append what the lower tables forwarded and now awaits this unit's recommendation, in
    their rank order (rank 1 of every table, then rank 2 …; see the module docstring), as far
    as the quota goes: those the rules' usage check puts over it stay off, to be added by
    hand after a reorder or a removal."""
    lst = await _get(session, principal, campaign_year, tier, unit, for_update=True)
    forwarded = await repository.forwarded_to(session, lst)
    fitting = forwarded
    usage = None
    if lst.quota_limit is not None and forwarded:
        usage = await _usage(session, rules, lst, forwarded)
        fitting = [c for c in forwarded if usage.of(str(c.declaration_id)).within_quota]
    await transitions.move(
        session,
        lst,
        "edit",
        actor=principal.sub,
        action="taken_in",
        reason=f"{len(fitting)} of {len(forwarded)} cases forwarded by lower tables taken in, "
        f"in their rank order; {len(forwarded) - len(fitting)} over the quota left out",
    )
    rank = await repository.last_rank(session, lst.id)
    for case in fitting:
        mine = usage.of(str(case.declaration_id)) if usage is not None else None
        rank += 1
        session.add(
            RecommendationEntry(
                list_id=lst.id,
                declaration_id=case.declaration_id,
                rank=rank,
                counts=bool(mine and mine.counts),
                exemption=mine.exemption if mine else None,
                added_by=principal.sub,
            )
        )
    await session.flush()
    return lst


async def remove_entry(
    session: AsyncSession,
    principal: Principal,
    campaign_year: int,
    tier: ListTier,
    unit: str,
    declaration_id: uuid.UUID,
    if_match: str,
) -> RecommendationList:
    """Take a case off the list; those below it move up one rank."""
    lst = await _editable(session, principal, campaign_year, tier, unit, if_match)
    await transitions.move(
        session, lst, "edit", actor=principal.sub, action="removed", declaration_id=declaration_id
    )
    entry = await repository.entry(session, lst.id, declaration_id)
    if entry is None:
        raise EntryNotFound(details={"declaration_id": str(declaration_id)})
    await repository.remove_entry(session, entry)
    await session.flush()
    return lst


async def set_locked(
    session: AsyncSession,
    principal: Principal,
    campaign_year: int,
    tier: ListTier,
    unit: str,
    *,
    locked: bool,
    if_match: str,
) -> RecommendationList:
    """Toggle open ↔ locked (a submitted list is final). Setting the current state again is a
    no-op that still needs a fresh If-Match."""
    lst = await _editable(session, principal, campaign_year, tier, unit, if_match)
    if lst.status == ListStatus.submitted.value:
        raise ListSubmitted(details={"status": lst.status})
    target = ListStatus.locked if locked else ListStatus.open
    if lst.status != target.value:
        await transitions.move(
            session,
            lst,
            "lock" if locked else "unlock",
            actor=principal.sub,
            action="locked" if locked else "unlocked",
        )
        await session.flush()
    return lst


async def reorder(
    session: AsyncSession,
    principal: Principal,
    campaign_year: int,
    tier: ListTier,
    unit: str,
    order: list[uuid.UUID],
    if_match: str,
) -> RecommendationList:
    """Set the priority order (推荐顺序): `order` names every case on the list exactly once."""
    lst = await _editable(session, principal, campaign_year, tier, unit, if_match)
    await transitions.move(session, lst, "edit", actor=principal.sub, action="reordered")
    on_list = {e.declaration_id: e for e in await repository.entries(session, lst.id)}
    if len(order) != len(set(order)) or set(order) != set(on_list):
        raise OrderMismatch(
            details={
                "missing": sorted(str(d) for d in set(on_list) - set(order)),
                "unknown": sorted(str(d) for d in set(order) - set(on_list)),
                "repeated": sorted({str(d) for d in order if order.count(d) > 1}),
            }
        )
    for rank, declaration_id in enumerate(order, 1):
        on_list[declaration_id].rank = rank
        session.add(on_list[declaration_id])
    await session.flush()
    return lst


async def list_deadline(deadlines: DeadlineBook, lst: RecommendationList) -> Deadline | None:
    """The submission deadline of the unit: its province's chain of the list's tier, the
    national one for the XPCC and central SOEs; a lower table's is its level's opinion deadline
    (`ladder.review.deadlines`)."""
    region = lst.unit if lst.unit.isdigit() else None
    chain = await deadlines.chain(lst.campaign_year, lst.tier, region)
    ranking = ranking_levels().of_unit(lst.unit)
    if ranking is not None:
        return due_for_opinion(chain, ranking.level.value, top=False)
    return due_for_list(chain)


async def submit(
    session: AsyncSession,
    principal: Principal,
    campaign_year: int,
    tier: ListTier,
    unit: str,
    if_match: str,
    *,
    deadlines: DeadlineBook,
    now: datetime,
) -> RecommendationList:
    """Submit the locked list to the ministry, by the deadline: each case on it is
    recommended (or, for 先进级, recognised), in rank order, and the 推荐汇总表 is frozen."""
    lst = await _editable(session, principal, campaign_year, tier, unit, if_match)
    if lst.status == ListStatus.submitted.value:
        raise ListSubmitted(details={"status": lst.status})
    if lst.status != ListStatus.locked.value:
        raise ListNotLocked(details={"status": lst.status})
    return await submit_locked(session, principal, lst, deadlines=deadlines, now=now)


async def submit_locked(
    session: AsyncSession,
    principal: Principal,
    lst: RecommendationList,
    *,
    deadlines: DeadlineBook,
    now: datetime,
) -> RecommendationList:
    """Submit a list the caller locked (its row locked in this transaction): the body of
    `submit`, and of a pushed list submitted in the same request (`push`)."""
    campaign_year, tier, unit = lst.campaign_year, ListTier(lst.tier), lst.unit
    rows = await repository.ranked_cases(session, lst.id, for_update=True)
    deadline = await list_deadline(deadlines, lst)
    table_rows = [summary_table.row_of(e.rank, c) for e, c in rows]
    book = summary_table.workbook(
        tier.value, _recommending_unit_name(principal, unit), table_rows, at=now, draft=False
    )
    table_sha = hashlib.sha256(book).hexdigest()
    lower = auth.is_lower(lst)
    await transitions.move(
        session,
        lst,
        "submit",
        actor=principal.sub,
        action="submitted",
        reason=f"{'up the chain' if lower else 'to the ministry'}: {len(rows)} entries, "
        f"推荐汇总表 sha256 {table_sha[:12]}…",
        refused=lambda status: ListNotLocked(details={"status": status}),
        # A lower table goes up the chain, not to the ministry: nothing to tell the others.
        submitted=None
        if lower
        else contracts.ListSubmitted(
            campaign_year=campaign_year,
            tier=tier.value,
            unit=unit,
            declaration_ids=[r["declaration_id"] for r in table_rows],
            sha256=table_sha,
            at=now,
        ),
        entries=len(rows),
        deadline=deadline,
        now=now,
    )
    stale = [str(c.declaration_id) for _, c in rows if not _still_waiting(lst, c)]
    if stale:
        raise EntriesNoLongerAwaiting(details={"declaration_ids": stale})
    event, trigger = (
        (RECOGNISED, "recognise") if tier is ListTier.advanced else (RECOMMENDED, "recommend")
    )
    for entry, case in rows:
        reason = f"{tier.value} list of {unit}, rank {entry.rank}"
        if lower:
            await forward_with_table(session, principal, case, reason)
            continue
        await case_transitions.move(
            session, case, trigger, actor=principal.sub, event=event, reason=reason
        )
    session.add(
        RecommendationSubmission(
            list_id=lst.id,
            entries=table_rows,
            workbook=book,
            sha256=table_sha,
            deadline=deadline.closes_at if deadline else None,
            submitted_by=principal.sub,
            submitted_at=now,
        )
    )
    await session.flush()
    return lst


def _recommending_unit_name(principal: Principal, unit: str) -> str:
    """The 推荐单位 the table names: the caller's name — but a machine client's name is its
    system's (福建省推荐系统), not the unit's, so for it the units registry's name of the unit
    (福建省工业和信息化厅), else the unit's code."""
    if principal.scopes is None:
        return principal.name or unit
    listed = registry().get(unit)
    return listed.name if listed is not None and listed.name else unit


def _still_waiting(lst: RecommendationList, case: ReviewCase) -> bool:
    try:
        _check_listable(lst, case, lst.unit)
    except (CaseNotAwaitingRecommendation, CaseNotForThisList):
        return False
    return True


async def summary_workbook(
    session: AsyncSession,
    principal: Principal,
    campaign_year: int,
    tier: ListTier,
    unit: str,
    now: datetime,
) -> tuple[bytes, bool]:
    """The 推荐汇总表: as submitted (frozen), else a draft of the list as it stands now."""
    lst = await _get_readable(session, principal, campaign_year, tier, unit)
    record = await repository.submission(session, lst.id)
    if record is not None:
        return record.workbook, False
    rows = [
        summary_table.row_of(e.rank, c) for e, c in await repository.ranked_cases(session, lst.id)
    ]
    return summary_table.workbook(
        tier.value, _recommending_unit_name(principal, unit), rows, at=now, draft=True
    ), True


def summary(lst: RecommendationList, sub: RecommendationSubmission | None) -> ListSummary:
    assert lst.updated_at is not None
    return ListSummary(
        campaign_year=lst.campaign_year,
        tier=ListTier(lst.tier),
        unit=lst.unit,
        status=ListStatus(lst.status),
        limit=lst.quota_limit,
        entries=len(sub.entries) if sub is not None else 0,
        submitted_at=sub.submitted_at if sub is not None else None,
        sha256=sub.sha256 if sub is not None else None,
        updated_at=lst.updated_at,
    )


async def to_read(session: AsyncSession, lst: RecommendationList) -> ListRead:
    entries = [
        EntryRead(
            rank=e.rank,
            declaration_id=e.declaration_id,
            counts=e.counts,
            exemption=e.exemption,
            enterprise_name=c.enterprise_name,
            factory_name=c.factory_name,
            region_code=c.region_code,
            added_by=e.added_by,
            added_at=e.added_at,
        )
        for e, c in await repository.ranked_cases(session, lst.id)
    ]
    counted = sum(1 for e in entries if e.counts)
    history = await repository.history(session, lst.id)
    assert lst.created_at is not None and lst.updated_at is not None
    record = await repository.submission(session, lst.id)
    submission = (
        SubmissionRead(
            submitted_by=record.submitted_by,
            submitted_at=record.submitted_at,
            sha256=record.sha256,
            entries=len(record.entries),
            reported_to=[lst.unit[:2] + "0000"]
            if auth.is_lower(lst)
            else summary_table.specs()[lst.tier].recipients(lst.unit),
        )
        if record is not None and record.submitted_at is not None
        else None
    )
    return ListRead(
        campaign_year=lst.campaign_year,
        tier=ListTier(lst.tier),
        unit=lst.unit,
        status=ListStatus(lst.status),
        limit=lst.quota_limit,
        quota=lst.quota,
        counted=counted,
        exempt=len(entries) - counted,
        remaining=None if lst.quota_limit is None else max(lst.quota_limit - counted, 0),
        ranking_level=ranking.source if (ranking := ranking_levels().of_unit(lst.unit)) else None,
        submission=submission,
        etag=lst.etag,
        entries=entries,
        history=[ListEventRead.model_validate(h) for h in history],
        created_by=lst.created_by,
        created_at=lst.created_at,
        updated_at=lst.updated_at,
    )
