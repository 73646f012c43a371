"""A machine client's webhook subscriptions and the log of every delivery attempt."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import BigInteger, Column, DateTime, Index, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from ladder.kit.concurrency import Versioned
from ladder.kit.db import timestamp_field
from ladder.review.settings import SCHEMA


class WebhookSubscription(Versioned, table=True):
    """Who (a machine client, with the claims its token had when it subscribed: its
    jurisdiction), which event types, which regions within that jurisdiction, where to.
    The signing secret is sealed (`ladder.kit.sealing`); a rotated-out one signs beside the
    new one until `previous_until`. Deleting a subscription disables it (its deliveries stay
    listed for the audit trail)."""

    etag_kind: ClassVar[str] = "webhook-subscription"

    __tablename__ = "webhook_subscription"
    __table_args__ = (Index(None, "owner", "status"), {"schema": SCHEMA})

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    owner: str = Field(max_length=200, description="the machine client's `sub`")
    owner_claims: dict[str, Any] = Field(
        sa_column=Column(JSONB, nullable=False),
        description="role, region, org, name, scopes of the owner's token at subscription",
    )
    url: str = Field(sa_column=Column(Text, nullable=False))
    event_types: list[str] = Field(sa_column=Column(JSONB, nullable=False))
    regions: list[str] = Field(
        sa_column=Column(JSONB, nullable=False),
        description="GB/T 2260 codes narrowing the owner's jurisdiction; [] = all of it",
    )
    description: str | None = Field(default=None, max_length=500)
    status: str = Field(max_length=20, description="active | paused | disabled")
    secret_sealed: str = Field(sa_column=Column(Text, nullable=False))
    previous_secret_sealed: str | None = Field(default=None, sa_column=Column(Text))
    previous_until: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    created_at: datetime | None = timestamp_field()
    updated_at: datetime | None = timestamp_field()


class WebhookAttempt(SQLModel, table=True):
    """One try of one delivery (an outbox row of destination `webhook:<subscription>`)."""

    __tablename__ = "webhook_attempt"
    __table_args__ = (Index(None, "outbox_id", "id"), {"schema": SCHEMA})

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True))
    outbox_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    subscription_id: uuid.UUID = Field(index=True)
    attempted_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    status_code: int | None = None
    error: str | None = Field(default=None, max_length=1000)
    duration_ms: int
