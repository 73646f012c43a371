"""The webhook transport of this service's outbox relay: the subscriptions' URLs and unsealed
secrets looked up per pass, every attempt kept in `webhook_attempt`."""

from __future__ import annotations

import uuid

from fastapi import FastAPI
from sqlalchemy import insert, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.kit import clock, webhooks
from ladder.kit.outbox import Transport
from ladder.review.settings import Settings
from ladder.review.webhooks.models import WebhookAttempt, WebhookSubscription
from ladder.review.webhooks.schemas import SubscriptionState
from ladder.review.webhooks.service import secrets_of


def _subscription_id(destination: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(destination.removeprefix(webhooks.PREFIX))
    except ValueError:
        return None


def transports(app: FastAPI) -> dict[str, Transport]:
    settings: Settings = app.state.settings
    key = settings.webhook_sealing_key()

    async def resolve(
        session: AsyncSession, destinations: list[str]
    ) -> dict[str, webhooks.Target | None]:
        ids = {d: _subscription_id(d) for d in destinations}
        subs = {
            s.id: s
            for s in (
                await session.execute(
                    select(WebhookSubscription).where(
                        WebhookSubscription.id.in_([i for i in ids.values() if i])  # type: ignore[attr-defined]
                    )
                )
            ).scalars()
        }
        now = clock.now()
        found: dict[str, webhooks.Target | None] = {}
        for dest, sid in ids.items():
            sub = subs.get(sid) if sid else None
            if sub is None or sub.status == SubscriptionState.disabled.value:
                found[dest] = None
                continue
            signing = secrets_of(sub, key, now)
            paused = sub.status == SubscriptionState.paused.value  # held until resumed
            found[dest] = (
                webhooks.Target(url=sub.url, secrets=signing, paused=paused) if signing else None
            )
        return found

    async def record(session: AsyncSession, attempts: list[webhooks.Attempt]) -> None:
        await session.execute(
            insert(WebhookAttempt),
            [
                {
                    "outbox_id": a.outbox_id,
                    "subscription_id": _subscription_id(a.destination),
                    "attempted_at": a.at,
                    "status_code": a.status_code,
                    "error": a.error[:1000] if a.error else None,
                    "duration_ms": a.duration_ms,
                }
                for a in attempts
            ],
        )

    return {
        webhooks.PREFIX: webhooks.WebhookTransport(
            resolve=resolve,
            record=record,
            client=webhooks.external_client(read_timeout=settings.webhook_timeout_seconds),
            max_attempts=settings.webhook_max_attempts,
            max_backoff_seconds=settings.webhook_max_backoff_seconds,
        )
    }
