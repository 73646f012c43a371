"""Declarations (申报), their frozen submitted versions, and their transition history."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import Column, DateTime, ForeignKey, Index, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from ladder.declaration.settings import SCHEMA
from ladder.kit.concurrency import Versioned
from ladder.kit.db import timestamp_field


class Declaration(Versioned, table=True):
    etag_kind: ClassVar[str] = "declaration"
    __tablename__ = "declaration"
    __table_args__ = (
        Index(None, "enterprise_id", "campaign_year"),
        Index(None, "region_code", "status"),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    campaign_year: int = Field(
        sa_column=Column(ForeignKey(f"{SCHEMA}.campaign.year"), nullable=False)
    )
    tier: str = Field(max_length=20)
    enterprise_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey(f"{SCHEMA}.enterprise.id"), nullable=False)
    )
    factory_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey(f"{SCHEMA}.factory.id"), nullable=False, index=True)
    )
    region_code: str = Field(max_length=6, description="the factory's region: routes review")
    status: str = Field(max_length=30, default="draft")
    facts: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    last_precheck: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB))
    review_status: dict[str, Any] | None = Field(
        default=None,
        sa_column=Column(JSONB),
        description="the review service's latest word on this declaration (from its events)",
    )
    recommending_unit: str | None = Field(
        default=None,
        max_length=22,
        description=(
            "where the review service routed it (its events say): province code, `xpcc` or "
            "`soe:<USCC>`; with the region, who may read it (`ladder.kit.jurisdiction`)"
        ),
    )
    cultivation_status: dict[str, Any] | None = Field(
        default=None,
        sa_column=Column(JSONB),
        description="the 领航级 cultivation's latest status and reminder (review events)",
    )
    created_by: str = Field(max_length=200)
    created_at: datetime | None = timestamp_field()
    updated_at: datetime | None = timestamp_field()
    submitted_at: datetime | None = timestamp_field(nullable=True)


class DeclarationVersion(SQLModel, table=True):
    """What was submitted, frozen: the canonical content and its SHA-256 fingerprint."""

    __tablename__ = "declaration_version"
    __table_args__ = (
        UniqueConstraint("declaration_id", "number"),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    declaration_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey(f"{SCHEMA}.declaration.id"), nullable=False)
    )
    number: int
    content: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    fingerprint: str = Field(max_length=64, index=True)
    submitted_by: str = Field(max_length=200)
    submitted_at: datetime | None = timestamp_field()


class DeclarationTransition(SQLModel, table=True):
    """One row per state change: who, when, from, to, why."""

    __tablename__ = "declaration_transition"
    __table_args__ = {"schema": SCHEMA}

    id: int | None = Field(default=None, primary_key=True)
    declaration_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey(f"{SCHEMA}.declaration.id"), nullable=False, index=True)
    )
    event: str = Field(max_length=50)
    from_status: str = Field(max_length=30)
    to_status: str = Field(max_length=30)
    actor: str = Field(max_length=200)
    reason: str | None = Field(default=None, max_length=2000)
    at: datetime | None = timestamp_field()


class ExpertGrant(SQLModel, table=True):
    """An expert's read access (专家查阅) to one version under review, as the review service
    told it (`review.expert_access_changed`): live while `revoked_at` is null. `changed_at` is
    the time of the last word applied, so an older one arriving late changes nothing."""

    __tablename__ = "expert_grant"
    __table_args__ = (Index(None, "expert", "declaration_id"), {"schema": SCHEMA})

    declaration_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey(f"{SCHEMA}.declaration.id"), primary_key=True)
    )
    version: int = Field(primary_key=True)
    expert: str = Field(max_length=200, primary_key=True, description="the expert's token `sub`")
    expert_id: uuid.UUID = Field(description="the expert in the review service's pool")
    granted_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    changed_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    cause: str = Field(max_length=30, description="why it last changed (the event's `cause`)")
