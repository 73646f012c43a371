"""Subscriptions of machine clients and their deliveries: create, read, change, delete,
rotate the secret; list deliveries with their attempts; replay one or every dead letter.

A subscription is its owner's alone: another client (or a person) is told 404 for it, so
its existence does not leak. Only machine clients own subscriptions (a `Principal` with
`scopes`): an integration is a system, and the jurisdiction it receives events for is that
of its organisation, fixed in the claims kept with the subscription.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import func, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.contracts.identity import ClientRevoked
from ladder.kit import outbox_ops, sealing, webhooks
from ladder.kit.auth import Principal, Role
from ladder.kit.clock import now as clock_now
from ladder.kit.concurrency import locked_for_edit
from ladder.kit.outbox import Event, read_payload
from ladder.kit.outbox_ops import replay_values, state_filter, state_of
from ladder.review.tables import OUTBOX
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
from ladder.review.webhooks.models import WebhookAttempt, WebhookSubscription
from ladder.review.webhooks.schemas import (
    AttemptRead,
    DeliveryDetail,
    DeliveryPage,
    DeliveryRead,
    DeliveryState,
    SubscriptionCreate,
    SubscriptionRead,
    SubscriptionState,
    SubscriptionUpdate,
    SubscriptionWithSecret,
)

SEAL_PURPOSE = "webhook-secret"
ROTATION_OVERLAP = timedelta(hours=24)
MAX_PAGE = 200


def owner_of(principal: Principal) -> str:
    """The machine client's `sub` (403 `webhooks_machine_clients_only` for anyone else)."""
    if principal.scopes is None or principal.role is Role.service:
        raise MachineClientsOnly()
    return principal.sub


def claims_of(principal: Principal) -> dict[str, object]:
    return {
        "sub": principal.sub,
        "role": principal.role.value,
        "name": principal.name,
        "org": principal.org,
        "region": principal.region,
        "scopes": sorted(principal.scopes or ()),
    }


def principal_of(sub: WebhookSubscription) -> Principal:
    """The owner as it subscribed: whose reach decides which events it receives."""
    c = sub.owner_claims
    return Principal(
        sub=str(c["sub"]),
        role=Role(c["role"]),
        name=str(c.get("name") or ""),
        org=c.get("org"),
        region=c.get("region"),
        scopes=frozenset(c.get("scopes") or ()),
    )


def check_url(url: str, *, production: bool) -> str:
    """An absolute http(s) URL without credentials or fragment; https in production."""
    try:
        parts = urlsplit(url)
    except ValueError:
        raise WebhookUrlRefused(details={"reason": "unparsable"}) from None
    allowed = ("https",) if production else ("https", "http")
    problems = []
    if parts.scheme not in allowed:
        problems.append(f"scheme must be {' or '.join(allowed)}")
    if not parts.hostname:
        problems.append("no host")
    if parts.username or parts.password:
        problems.append("credentials in the URL")
    if parts.fragment:
        problems.append("a fragment")
    if problems:
        raise WebhookUrlRefused(details={"reason": "; ".join(problems)})
    return url


def check_regions(principal: Principal, regions: list[str]) -> list[str]:
    """Each region of the filter lies in the owner's jurisdiction."""
    outside = [r for r in regions if not principal.covers_region(r)]
    if outside:
        raise RegionOutOfReach(details={"regions": outside})
    return sorted(set(regions))


def _seal(key: str, secret: str) -> str:
    return sealing.seal(key, SEAL_PURPOSE, secret)


def secrets_of(sub: WebhookSubscription, key: str, now: datetime) -> tuple[str, ...]:
    """The secrets that sign its messages now: the current one, and the previous one while
    its overlap lasts. A secret that does not unseal (the sealing key changed) is left out."""
    found = [sealing.unseal(key, SEAL_PURPOSE, sub.secret_sealed)]
    if sub.previous_secret_sealed and sub.previous_until and now < sub.previous_until:
        found.append(sealing.unseal(key, SEAL_PURPOSE, sub.previous_secret_sealed))
    return tuple(s for s in found if s)


async def counts(session: AsyncSession, ids: list[uuid.UUID]) -> dict[str, tuple[int, int]]:
    """Destination → (pending, dead) deliveries."""
    c = OUTBOX.c
    dests = [webhooks.destination(i) for i in ids]
    rows = (
        await session.execute(
            select(
                c.destination,
                func.count().filter(c.dead_at.is_(None)),
                func.count().filter(c.dead_at.is_not(None)),
            )
            .where(c.destination.in_(dests), c.delivered_at.is_(None))
            .group_by(c.destination)
        )
    ).all()
    return {r[0]: (r[1], r[2]) for r in rows}


def to_read(sub: WebhookSubscription, pending: int = 0, dead: int = 0) -> SubscriptionRead:
    assert sub.created_at is not None and sub.updated_at is not None
    claims = sub.owner_claims
    return SubscriptionRead(
        id=sub.id,
        url=sub.url,
        event_types=list(sub.event_types),
        regions=list(sub.regions),
        description=sub.description,
        status=SubscriptionState(sub.status),
        owner=sub.owner,
        jurisdiction=claims.get("region") or claims.get("org"),
        secret_rotated_until=sub.previous_until,
        pending=pending,
        dead=dead,
        etag=sub.etag,
        created_at=sub.created_at,
        updated_at=sub.updated_at,
    )


async def read(session: AsyncSession, sub: WebhookSubscription) -> SubscriptionRead:
    pending, dead = (await counts(session, [sub.id])).get(webhooks.destination(sub.id), (0, 0))
    return to_read(sub, pending, dead)


async def create(
    session: AsyncSession,
    principal: Principal,
    data: SubscriptionCreate,
    *,
    key: str,
    production: bool,
    limit: int,
) -> SubscriptionWithSecret:
    owner = owner_of(principal)
    url = check_url(data.url, production=production)
    regions = check_regions(principal, data.regions)
    live = (
        await session.execute(
            select(func.count())
            .select_from(WebhookSubscription)
            .where(
                WebhookSubscription.owner == owner,
                WebhookSubscription.status != SubscriptionState.disabled.value,
            )
        )
    ).scalar_one()
    if live >= limit:
        raise TooManySubscriptions(details={"limit": limit})
    secret = webhooks.new_secret()
    now = clock_now()
    sub = WebhookSubscription(
        owner=owner,
        owner_claims=claims_of(principal),
        url=url,
        event_types=sorted(set(data.event_types)),
        regions=regions,
        description=data.description,
        status=SubscriptionState.active.value,
        secret_sealed=_seal(key, secret),
        created_at=now,
        updated_at=now,
    )
    session.add(sub)
    await session.flush()
    return SubscriptionWithSecret(**to_read(sub).model_dump(), secret=secret)


async def get(
    session: AsyncSession, principal: Principal, subscription_id: uuid.UUID
) -> WebhookSubscription:
    owner = owner_of(principal)
    sub = await session.get(WebhookSubscription, subscription_id)
    if sub is None or sub.owner != owner:
        raise SubscriptionNotFound(details={"subscription_id": str(subscription_id)})
    return sub


async def listing(
    session: AsyncSession, principal: Principal, *, offset: int, limit: int
) -> tuple[list[SubscriptionRead], int]:
    owner = owner_of(principal)
    where = WebhookSubscription.owner == owner
    total = (
        await session.execute(select(func.count()).select_from(WebhookSubscription).where(where))
    ).scalar_one()
    subs = (
        (
            await session.execute(
                select(WebhookSubscription)
                .where(where)
                .order_by(WebhookSubscription.created_at.desc(), WebhookSubscription.id)
                .offset(offset)
                .limit(limit)
            )
        )
        .scalars()
        .all()
    )
    found = await counts(session, [s.id for s in subs])
    return [to_read(s, *found.get(webhooks.destination(s.id), (0, 0))) for s in subs], total


async def _editable(
    session: AsyncSession, principal: Principal, subscription_id: uuid.UUID, if_match: str
) -> WebhookSubscription:
    await get(session, principal, subscription_id)
    sub = await locked_for_edit(session, WebhookSubscription, subscription_id, if_match)
    assert sub is not None  # subscriptions are disabled, never deleted
    if sub.status == SubscriptionState.disabled.value:
        raise SubscriptionDisabled(details={"subscription_id": str(subscription_id)})
    return sub


async def update_subscription(
    session: AsyncSession,
    principal: Principal,
    subscription_id: uuid.UUID,
    data: SubscriptionUpdate,
    if_match: str,
    *,
    production: bool,
) -> WebhookSubscription:
    sub = await _editable(session, principal, subscription_id, if_match)
    if data.url is not None:
        sub.url = check_url(data.url, production=production)
    if data.event_types is not None:
        sub.event_types = sorted(set(data.event_types))
    if data.regions is not None:
        sub.regions = check_regions(principal_of(sub), data.regions)
    if "description" in data.model_fields_set:
        sub.description = data.description
    resumed = data.status == SubscriptionState.active.value and sub.status != data.status
    if data.status is not None:
        sub.status = data.status
    sub.updated_at = clock_now()
    sub.bump()
    session.add(sub)
    await session.flush()
    if resumed or data.url is not None:
        await _wake(session, sub)
    return sub


async def _wake(session: AsyncSession, sub: WebhookSubscription) -> None:
    """What waits for the subscription due now: on resume, what the pause held; on a new
    URL, what was backing off against the old one (its attempts kept, so the bound holds)."""
    await session.execute(
        update(OUTBOX)
        .where(
            OUTBOX.c.destination == webhooks.destination(sub.id),
            OUTBOX.c.delivered_at.is_(None),
            OUTBOX.c.dead_at.is_(None),
        )
        .values(available_at=func.now())
    )


async def on_client_revoked(session: AsyncSession, event: Event) -> None:
    """The identity service revoked a machine client: its subscriptions are disabled as a
    delete would (what still waits is dead-lettered by the relay, not sent), so a revoked
    party receives nothing more — even before its last token runs out."""
    revoked = read_payload(ClientRevoked, event)
    now = clock_now()
    await session.execute(
        update(WebhookSubscription)
        .where(
            WebhookSubscription.owner == revoked.subject,
            WebhookSubscription.status != SubscriptionState.disabled.value,
        )
        .values(
            status=SubscriptionState.disabled.value,
            updated_at=now,
            row_version=WebhookSubscription.row_version + 1,
        )
    )


async def delete(
    session: AsyncSession, principal: Principal, subscription_id: uuid.UUID, if_match: str
) -> WebhookSubscription:
    """Disable: nothing more is queued, what waits is dead-lettered by the relay (the
    subscription is gone), the deliveries stay listed."""
    sub = await _editable(session, principal, subscription_id, if_match)
    sub.status = SubscriptionState.disabled.value
    sub.updated_at = clock_now()
    sub.bump()
    session.add(sub)
    await session.flush()
    return sub


async def rotate_secret(
    session: AsyncSession,
    principal: Principal,
    subscription_id: uuid.UUID,
    if_match: str,
    *,
    key: str,
) -> SubscriptionWithSecret:
    """A new secret; the old one signs beside it for `ROTATION_OVERLAP` (24 h), so the
    receiver can switch without losing a message."""
    sub = await _editable(session, principal, subscription_id, if_match)
    secret = webhooks.new_secret()
    now = clock_now()
    sub.previous_secret_sealed = sub.secret_sealed
    sub.previous_until = now + ROTATION_OVERLAP
    sub.secret_sealed = _seal(key, secret)
    sub.updated_at = now
    sub.bump()
    session.add(sub)
    await session.flush()
    return SubscriptionWithSecret(**(await read(session, sub)).model_dump(), secret=secret)


def _delivery(row: object) -> DeliveryRead:
    r = row._mapping  # type: ignore[attr-defined]
    state = state_of(r)
    return DeliveryRead(
        delivery_id=r["id"],
        webhook_id=str(r["event_id"]),
        type=r["topic"],
        subject=r["subject"],
        state=state,
        attempts=r["attempts"],
        replays=r["replays"],
        last_error=r["last_error"],
        created_at=r["created_at"],
        next_attempt_at=r["available_at"]
        if state in (DeliveryState.pending, DeliveryState.retrying)
        else None,
        delivered_at=r["delivered_at"],
        dead_at=r["dead_at"],
    )


_LISTED = [c for c in OUTBOX.c if c.name != "payload"]


async def deliveries(
    session: AsyncSession,
    principal: Principal,
    subscription_id: uuid.UUID,
    state: DeliveryState | None,
    *,
    after: int,
    limit: int,
) -> DeliveryPage:
    """Oldest first, after delivery id `after` (keyset: stable while new ones are queued)."""
    sub = await get(session, principal, subscription_id)
    c = OUTBOX.c
    query = select(*_LISTED).where(c.destination == webhooks.destination(sub.id), c.id > after)
    if state is not None:
        query = query.where(state_filter(OUTBOX, state))
    limit = max(1, min(limit, MAX_PAGE))
    rows = (await session.execute(query.order_by(c.id).limit(limit + 1))).all()
    items = [_delivery(r) for r in rows[:limit]]
    return DeliveryPage(
        items=items, next_after=items[-1].delivery_id if len(rows) > limit else None
    )


async def _delivery_row(
    session: AsyncSession, sub: WebhookSubscription, delivery_id: int, *, for_update: bool = False
) -> object:
    c = OUTBOX.c
    query = select(OUTBOX).where(c.id == delivery_id, c.destination == webhooks.destination(sub.id))
    if for_update:
        query = query.with_for_update()
    row = (await session.execute(query)).first()
    if row is None:
        raise DeliveryNotFound(details={"delivery_id": delivery_id})
    return row


async def delivery(
    session: AsyncSession, principal: Principal, subscription_id: uuid.UUID, delivery_id: int
) -> DeliveryDetail:
    sub = await get(session, principal, subscription_id)
    row = await _delivery_row(session, sub, delivery_id)
    attempts = (
        (
            await session.execute(
                select(WebhookAttempt)
                .where(WebhookAttempt.outbox_id == delivery_id)
                .order_by(WebhookAttempt.id)
            )
        )
        .scalars()
        .all()
    )
    return DeliveryDetail(
        **_delivery(row).model_dump(),
        message=row._mapping["payload"],  # type: ignore[attr-defined]
        attempt_log=[AttemptRead.model_validate(a) for a in attempts],
    )


async def replay_one(
    session: AsyncSession, principal: Principal, subscription_id: uuid.UUID, delivery_id: int
) -> DeliveryRead:
    """A dead (or retrying) delivery due now, its attempts reset: the same `webhook-id`."""
    sub = await _live(session, principal, subscription_id)
    row = await _delivery_row(session, sub, delivery_id, for_update=True)
    if row._mapping["delivered_at"] is not None:  # type: ignore[attr-defined]
        raise DeliveryDelivered(details={"delivery_id": delivery_id})
    updated = (
        await session.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id == delivery_id)
            .values(**replay_values(OUTBOX))
            .returning(*_LISTED)
        )
    ).one()
    return _delivery(updated)


async def replay_dead(
    session: AsyncSession, principal: Principal, subscription_id: uuid.UUID
) -> int:
    """Every dead delivery of the subscription due now, in their original order."""
    sub = await _live(session, principal, subscription_id)
    return await outbox_ops.replay_dead(session, OUTBOX, destination=webhooks.destination(sub.id))


async def _live(
    session: AsyncSession, principal: Principal, subscription_id: uuid.UUID
) -> WebhookSubscription:
    sub = await get(session, principal, subscription_id)
    if sub.status == SubscriptionState.disabled.value:
        raise SubscriptionDisabled(details={"subscription_id": str(subscription_id)})
    return sub
