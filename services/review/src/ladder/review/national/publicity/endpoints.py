"""Routes of the 公示: the ministry's (draft, announce, objections, close) and the public's
(the notice, objecting, the published list — no token; the gateway lets `/public/…` through)."""

from __future__ import annotations

import hashlib
import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response, status

from ladder.kit import clock
from ladder.kit.concurrency import IfMatchDep
from ladder.kit.db import SessionDep
from ladder.kit.errors import PayloadTooLarge, declare
from ladder.kit.pagination import Page, PageDep
from ladder.kit.writes import KeyedWriteDep, OptionalKeyedWriteDep, answer_json
from ladder.review.national.auth import MinistryDep
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
from ladder.review.national.publicity import service
from ladder.review.national.publicity.schemas import (
    ObjectionCreate,
    ObjectionRead,
    ObjectionReceipt,
    ObjectionResolve,
    ObjectionStatus,
    PublicityCreate,
    PublicityRead,
    PublicNotice,
    PublishedList,
)

publicity_router = APIRouter(prefix="/v1/national", tags=["national review: 公示"])


public_router = APIRouter(prefix="/public/v1", tags=["public: 公示 and published lists"])


Campaign = Annotated[int, Path(ge=2024, le=2100, description="campaign year", examples=[2025])]


ONE = "/publicities/{campaign}/{tier}"


def anonymous_caller(request: Request) -> str:
    """The Idempotency-Key scope of a caller without a token: its address (the gateway's
    X-Forwarded-For, believed from the gateway only), hashed — so one objector can neither
    squat another's key nor replay another's receipt."""
    address = request.client.host if request.client else "unknown"
    return "public:" + hashlib.sha256(address.encode()).hexdigest()[:32]


async def _read(session, p) -> dict:
    return (await service.to_read(session, p)).model_dump(mode="json")


def _objection(o) -> dict:
    return ObjectionRead.model_validate(
        {**o.model_dump(), "etag": service.objection_etag(o)}
    ).model_dump(mode="json")


@publicity_router.post(
    "/publicities",
    status_code=status.HTTP_201_CREATED,
    response_model=PublicityRead,
    responses=declare(NothingToAnnounce, PublicityExists, PublicityPeriodTooLong),
    summary="Draft the 公示 of a campaign's tier from its selected cases (Idempotency-Key)",
)
async def create_publicity(
    data: PublicityCreate,
    session: SessionDep,
    principal: MinistryDep,
    write: KeyedWriteDep,
) -> Response:
    """`days` defaults to national.yaml `publicity.days` (calendar days, Beijing time)."""

    async def run():
        return 201, await _read(session, await service.create(session, principal, data))

    return await write.run(data, run)


@publicity_router.get(
    ONE,
    response_model=PublicityRead,
    responses=declare(PublicityNotFound),
    summary="The 公示 (a draft lists the cases selected now) with objection counts and ETag",
)
async def read_publicity(
    campaign: Campaign, tier: NationalTier, session: SessionDep, principal: MinistryDep
) -> Response:
    return answer_json(await _read(session, await service.get(session, campaign, tier)))


@publicity_router.post(
    ONE + "/announce",
    response_model=PublicityRead,
    responses=declare(PublicityNotFound, PublicityNotDraft, NothingToAnnounce),
    summary="发布公示: the selected cases go into publicity; the period starts now "
    "(If-Match, Idempotency-Key)",
)
async def announce(
    campaign: Campaign,
    tier: NationalTier,
    session: SessionDep,
    principal: MinistryDep,
    write: KeyedWriteDep,
    if_match: IfMatchDep,
) -> Response:

    async def run():
        p = await service.announce(session, principal, campaign, tier, if_match)
        return 200, await _read(session, p)

    return await write.run(None, run)


@publicity_router.post(
    ONE + "/close",
    response_model=PublicityRead,
    responses=declare(PublicityNotFound, PublicityNotOpen, PublicityNotEnded, ObjectionsUnresolved),
    summary="End the 公示 and publish the list (If-Match, Idempotency-Key)",
)
async def close(
    campaign: Campaign,
    tier: NationalTier,
    session: SessionDep,
    principal: MinistryDep,
    write: KeyedWriteDep,
    if_match: IfMatchDep,
) -> Response:
    """Every case still in publicity is published (领航级: its cultivation starts today,
    Beijing time) and `review.list_published` is queued."""

    async def run():
        p = await service.close(session, principal, campaign, tier, if_match)
        return 200, await _read(session, p)

    return await write.run(None, run)


@publicity_router.get(
    ONE + "/objections",
    response_model=Page[ObjectionRead],
    responses=declare(PublicityNotFound),
    summary="Objections to the 公示, oldest first",
)
async def list_objections(
    campaign: Campaign,
    tier: NationalTier,
    session: SessionDep,
    principal: MinistryDep,
    page: PageDep,
    status_filter: Annotated[ObjectionStatus | None, Query(alias="status")] = None,
    declaration_id: uuid.UUID | None = None,
) -> Page[ObjectionRead]:
    rows, total = await service.objections(
        session,
        campaign,
        tier,
        status=status_filter.value if status_filter else None,
        declaration_id=declaration_id,
        offset=page.offset,
        limit=page.page_size,
    )
    return Page(
        items=[ObjectionRead.model_validate(_objection(o)) for o in rows],
        total=total,
        page=page.page,
        page_size=page.page_size,
    )


@publicity_router.post(
    "/objections/{objection_id}/resolution",
    response_model=ObjectionRead,
    responses=declare(ObjectionNotFound, ObjectionResolved, PublicityNotOpen),
    summary="Dismiss or uphold an objection; upheld withdraws the case (If-Match, Idempotency-Key)",
)
async def resolve_objection(
    objection_id: uuid.UUID,
    data: ObjectionResolve,
    session: SessionDep,
    principal: MinistryDep,
    write: KeyedWriteDep,
    if_match: IfMatchDep,
) -> Response:

    async def run():
        o = await service.resolve(session, principal, objection_id, data, if_match)
        return 200, _objection(o)

    return await write.run(data, run)


@public_router.get(
    "/publicity/{campaign}/{tier}",
    response_model=PublicNotice,
    responses=declare(PublicityNotFound),
    summary="The 公示: the projects and the period (no token)",
)
async def public_notice(
    campaign: Campaign, tier: NationalTier, session: SessionDep
) -> PublicNotice:
    p, rows = await service.announced(session, campaign, tier)
    assert p.starts_at is not None and p.ends_at is not None
    return PublicNotice(
        campaign_year=p.campaign_year,
        tier=tier,
        starts_at=p.starts_at,
        ends_at=p.ends_at,
        accepting_objections=service.accepting_objections(p, clock.now()),
        entries=rows,
    )


@public_router.post(
    "/publicity/{campaign}/{tier}/objections",
    status_code=status.HTTP_201_CREATED,
    response_model=ObjectionReceipt,
    responses=declare(PublicityNotFound, PublicityEntryNotFound, PublicityClosed, PayloadTooLarge),
    summary="Object to a project on the 公示 (no token; Idempotency-Key optional)",
)
async def object_to(
    campaign: Campaign,
    tier: NationalTier,
    data: ObjectionCreate,
    request: Request,
    session: SessionDep,
    write: OptionalKeyedWriteDep,
) -> Response:
    """Content 10–2000 characters; name and contact optional."""

    async def run():
        o = await service.object_to(session, campaign, tier, data)
        assert o.received_at is not None
        receipt = ObjectionReceipt(
            id=o.id, declaration_id=o.declaration_id, received_at=o.received_at
        )
        return 201, receipt.model_dump(mode="json")

    return await write.run(data, run, scope=anonymous_caller(request))


@public_router.get(
    "/published-lists/{campaign}/{tier}",
    response_model=PublishedList,
    responses=declare(PublishedListNotFound),
    summary="The published list (卓越级 名单 / 领航级 培育对象名单), paginated (no token)",
)
async def published_list(
    campaign: Campaign, tier: NationalTier, session: SessionDep, page: PageDep
) -> PublishedList:
    p, rows, total = await service.published_list(
        session, campaign, tier, offset=page.offset, limit=page.page_size
    )
    assert p.closed_at is not None
    return PublishedList(
        campaign_year=campaign,
        tier=tier,
        published_at=p.closed_at,
        items=rows,
        total=total,
        page=page.page,
        page_size=page.page_size,
    )
