"""Requests and answers of the webhook subscriptions and their deliveries."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ladder.contracts.webhooks import PUBLIC_TYPES
from ladder.kit.outbox_ops import OutboxState

EventType = Literal[tuple(sorted(PUBLIC_TYPES))]  # type: ignore[valid-type]
Region = Annotated[str, StringConstraints(pattern=r"^[1-8][0-9]{5}$")]
Url = Annotated[str, StringConstraints(min_length=10, max_length=2000)]


class SubscriptionState(StrEnum):
    active = "active"
    # Paused: nothing is sent and no new deliveries are queued; what was queued before the
    # pause is held (no attempt counted) and goes out, in order, once it is active again.
    paused = "paused"
    disabled = "disabled"  # deleted: kept for the audit trail


class SubscriptionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Url = Field(description="where messages are POSTed (https in production)")
    event_types: list[EventType] = Field(min_length=1, max_length=len(PUBLIC_TYPES))
    regions: list[Region] = Field(
        default_factory=list,
        max_length=50,
        description="GB/T 2260 codes within the client's jurisdiction (350100: 福州 and its "
        "districts); empty = the whole jurisdiction. Public events (公示, published lists) go "
        "to every subscriber of their type.",
    )
    description: str | None = Field(default=None, max_length=500)


class SubscriptionUpdate(BaseModel):
    """Fields given replace the subscription's; absent ones stay."""

    model_config = ConfigDict(extra="forbid")

    url: Url | None = None
    event_types: list[EventType] | None = Field(
        default=None, min_length=1, max_length=len(PUBLIC_TYPES)
    )
    regions: list[Region] | None = Field(default=None, max_length=50)
    description: str | None = Field(default=None, max_length=500)
    status: Literal["active", "paused"] | None = None


class SubscriptionRead(BaseModel):
    id: uuid.UUID
    url: str
    event_types: list[str]
    regions: list[str]
    description: str | None
    status: SubscriptionState
    owner: str
    jurisdiction: str | None = Field(description="the owner's unit (its token's region/org)")
    secret_rotated_until: datetime | None = Field(
        description="until when the previous secret still signs beside the new one"
    )
    pending: int = Field(description="deliveries waiting or being retried")
    dead: int = Field(description="dead-lettered deliveries (replay them)")
    etag: str
    created_at: datetime
    updated_at: datetime


class SubscriptionWithSecret(SubscriptionRead):
    secret: str | None = Field(
        description="the signing secret (`whsec_…`, Standard Webhooks): shown in this answer "
        "only — null when the same Idempotency-Key is replayed, since it is never stored "
        "readable (rotate it if the first answer was lost); verify each message's "
        "`webhook-signature` with it"
    )


DeliveryState = OutboxState
"""A delivery is an outbox row: pending, retrying, dead, delivered."""


class AttemptRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    attempted_at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int


class DeliveryRead(BaseModel):
    delivery_id: int = Field(description="the delivery's number (replay it by this)")
    webhook_id: str = Field(description="the `webhook-id` header: the event's id")
    type: str
    subject: str | None = Field(description="deliveries of one subject arrive in order")
    state: DeliveryState
    attempts: int
    replays: int
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    dead_at: datetime | None


class DeliveryDetail(DeliveryRead):
    message: dict[str, Any] = Field(description="the body as sent")
    attempt_log: list[AttemptRead] = Field(description="every try, oldest first")


class DeliveryPage(BaseModel):
    items: list[DeliveryRead]
    next_after: int | None = Field(description="pass as `after` for the next page")


class ReplayResult(BaseModel):
    replayed: int


class EventTypeRead(BaseModel):
    type: str
    version: int
    audience: str = Field(description="case | list | public: who receives it")
    summary: str
    schema_: dict[str, Any] = Field(alias="schema", serialization_alias="schema")
