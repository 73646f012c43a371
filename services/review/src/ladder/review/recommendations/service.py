"""The recommending units' lists (推荐汇总表): provinces, the XPCC, central-SOE group HQs.

A list is opened once per (campaign year, tier, unit) with the quota the rules service
derives for that unit (先进级 has none: the unit recognises, 251号 一(二)). Its lifecycle is
`ListMachine` (open → locked → submitted); submitting recommends (or, for 先进级, recognises)
every case on it and freezes the 推荐汇总表 workbook as the recommendation record.

Every change locks the list row (`SELECT … FOR UPDATE`) first, so additions are serialised
per list: the count of entries using the quota is read inside the
same transaction as the insert, and concurrent additions can never exceed the limit.
Lock order is always list, then case (opinions lock the case alone), so there is no deadlock.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from typing import Any

from fastapi import Request
from sqlalchemy import func, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from statemachine.exceptions import TransitionNotAllowed

from ladder.contracts import review as contracts
from ladder.contracts.registry import destinations
from ladder.kit import clock
from ladder.kit.auth import Principal, Role
from ladder.kit.concurrency import check_if_match, etag
from ladder.kit.http import call_json
from ladder.kit.jurisdiction import unit_of
from ladder.kit.outbox import publish
from ladder.review.cases import repository as cases
from ladder.review.cases import transitions
from ladder.review.cases.auth import may_read
from ladder.review.cases.machine import RECOGNISED, RECOMMENDED, CaseMachine
from ladder.review.cases.models import ReviewCase
from ladder.review.deadlines import Deadline, DeadlineBook, due_for_list
from ladder.review.errors import (
    AlreadyListed,
    CaseNotAwaitingRecommendation,
    CaseNotForThisList,
    CaseNotFound,
    EntriesNoLongerAwaiting,
    EntryNotFound,
    ListLocked,
    ListNotLocked,
    ListSubmitted,
    OrderMismatch,
    QuotaExhausted,
    QuotaUnavailable,
    RecommendationListNotFound,
)
from ladder.review.recommendations import summary_table
from ladder.review.recommendations.machine import ListMachine
from ladder.review.recommendations.models import (
    RecommendationEntry,
    RecommendationList,
    RecommendationListEvent,
    RecommendationSubmission,
)
from ladder.review.recommendations.schemas import (
    EntryRead,
    ListEventRead,
    ListRead,
    ListStatus,
    ListSummary,
    ListTier,
    SubmissionRead,
)
from ladder.review.tables import OUTBOX

JIEBANG = "jiebang_accepted"
AWAITING = CaseMachine.awaiting_recommendation.value


def _edit(lst: RecommendationList) -> None:
    """Entries change only while the list is open (the machine's `edit`)."""
    try:
        ListMachine(lst, state_field="status").send("edit")
    except TransitionNotAllowed:
        raise ListLocked(details={"status": lst.status}) from None


def list_etag(lst: RecommendationList) -> str:
    return etag(
        "recommendation-list", f"{lst.campaign_year}-{lst.tier}-{lst.unit}", lst.row_version
    )


def _not_found(campaign_year: int, tier: ListTier, unit: str) -> RecommendationListNotFound:
    return RecommendationListNotFound(
        details={"campaign": campaign_year, "tier": tier.value, "unit": unit}
    )


def _check_unit(principal: Principal, campaign_year: int, tier: ListTier, unit: str) -> None:
    """Only the unit's own authority (404 for another unit: no leak)."""
    if unit_of(principal) != unit:
        raise _not_found(campaign_year, tier, unit)


async def _find(
    session: AsyncSession, campaign_year: int, tier: ListTier, unit: str, *, for_update: bool
) -> RecommendationList | None:
    stmt = select(RecommendationList).where(
        RecommendationList.campaign_year == campaign_year,
        RecommendationList.tier == tier.value,
        RecommendationList.unit == unit,
    )
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.exec(stmt)).first()


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
    lst = await _find(session, campaign_year, tier, unit, for_update=for_update)
    if lst is None:
        raise _not_found(campaign_year, tier, unit)
    return lst


def _touch(
    session: AsyncSession,
    lst: RecommendationList,
    principal: Principal,
    action: str,
    declaration_id: uuid.UUID | None = None,
    *,
    before: str | None = None,
    reason: str | None = None,
) -> None:
    """Bump the list's version and write its history row (`before`: the status before a
    transition; an edit of the entries leaves it as it was)."""
    lst.row_version += 1
    lst.updated_by = principal.sub
    lst.updated_at = clock.now()
    session.add(lst)
    session.add(
        RecommendationListEvent(
            list_id=lst.id,
            action=action,
            from_status=before or lst.status,
            to_status=lst.status,
            reason=reason,
            declaration_id=declaration_id,
            row_version=lst.row_version,
            actor=principal.sub,
        )
    )


async def _read_quota(request: Request, campaign_year: int, tier: ListTier, unit: str) -> dict:
    rules = request.app.state.peers["rules"]
    resp = await call_json(
        rules,
        "GET",
        f"/v1/campaigns/{campaign_year}/quotas",
        dependency="rules",
        params={"tier": tier.value, "unit": unit},
    )
    if resp.status_code != 200:
        try:
            upstream = resp.json().get("error", {})
        except ValueError:
            upstream = {}
        raise QuotaUnavailable(
            details={"status": resp.status_code, "upstream_code": upstream.get("code")}
        )
    return resp.json()


async def open_list(
    session: AsyncSession,
    request: Request,
    principal: Principal,
    campaign_year: int,
    tier: ListTier,
    unit: str,
) -> tuple[RecommendationList, bool]:
    """The list, created (with the quota from the rules service) if absent; True if created."""
    _check_unit(principal, campaign_year, tier, unit)
    existing = await _find(session, campaign_year, tier, unit, for_update=False)
    if existing is not None:
        return existing, False
    if tier is ListTier.advanced:
        answer: dict[str, Any] = {
            "limit": None,
            # No national quota: the unit recognises (the clause is the 先进级 table's).
            "policy": {"source": summary_table.specs()["advanced"].source},
            "derivation": [],
        }
    else:
        answer = await _read_quota(request, campaign_year, tier, unit)
    snapshot: dict[str, Any] = {
        k: answer.get(k)
        for k in (
            "limit",
            "quota_unit",
            "policy",
            "derivation",
            "reference",
            "sample",
            "level",
            "demo",
        )
        if k in answer
    }
    snapshot["exemptions"] = answer.get("exemptions") or []
    exempt_keys = {e.get("key") for e in snapshot["exemptions"] if isinstance(e, dict)}
    new_id = uuid.uuid4()
    inserted = (
        await session.exec(
            insert(RecommendationList)
            .values(
                id=new_id,
                campaign_year=campaign_year,
                tier=tier.value,
                unit=unit,
                status=ListStatus.open.value,
                quota_limit=None if answer["limit"] is None else int(answer["limit"]),
                jiebang_exempt=JIEBANG in exempt_keys,
                quota=snapshot,
                created_by=principal.sub,
                updated_by=principal.sub,
            )
            .on_conflict_do_nothing(
                index_elements=[
                    col(RecommendationList.campaign_year),
                    col(RecommendationList.tier),
                    col(RecommendationList.unit),
                ]
            )
            .returning(col(RecommendationList.id))
        )
    ).scalar_one_or_none()
    lst = await _find(session, campaign_year, tier, unit, for_update=False)
    assert lst is not None
    if inserted is None:  # another request created it meanwhile
        return lst, False
    session.add(
        RecommendationListEvent(
            list_id=lst.id,
            action="created",
            to_status=lst.status,
            row_version=lst.row_version,
            actor=principal.sub,
        )
    )
    await session.flush()
    return lst, True


def _may_read(principal: Principal, lst: RecommendationList) -> bool:
    """The unit reads its lists; the ministry reads what was submitted to it."""
    if unit_of(principal) == lst.unit:
        return True
    return principal.role is Role.ministry and lst.status == ListStatus.submitted.value


async def _get_readable(
    session: AsyncSession, principal: Principal, campaign_year: int, tier: ListTier, unit: str
) -> RecommendationList:
    lst = await _find(session, campaign_year, tier, unit, for_update=False)
    if lst is None or not _may_read(principal, lst):
        raise _not_found(campaign_year, tier, unit)
    return lst


async def read_list(
    session: AsyncSession, principal: Principal, campaign_year: int, tier: ListTier, unit: str
) -> RecommendationList:
    return await _get_readable(session, principal, campaign_year, tier, unit)


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
    stmt = select(RecommendationList, RecommendationSubmission).join(
        RecommendationSubmission,
        col(RecommendationSubmission.list_id) == RecommendationList.id,
        isouter=True,
    )
    if principal.role is Role.ministry:
        stmt = stmt.where(RecommendationList.status == ListStatus.submitted.value)
    else:
        unit = unit_of(principal)
        if unit is None:
            return [], 0
        stmt = stmt.where(RecommendationList.unit == unit)
    if campaign_year is not None:
        stmt = stmt.where(RecommendationList.campaign_year == campaign_year)
    if tier is not None:
        stmt = stmt.where(RecommendationList.tier == tier.value)
    if status is not None:
        stmt = stmt.where(RecommendationList.status == status.value)
    total = (await session.exec(select(func.count()).select_from(stmt.subquery()))).one()
    rows = await session.exec(
        stmt.order_by(col(RecommendationList.updated_at).desc(), col(RecommendationList.id))
        .offset(offset)
        .limit(limit)
    )
    return [(lst, sub) for lst, sub in rows.all()], total


async def _counted(session: AsyncSession, list_id: uuid.UUID) -> int:
    stmt = select(func.count()).where(
        RecommendationEntry.list_id == list_id, col(RecommendationEntry.counts).is_(True)
    )
    return (await session.exec(stmt)).one()


async def add_entry(
    session: AsyncSession,
    principal: Principal,
    campaign_year: int,
    tier: ListTier,
    unit: str,
    declaration_id: uuid.UUID,
    jiebang_accepted: bool,
) -> RecommendationList:
    """Append a case awaiting this province's recommendation, within the quota."""
    lst = await _get(session, principal, campaign_year, tier, unit, for_update=True)
    _edit(lst)
    case = await cases.by_declaration(session, declaration_id, for_update=True)
    if case is None or not may_read(principal, case):
        raise CaseNotFound(details={"declaration_id": str(declaration_id)})
    if case.status != AWAITING or case.recommending_unit != unit:
        raise CaseNotAwaitingRecommendation(
            details={"status": case.status, "recommending_unit": case.recommending_unit}
        )
    if case.campaign_year != campaign_year or case.tier != tier.value:
        raise CaseNotForThisList(details={"campaign_year": case.campaign_year, "tier": case.tier})
    existing = (
        await session.exec(
            select(RecommendationEntry.rank).where(
                RecommendationEntry.list_id == lst.id,
                RecommendationEntry.declaration_id == declaration_id,
            )
        )
    ).first()
    if existing is not None:
        raise AlreadyListed(details={"rank": existing})
    counts = lst.quota_limit is not None and not (jiebang_accepted and lst.jiebang_exempt)
    if counts and lst.quota_limit is not None:
        counted = await _counted(session, lst.id)
        if counted >= lst.quota_limit:
            raise QuotaExhausted(details={"limit": lst.quota_limit, "counted": counted})
    last = (
        await session.exec(
            select(func.coalesce(func.max(RecommendationEntry.rank), 0)).where(
                RecommendationEntry.list_id == lst.id
            )
        )
    ).one()
    session.add(
        RecommendationEntry(
            list_id=lst.id,
            declaration_id=declaration_id,
            rank=last + 1,
            jiebang_accepted=jiebang_accepted,
            counts=counts,
            added_by=principal.sub,
        )
    )
    _touch(session, lst, principal, "added", declaration_id)
    await session.flush()
    return lst


async def remove_entry(
    session: AsyncSession,
    principal: Principal,
    campaign_year: int,
    tier: ListTier,
    unit: str,
    declaration_id: uuid.UUID,
    if_match: str | None,
) -> RecommendationList:
    """Take a case off the list; those below it move up one rank."""
    lst = await _get(session, principal, campaign_year, tier, unit, for_update=True)
    check_if_match(if_match, list_etag(lst))
    _edit(lst)
    entry = (
        await session.exec(
            select(RecommendationEntry).where(
                RecommendationEntry.list_id == lst.id,
                RecommendationEntry.declaration_id == declaration_id,
            )
        )
    ).first()
    if entry is None:
        raise EntryNotFound(details={"declaration_id": str(declaration_id)})
    rank = entry.rank
    await session.delete(entry)
    await session.flush()
    await session.exec(
        update(RecommendationEntry)
        .where(col(RecommendationEntry.list_id) == lst.id, col(RecommendationEntry.rank) > rank)
        .values(rank=RecommendationEntry.rank - 1)
    )
    _touch(session, lst, principal, "removed", declaration_id)
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
    if_match: str | None,
) -> RecommendationList:
    """Toggle open ↔ locked (a submitted list is final). Setting the current state again is a
    no-op that still needs a fresh If-Match."""
    lst = await _get(session, principal, campaign_year, tier, unit, for_update=True)
    check_if_match(if_match, list_etag(lst))
    if lst.status == ListStatus.submitted.value:
        raise ListSubmitted(details={"status": lst.status})
    target = ListStatus.locked if locked else ListStatus.open
    if lst.status != target.value:
        before = lst.status
        ListMachine(lst, state_field="status").send("lock" if locked else "unlock")
        _touch(session, lst, principal, "locked" if locked else "unlocked", before=before)
        await session.flush()
    return lst


async def reorder(
    session: AsyncSession,
    principal: Principal,
    campaign_year: int,
    tier: ListTier,
    unit: str,
    order: list[uuid.UUID],
    if_match: str | None,
) -> RecommendationList:
    """Set the priority order (推荐顺序): `order` names every case on the list exactly once."""
    lst = await _get(session, principal, campaign_year, tier, unit, for_update=True)
    check_if_match(if_match, list_etag(lst))
    _edit(lst)
    entries = (
        await session.exec(select(RecommendationEntry).where(RecommendationEntry.list_id == lst.id))
    ).all()
    on_list = {e.declaration_id: e for e in entries}
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
    _touch(session, lst, principal, "reordered")
    await session.flush()
    return lst


async def _ranked_cases(
    session: AsyncSession, list_id: uuid.UUID, *, for_update: bool = False
) -> list[tuple[RecommendationEntry, ReviewCase]]:
    stmt = (
        select(RecommendationEntry, ReviewCase)
        .join(ReviewCase, col(ReviewCase.declaration_id) == RecommendationEntry.declaration_id)
        .where(RecommendationEntry.list_id == list_id)
        .order_by(col(RecommendationEntry.rank))
    )
    if for_update:
        stmt = stmt.with_for_update(of=ReviewCase)  # type: ignore[arg-type]
    return list((await session.exec(stmt)).all())


async def list_deadline(deadlines: DeadlineBook, lst: RecommendationList) -> Deadline | None:
    """The submission deadline of the unit: its province's chain, the national one for the
    XPCC and central SOEs (`ladder.review.deadlines`)."""
    region = lst.unit if lst.unit.isdigit() else None
    return due_for_list(await deadlines.chain(lst.campaign_year, region))


async def submit(
    session: AsyncSession,
    principal: Principal,
    campaign_year: int,
    tier: ListTier,
    unit: str,
    if_match: str | None,
    *,
    deadlines: DeadlineBook,
    now: datetime,
) -> RecommendationList:
    """Submit the locked list to the ministry, by the deadline: each case on it is
    recommended (or, for 先进级, recognised), in rank order, and the 推荐汇总表 is frozen."""
    lst = await _get(session, principal, campaign_year, tier, unit, for_update=True)
    check_if_match(if_match, list_etag(lst))
    if lst.status == ListStatus.submitted.value:
        raise ListSubmitted(details={"status": lst.status})
    if lst.status != ListStatus.locked.value:
        raise ListNotLocked(details={"status": lst.status})
    rows = await _ranked_cases(session, lst.id, for_update=True)
    deadline = await list_deadline(deadlines, lst)
    list_before = lst.status
    ListMachine(lst, state_field="status").send(
        "submit", entries=len(rows), deadline=deadline, now=now
    )
    stale = [str(c.declaration_id) for _, c in rows if c.status != AWAITING]
    if stale:
        raise EntriesNoLongerAwaiting(details={"declaration_ids": stale})
    event, trigger = (
        (RECOGNISED, "recognise") if tier is ListTier.advanced else (RECOMMENDED, "recommend")
    )
    for entry, case in rows:
        await transitions.move(
            session,
            case,
            trigger,
            actor=principal.sub,
            event=event,
            reason=f"{tier.value} list of {unit}, rank {entry.rank}",
        )
    table_rows = [summary_table.row_of(e.rank, c) for e, c in rows]
    book = summary_table.workbook(
        tier.value, principal.name or unit, table_rows, at=now, draft=False
    )
    table_sha = hashlib.sha256(book).hexdigest()
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
    _touch(
        session,
        lst,
        principal,
        "submitted",
        before=list_before,
        reason=f"to the ministry: {len(rows)} entries, 推荐汇总表 sha256 {table_sha[:12]}…",
    )
    await publish(
        session,
        OUTBOX,
        topic=contracts.LIST_SUBMITTED,
        destinations=destinations(contracts.LIST_SUBMITTED),
        payload=contracts.ListSubmitted(
            campaign_year=campaign_year,
            tier=tier.value,
            unit=unit,
            declaration_ids=[r["declaration_id"] for r in table_rows],
            sha256=table_sha,
            at=now,
        ),
    )
    await session.flush()
    return lst


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
    record = await session.get(RecommendationSubmission, lst.id)
    if record is not None:
        return record.workbook, False
    rows = [summary_table.row_of(e.rank, c) for e, c in await _ranked_cases(session, lst.id)]
    return summary_table.workbook(
        tier.value, principal.name or unit, rows, at=now, draft=True
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
    rows = (
        await session.exec(
            select(RecommendationEntry, ReviewCase)
            .join(ReviewCase, col(ReviewCase.declaration_id) == RecommendationEntry.declaration_id)
            .where(RecommendationEntry.list_id == lst.id)
            .order_by(col(RecommendationEntry.rank))
        )
    ).all()
    history = (
        await session.exec(
            select(RecommendationListEvent)
            .where(RecommendationListEvent.list_id == lst.id)
            .order_by(col(RecommendationListEvent.id))
        )
    ).all()
    entries = [
        EntryRead(
            rank=e.rank,
            declaration_id=e.declaration_id,
            jiebang_accepted=e.jiebang_accepted,
            counts=e.counts,
            enterprise_name=c.enterprise_name,
            factory_name=c.factory_name,
            region_code=c.region_code,
            added_by=e.added_by,
            added_at=e.added_at,
        )
        for e, c in rows
    ]
    counted = sum(1 for e in entries if e.counts)
    assert lst.created_at is not None and lst.updated_at is not None
    record = await session.get(RecommendationSubmission, lst.id)
    submission = (
        SubmissionRead(
            submitted_by=record.submitted_by,
            submitted_at=record.submitted_at,
            sha256=record.sha256,
            entries=len(record.entries),
            reported_to=summary_table.specs()[lst.tier].recipients(lst.unit),
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
        submission=submission,
        etag=list_etag(lst),
        entries=entries,
        history=[ListEventRead.model_validate(h) for h in history],
        created_by=lst.created_by,
        created_at=lst.created_at,
        updated_at=lst.updated_at,
    )
