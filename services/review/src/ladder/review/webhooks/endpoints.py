"""Routes of the webhook subscriptions (machine clients only) and the public event types."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response, status

from ladder.contracts.webhooks import PUBLIC_TYPES
from ladder.kit.auth import PrincipalDep
from ladder.kit.concurrency import IfMatchDep
from ladder.kit.db import SessionDep
from ladder.kit.errors import declare
from ladder.kit.pagination import Page, PageDep
from ladder.kit.writes import KeyedWriteDep, answer_json
from ladder.review.settings import Settings
from ladder.review.webhooks import service
from ladder.review.webhooks.errors import (
    DeliveryDelivered,
    DeliveryNotFound,
    MachineClientsOnly,
    RegionOutOfReach,
    SubscriptionDisabled,
    SubscriptionNotFound,
    TooManySubscriptions,
    WebhookUrlRefused,
)
from ladder.review.webhooks.schemas import (
    DeliveryDetail,
    DeliveryPage,
    DeliveryRead,
    DeliveryState,
    EventTypeRead,
    ReplayResult,
    SubscriptionCreate,
    SubscriptionRead,
    SubscriptionUpdate,
    SubscriptionWithSecret,
)

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])

SUB = "/subscriptions/{subscription_id}"
SubscriptionId = Annotated[uuid.UUID, Path()]
DeliveryId = Annotated[int, Path(ge=1, le=2**63 - 1)]
MINE = (MachineClientsOnly, SubscriptionNotFound)


def _settings(request: Request) -> Settings:
    return request.app.state.settings


@router.get(
    "/event-types",
    response_model=list[EventTypeRead],
    responses=declare(),
    summary="The public event types, each with its version and JSON Schema",
)
async def event_types(_: PrincipalDep) -> list[EventTypeRead]:
    """Also committed under `docs/webhooks/`. Every message is the envelope
    `{type, version, id, timestamp, data}`; `data` follows the type's schema."""
    return [
        EventTypeRead(
            type=t.type, version=t.version, audience=t.scope, summary=t.summary, schema=t.schema()
        )
        for t in PUBLIC_TYPES.values()
    ]


@router.post(
    "/subscriptions",
    status_code=status.HTTP_201_CREATED,
    response_model=SubscriptionWithSecret,
    responses=declare(
        MachineClientsOnly, WebhookUrlRefused, RegionOutOfReach, TooManySubscriptions
    ),
    summary="Subscribe to event types (machine clients; Idempotency-Key); the secret once",
)
async def create_subscription(
    data: SubscriptionCreate, principal: PrincipalDep, write: KeyedWriteDep, request: Request
) -> Response:
    """Events go to `url` as signed POSTs (Standard Webhooks: `webhook-id`,
    `webhook-timestamp`, `webhook-signature`), at least once, in order per subject (a
    declaration, a list, a 公示), for the cases within the client's jurisdiction (narrowed by
    `regions`). The answer holds the signing secret; a replay of the key does not."""
    if (replayed := await write.begin(data)) is not None:
        return replayed
    settings = _settings(request)
    created = await service.create(
        write.session,
        principal,
        data,
        key=settings.webhook_sealing_key(),
        production=not settings.is_dev,
        limit=settings.webhook_subscriptions_per_client,
    )
    await write.answer(created.model_copy(update={"secret": None}), 201)
    return answer_json(created, 201)


@router.get(
    "/subscriptions",
    response_model=Page[SubscriptionRead],
    responses=declare(MachineClientsOnly),
    summary="The client's subscriptions, newest first",
)
async def list_subscriptions(
    session: SessionDep, principal: PrincipalDep, page: PageDep
) -> Page[SubscriptionRead]:
    items, total = await service.listing(
        session, principal, offset=page.offset, limit=page.page_size
    )
    return Page(items=items, total=total, page=page.page, page_size=page.page_size)


@router.get(
    SUB,
    response_model=SubscriptionRead,
    responses=declare(*MINE),
    summary="One subscription, with its waiting and dead deliveries counted; ETag",
)
async def read_subscription(
    subscription_id: SubscriptionId, session: SessionDep, principal: PrincipalDep
) -> Response:
    sub = await service.get(session, principal, subscription_id)
    return answer_json(await service.read(session, sub))


@router.patch(
    SUB,
    response_model=SubscriptionRead,
    responses=declare(*MINE, SubscriptionDisabled, WebhookUrlRefused, RegionOutOfReach),
    summary="Change the URL, event types, regions, description, or pause/resume (If-Match)",
)
async def update_subscription(
    subscription_id: SubscriptionId,
    data: SubscriptionUpdate,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
    request: Request,
) -> Response:
    """While paused nothing is sent and nothing new is queued; what was queued before is held
    and goes out once it is resumed. A new URL (or the resume) makes what waits due now."""
    sub = await service.update_subscription(
        session,
        principal,
        subscription_id,
        data,
        if_match,
        production=not _settings(request).is_dev,
    )
    return answer_json(await service.read(session, sub))


@router.delete(
    SUB,
    response_model=SubscriptionRead,
    responses=declare(*MINE, SubscriptionDisabled),
    summary="Delete (disable) the subscription (If-Match); its deliveries stay listed",
)
async def delete_subscription(
    subscription_id: SubscriptionId,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> Response:
    """What still waited is dead-lettered by the relay, not sent."""
    sub = await service.delete(session, principal, subscription_id, if_match)
    return answer_json(await service.read(session, sub))


@router.post(
    SUB + "/secret",
    response_model=SubscriptionWithSecret,
    responses=declare(*MINE, SubscriptionDisabled),
    summary="Rotate the signing secret (If-Match); the old one signs beside it for 24 h",
)
async def rotate_secret(
    subscription_id: SubscriptionId,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
    request: Request,
) -> Response:
    rotated = await service.rotate_secret(
        session, principal, subscription_id, if_match, key=_settings(request).webhook_sealing_key()
    )
    return answer_json(rotated)


@router.get(
    SUB + "/deliveries",
    response_model=DeliveryPage,
    responses=declare(*MINE),
    summary="The subscription's deliveries, oldest first (by state; keyset `after`)",
)
async def list_deliveries(
    subscription_id: SubscriptionId,
    session: SessionDep,
    principal: PrincipalDep,
    state: DeliveryState | None = None,
    after: Annotated[int, Query(ge=0, le=2**63 - 1, description="delivery id cursor")] = 0,
    limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE)] = 50,
) -> DeliveryPage:
    return await service.deliveries(
        session, principal, subscription_id, state, after=after, limit=limit
    )


@router.get(
    SUB + "/deliveries/{delivery_id}",
    response_model=DeliveryDetail,
    responses=declare(*MINE, DeliveryNotFound),
    summary="One delivery: the message as sent and every attempt (status, error, time)",
)
async def read_delivery(
    subscription_id: SubscriptionId,
    delivery_id: DeliveryId,
    session: SessionDep,
    principal: PrincipalDep,
) -> DeliveryDetail:
    return await service.delivery(session, principal, subscription_id, delivery_id)


@router.post(
    SUB + "/deliveries/{delivery_id}/replay",
    response_model=DeliveryRead,
    responses=declare(*MINE, DeliveryNotFound, DeliveryDelivered, SubscriptionDisabled),
    summary="Replay a dead (or retrying) delivery now, with the same webhook-id (Idempotency-Key)",
)
async def replay_delivery(
    subscription_id: SubscriptionId,
    delivery_id: DeliveryId,
    principal: PrincipalDep,
    write: KeyedWriteDep,
) -> Response:
    if (replayed := await write.begin()) is not None:
        return replayed
    out = await service.replay_one(write.session, principal, subscription_id, delivery_id)
    return await write.answer(out)


@router.post(
    SUB + "/deliveries/replay",
    response_model=ReplayResult,
    responses=declare(*MINE, SubscriptionDisabled),
    summary="Replay every dead delivery of the subscription, in order (Idempotency-Key)",
)
async def replay_dead(
    subscription_id: SubscriptionId, principal: PrincipalDep, write: KeyedWriteDep
) -> Response:
    if (replayed := await write.begin()) is not None:
        return replayed
    count = await service.replay_dead(write.session, principal, subscription_id)
    return await write.answer(ReplayResult(replayed=count))
