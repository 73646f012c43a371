"""公示 (publicity) of the selected cases, objections (异议), and the published list.

One 公示 per campaign and tier: a draft (its list is the cases selected now) is announced,
which puts every selected case in publicity for the period; the public may object until it
ends; each objection is dismissed or upheld (the case is withdrawn); after the end, with no
objection pending, closing publishes the rest — for 领航级 the 培育对象 list, whose cases
start their cultivation (三(二)4-5).

The period counts calendar days in Beijing time (national.yaml `publicity`): from the moment
of the announcement to 00:00 of the day after the last day, the announcement's day counting as
day one. Locks: the publicity row (objections share it; announce and close take it for
update), then objections, then cases."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta, timezone

from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.contracts import webhooks as public
from ladder.contracts.registry import destinations
from ladder.contracts.review import LIST_PUBLISHED, ListPublished, PublishedEntry
from ladder.kit import clock
from ladder.kit.auth import Principal
from ladder.kit.concurrency import check_if_match
from ladder.kit.outbox import publish
from ladder.review.campaigns import service as campaigns
from ladder.review.cases import transitions
from ladder.review.cases.machine import ANNOUNCED, PUBLISHED, WITHDRAWN
from ladder.review.cases.models import ReviewCase
from ladder.review.national.data import NationalTier
from ladder.review.national.errors import (
    NothingToAnnounce,
    ObjectionNotFound,
    ObjectionResolved,
    ObjectionsUnresolved,
    PublicityClosed,
    PublicityEntryNotFound,
    PublicityExists,
    PublicityNotDraft,
    PublicityNotEnded,
    PublicityNotFound,
    PublicityNotOpen,
    PublicityPeriodTooLong,
    PublishedListNotFound,
)
from ladder.review.national.publicity import repository
from ladder.review.national.publicity.models import (
    NationalObjection,
    NationalPublicity,
    NationalPublicityEntry,
)
from ladder.review.national.publicity.schemas import (
    ObjectionCounts,
    ObjectionCreate,
    ObjectionResolve,
    PublicEntry,
    PublicityCreate,
    PublicityEntryRead,
    PublicityRead,
    PublicityStatus,
    Resolution,
)
from ladder.review.tables import OUTBOX
from ladder.review.webhooks import fanout

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")


DRAFT, OPEN, CLOSED = (s.value for s in PublicityStatus)


IN_PUBLICITY = "in_publicity"


def period_end(starts_at: datetime, days: int) -> datetime:
    """00:00 Beijing time of the day after the `days`-th calendar day (the day of
    `starts_at` is the first)."""
    first = beijing_date(starts_at)
    return datetime.combine(first + timedelta(days=days), time(0), BEIJING).astimezone(UTC)


def beijing_date(at: datetime) -> date:
    return at.astimezone(BEIJING).date()


def publicity_etag(p: NationalPublicity) -> str:
    return p.etag


def objection_etag(o: NationalObjection) -> str:
    return o.etag


def _missing(campaign_year: int, tier: str) -> PublicityNotFound:
    return PublicityNotFound(details={"campaign_year": campaign_year, "tier": tier})


STEPS = {DRAFT: OPEN, OPEN: CLOSED}
"""A 公示's statuses, in order: a draft is announced (open), an open one closed."""


def moved(p: NationalPublicity, to: str, *, by: str, at: datetime) -> None:
    """The one place a 公示 changes status, stamping who and when (and, when it opens, the
    period) with a new version. The callers have refused the wrong status already."""
    assert STEPS.get(p.status) == to, (p.status, to)
    p.status = to
    if to == OPEN:
        p.starts_at = at
        p.ends_at = period_end(at, p.days)
        p.announced_by = by
    else:
        p.closed_at = at
        p.closed_by = by
    p.bump()


def resolved(o: NationalObjection, outcome: Resolution, resolution: str, *, by: str) -> None:
    """The one place an objection changes status: pending → dismissed | upheld."""
    assert o.status == "pending", o.status
    o.status = outcome.value
    o.resolution = resolution
    o.resolved_by = by
    o.resolved_at = clock.now()
    o.bump()


async def get(
    session: AsyncSession,
    campaign_year: int,
    tier: NationalTier,
    *,
    for_update: bool = False,
    for_share: bool = False,
) -> NationalPublicity:
    p = await repository.publicity(
        session, campaign_year, tier.value, for_update=for_update, for_share=for_share
    )
    if p is None:
        raise _missing(campaign_year, tier.value)
    return p


async def create(
    session: AsyncSession, principal: Principal, data: PublicityCreate
) -> NationalPublicity:
    """A draft 公示 for the campaign and tier; the length of its period is fixed here, by the
    campaign's named 公示 period (`campaign.changed`)."""
    limits = await campaigns.publicity_for(session, data.campaign_year)
    days = data.days or limits.days
    if days > limits.max_days:
        raise PublicityPeriodTooLong(details={"days": days, "max_days": limits.max_days})
    tier = data.tier.value
    where = {"campaign_year": data.campaign_year, "tier": tier}
    if not await repository.selected_cases(session, data.campaign_year, tier):
        raise NothingToAnnounce(details=where)
    new_id = uuid.uuid4()
    inserted = await repository.insert_publicity(
        session,
        id=new_id,
        **where,
        status=DRAFT,
        days=days,
        row_version=1,
        created_by=principal.sub,
        created_at=clock.now(),
    )
    if not inserted:
        raise PublicityExists(details=where)
    return await get(session, data.campaign_year, data.tier)


async def announce(
    session: AsyncSession,
    principal: Principal,
    campaign_year: int,
    tier: NationalTier,
    if_match: str | None,
) -> NationalPublicity:
    """发布公示: every case selected now goes on the list and into publicity; the period
    starts now."""
    p = await get(session, campaign_year, tier, for_update=True)
    check_if_match(if_match, publicity_etag(p))
    if p.status != DRAFT:
        raise PublicityNotDraft(details={"status": p.status})
    selected = await repository.selected_cases(session, campaign_year, tier.value, for_update=True)
    if not selected:
        raise NothingToAnnounce(details={"campaign_year": campaign_year, "tier": tier.value})
    now = clock.now()
    for position, case in enumerate(selected, start=1):
        await transitions.move(session, case, "announce", actor=principal.sub, event=ANNOUNCED)
        session.add(
            NationalPublicityEntry(
                publicity_id=p.id,
                case_id=case.id,
                declaration_id=case.declaration_id,
                position=position,
                enterprise_name=case.enterprise_name,
                factory_name=case.factory_name,
                region_code=case.region_code,
            )
        )
    moved(p, OPEN, by=principal.sub, at=now)
    session.add(p)
    await session.flush()
    assert p.starts_at is not None and p.ends_at is not None
    await fanout.for_everyone(
        session,
        "publicity.opened",
        public.PublicityOpened(
            campaign_year=campaign_year,
            tier=tier.value,
            starts_at=p.starts_at,
            ends_at=p.ends_at,
            entries=[_listed(c) for c in selected],
        ),
        at=now,
        subject=f"publicity:{campaign_year}:{tier.value}",
    )
    return p


def _listed(case: ReviewCase) -> public.ListedFactory:
    return public.ListedFactory(
        declaration_id=case.declaration_id,
        enterprise_name=case.enterprise_name,
        factory_name=case.factory_name,
        region_code=case.region_code,
    )


async def resolve(
    session: AsyncSession,
    principal: Principal,
    objection_id: uuid.UUID,
    data: ObjectionResolve,
    if_match: str | None,
) -> NationalObjection:
    """Dismiss or uphold an objection; upheld withdraws its case (the resolution is the
    reason the enterprise is told). A case already withdrawn by another upheld objection
    stays as it is."""
    publicity_id = await repository.publicity_of_objection(session, objection_id)
    if publicity_id is None:
        raise ObjectionNotFound(details={"objection_id": str(objection_id)})
    p = await repository.publicity_by_id(session, publicity_id, for_share=True)
    objection = await repository.objection(session, objection_id, for_update=True)
    assert objection is not None
    check_if_match(if_match, objection_etag(objection))
    if objection.status != "pending":
        raise ObjectionResolved(details={"status": objection.status})
    if p.status != OPEN:
        raise PublicityNotOpen(details={"status": p.status})
    resolved(objection, data.outcome, data.resolution, by=principal.sub)
    session.add(objection)
    if data.outcome is Resolution.upheld:
        entry = await repository.entry(session, p.id, objection.declaration_id)
        assert entry is not None
        case = await repository.locked_case(session, entry.case_id)
        if case.status == IN_PUBLICITY:
            await transitions.move(
                session,
                case,
                "withdraw",
                actor=principal.sub,
                event=WITHDRAWN,
                reason=data.resolution,
                tell_reason=True,
                reasons=data.resolution,
            )
            entry.outcome = WITHDRAWN
            session.add(entry)
    await session.flush()
    return objection


def publicity_has_ended(p: NationalPublicity, now: datetime) -> None:
    assert p.ends_at is not None
    if now < p.ends_at:
        raise PublicityNotEnded(details={"ends_at": p.ends_at.isoformat()})


async def objections_are_resolved(session: AsyncSession, p: NationalPublicity) -> None:
    pending = (await repository.objection_counts(session, p.id)).get("pending", 0)
    if pending:
        raise ObjectionsUnresolved(details={"pending": pending})


async def close(
    session: AsyncSession,
    principal: Principal,
    campaign_year: int,
    tier: NationalTier,
    if_match: str | None,
) -> NationalPublicity:
    """Close the 公示 and publish the list: every case still in publicity is published; each
    领航级 one starts its cultivation from today (Beijing time). Queues
    `review.list_published` for the declaration service."""
    p = await get(session, campaign_year, tier, for_update=True)
    check_if_match(if_match, publicity_etag(p))
    if p.status != OPEN:
        raise PublicityNotOpen(details={"status": p.status})
    now = clock.now()
    publicity_has_ended(p, now)
    await objections_are_resolved(session, p)
    published: list[ReviewCase] = []
    for entry, _ in await repository.entries(session, p.id):
        if entry.outcome is not None:
            continue
        case = await repository.locked_case(session, entry.case_id)
        await transitions.move(session, case, "publish", actor=principal.sub, event=PUBLISHED)
        entry.outcome = PUBLISHED
        session.add(entry)
        published.append(case)
        if tier is NationalTier.pilot:
            # Lazy: the cultivation package is a sibling that imports the case machine too.
            from ladder.review.cultivation.service import start_cultivation

            await start_cultivation(
                session, case=case, start=beijing_date(now), actor=principal.sub
            )
    moved(p, CLOSED, by=principal.sub, at=now)
    session.add(p)
    await session.flush()
    await publish(
        session,
        OUTBOX,
        topic=LIST_PUBLISHED,
        destinations=destinations(LIST_PUBLISHED),
        payload=ListPublished(
            campaign_year=campaign_year,
            tier=tier.value,
            published_at=now,
            entries=[
                PublishedEntry(
                    declaration_id=c.declaration_id,
                    version=c.version,
                    enterprise_uscc=c.enterprise_uscc,
                    enterprise_name=c.enterprise_name,
                    factory_name=c.factory_name,
                    region_code=c.region_code,
                )
                for c in published
            ],
        ),
    )
    subject = f"publicity:{campaign_year}:{tier.value}"
    entries = await repository.entries(session, p.id)
    await fanout.for_everyone(
        session,
        "publicity.closed",
        public.PublicityClosed(
            campaign_year=campaign_year,
            tier=tier.value,
            closed_at=now,
            published=len(published),
            withdrawn=sum(1 for e, _ in entries if e.outcome == WITHDRAWN),
        ),
        at=now,
        subject=subject,
    )
    await fanout.for_everyone(
        session,
        "decision.published",
        public.DecisionPublished(
            campaign_year=campaign_year,
            tier=tier.value,
            published_at=now,
            entries=[_listed(c) for c in published],
        ),
        at=now,
        subject=subject,
    )
    return p


async def to_read(session: AsyncSession, p: NationalPublicity) -> PublicityRead:
    if p.status == DRAFT:
        rows = [
            PublicityEntryRead.model_validate(c, from_attributes=True)
            for c in await repository.selected_cases(session, p.campaign_year, p.tier)
        ]
    else:
        rows = [
            PublicityEntryRead(
                declaration_id=e.declaration_id,
                enterprise_name=e.enterprise_name,
                factory_name=e.factory_name,
                region_code=e.region_code,
                status=c.status,
            )
            for e, c in await repository.entries(session, p.id)
        ]
    assert p.created_at is not None
    return PublicityRead(
        campaign_year=p.campaign_year,
        tier=NationalTier(p.tier),
        status=PublicityStatus(p.status),
        days=p.days,
        starts_at=p.starts_at,
        ends_at=p.ends_at,
        entries=rows,
        objections=ObjectionCounts(**await repository.objection_counts(session, p.id)),
        etag=publicity_etag(p),
        created_by=p.created_by,
        created_at=p.created_at,
        closed_at=p.closed_at,
    )


async def announced(
    session: AsyncSession, campaign_year: int, tier: NationalTier
) -> tuple[NationalPublicity, list[PublicEntry]]:
    """The 公示 as the public sees it (a draft does not exist for them), without the
    projects withdrawn after an upheld objection."""
    p = await get(session, campaign_year, tier)
    if p.status == DRAFT:
        raise _missing(campaign_year, tier.value)
    rows = [
        PublicEntry(
            declaration_id=e.declaration_id,
            enterprise_name=e.enterprise_name,
            factory_name=e.factory_name,
            region_code=e.region_code,
            tier=tier,
        )
        for e, _ in await repository.entries(session, p.id)
        if e.outcome != WITHDRAWN
    ]
    return p, rows


def accepting_objections(p: NationalPublicity, now: datetime) -> bool:
    return p.status == OPEN and p.ends_at is not None and now < p.ends_at


async def object_to(
    session: AsyncSession, campaign_year: int, tier: NationalTier, data: ObjectionCreate
) -> NationalObjection:
    """An objection from the public, during the period, against a project still listed."""
    p = await get(session, campaign_year, tier, for_share=True)
    if p.status == DRAFT:
        raise _missing(campaign_year, tier.value)
    if not accepting_objections(p, clock.now()):
        raise PublicityClosed(
            details={"ends_at": p.ends_at.isoformat() if p.ends_at else None, "status": p.status}
        )
    entry = await repository.entry(session, p.id, data.declaration_id)
    if entry is None or entry.outcome is not None:
        raise PublicityEntryNotFound(details={"declaration_id": str(data.declaration_id)})
    objection = NationalObjection(
        publicity_id=p.id,
        declaration_id=data.declaration_id,
        name=data.name or None,
        contact=data.contact or None,
        content=data.content,
        status="pending",
        received_at=clock.now(),
    )
    session.add(objection)
    await session.flush()
    return objection


async def published_list(
    session: AsyncSession, campaign_year: int, tier: NationalTier, *, offset: int, limit: int
) -> tuple[NationalPublicity, list[PublicEntry], int]:
    p = await repository.publicity(session, campaign_year, tier.value)
    if p is None or p.status != CLOSED:
        raise PublishedListNotFound(details={"campaign_year": campaign_year, "tier": tier.value})
    rows, total = await repository.published_page(session, p.id, offset=offset, limit=limit)
    return (
        p,
        [
            PublicEntry(
                declaration_id=e.declaration_id,
                enterprise_name=e.enterprise_name,
                factory_name=e.factory_name,
                region_code=e.region_code,
                tier=tier,
            )
            for e in rows
        ],
        total,
    )


async def objections(
    session: AsyncSession,
    campaign_year: int,
    tier: NationalTier,
    *,
    status: str | None,
    declaration_id: uuid.UUID | None,
    offset: int,
    limit: int,
) -> tuple[list[NationalObjection], int]:
    """The 公示's objections, oldest first (404 without the 公示)."""
    p = await get(session, campaign_year, tier)
    return await repository.objections_page(
        session, p.id, status=status, declaration_id=declaration_id, offset=offset, limit=limit
    )
