"""The province's recommendation lists (推荐汇总表).

A list is opened once per (campaign year, tier, province) with the quota the rules service
derives for that unit. Every change locks the list row (`SELECT … FOR UPDATE`) first, so
additions are serialised per list: the count of entries using the quota is read inside the
same transaction as the insert, and concurrent additions can never exceed the limit.
Lock order is always list, then case (opinions lock the case alone), so there is no deadlock.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from sqlalchemy import func, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.kit.auth import Principal
from ladder.kit.concurrency import check_if_match, etag
from ladder.kit.http import call_json
from ladder.review.cases import repository as cases
from ladder.review.cases.machine import CaseMachine
from ladder.review.cases.models import ReviewCase
from ladder.review.errors import (
    AlreadyListed,
    CaseNotAwaitingRecommendation,
    CaseNotForThisList,
    CaseNotFound,
    EntryNotFound,
    ListLocked,
    ListSubmitted,
    QuotaExhausted,
    QuotaUnavailable,
    RecommendationListNotFound,
)
from ladder.review.recommendations.models import (
    RecommendationEntry,
    RecommendationList,
    RecommendationListEvent,
)
from ladder.review.recommendations.schemas import (
    EntryRead,
    ListEventRead,
    ListRead,
    ListStatus,
    ListTier,
)

JIEBANG = "jiebang_accepted"
AWAITING = CaseMachine.awaiting_recommendation.value


def list_etag(lst: RecommendationList) -> str:
    return etag(
        "recommendation-list", f"{lst.campaign_year}-{lst.tier}-{lst.unit}", lst.row_version
    )


def _not_found(campaign_year: int, tier: ListTier, unit: str) -> RecommendationListNotFound:
    return RecommendationListNotFound(
        details={"campaign": campaign_year, "tier": tier.value, "unit": unit}
    )


def _check_unit(principal: Principal, campaign_year: int, tier: ListTier, unit: str) -> None:
    """Only the province authority of the unit (404 for another province: no leak)."""
    if not principal.covers_region(unit):
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
) -> None:
    lst.row_version += 1
    lst.updated_by = principal.sub
    lst.updated_at = datetime.now(UTC)
    session.add(lst)
    session.add(
        RecommendationListEvent(
            list_id=lst.id,
            action=action,
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
    answer = await _read_quota(request, campaign_year, tier, unit)
    snapshot: dict[str, Any] = {
        k: answer.get(k)
        for k in ("limit", "quota_unit", "policy", "derivation", "reference", "sample", "level")
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
                quota_limit=int(answer["limit"]),
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
            list_id=lst.id, action="created", row_version=lst.row_version, actor=principal.sub
        )
    )
    await session.flush()
    return lst, True


async def read_list(
    session: AsyncSession, principal: Principal, campaign_year: int, tier: ListTier, unit: str
) -> RecommendationList:
    return await _get(session, principal, campaign_year, tier, unit)


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
    if lst.status != ListStatus.open.value:
        raise ListLocked(details={"status": lst.status})
    case = await cases.by_declaration(session, declaration_id, for_update=True)
    if case is None or not principal.covers_region(case.region_code):
        raise CaseNotFound(details={"declaration_id": str(declaration_id)})
    if case.status != AWAITING or case.level != "province" or case.holder_region != unit:
        raise CaseNotAwaitingRecommendation(
            details={"status": case.status, "level": case.level, "holder": case.holder_region}
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
    counts = not (jiebang_accepted and lst.jiebang_exempt)
    if counts:
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
    if lst.status != ListStatus.open.value:
        raise ListLocked(details={"status": lst.status})
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
        lst.status = target.value
        _touch(session, lst, principal, "locked" if locked else "unlocked")
        await session.flush()
    return lst


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
    return ListRead(
        campaign_year=lst.campaign_year,
        tier=ListTier(lst.tier),
        unit=lst.unit,
        status=ListStatus(lst.status),
        limit=lst.quota_limit,
        quota=lst.quota,
        counted=counted,
        exempt=len(entries) - counted,
        remaining=max(lst.quota_limit - counted, 0),
        etag=list_etag(lst),
        entries=entries,
        history=[ListEventRead.model_validate(h) for h in history],
        created_by=lst.created_by,
        created_at=lst.created_at,
        updated_at=lst.updated_at,
    )
