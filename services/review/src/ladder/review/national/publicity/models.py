"""Tables of the 公示, its entries and the objections."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from sqlalchemy import Column, ForeignKey, Index, UniqueConstraint, Uuid
from sqlmodel import Field, SQLModel

from ladder.kit.concurrency import Versioned
from ladder.kit.db import timestamp_field
from ladder.review.national.models import CASE_ID
from ladder.review.settings import SCHEMA


class NationalPublicity(Versioned, table=True):
    """The 公示 of one campaign's selected cases of one tier: draft → open → closed."""

    __tablename__ = "national_publicity"
    __table_args__ = (UniqueConstraint("campaign_year", "tier"), {"schema": SCHEMA})
    etag_kind: ClassVar[str] = "publicity"

    def etag_ident(self) -> object:
        return f"{self.campaign_year}-{self.tier}"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    campaign_year: int
    tier: str = Field(max_length=20)
    status: str = Field(max_length=10, description="draft | open | closed")
    days: int = Field(description="calendar days of the period")
    starts_at: datetime | None = timestamp_field(nullable=True)
    ends_at: datetime | None = timestamp_field(nullable=True)
    created_by: str = Field(max_length=200)
    announced_by: str | None = Field(default=None, max_length=200)
    closed_by: str | None = Field(default=None, max_length=200)
    created_at: datetime | None = timestamp_field()
    closed_at: datetime | None = timestamp_field(nullable=True)


class NationalPublicityEntry(SQLModel, table=True):
    """A case on the 公示 list (snapshot of what the public sees) and how it ended."""

    __tablename__ = "national_publicity_entry"
    __table_args__ = (UniqueConstraint("publicity_id", "declaration_id"), {"schema": SCHEMA})

    id: int | None = Field(default=None, primary_key=True)
    publicity_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey(f"{SCHEMA}.national_publicity.id"), nullable=False)
    )
    case_id: uuid.UUID = Field(sa_column=Column(ForeignKey(CASE_ID), nullable=False))
    declaration_id: uuid.UUID = Field(sa_column=Column(Uuid, nullable=False))
    position: int
    enterprise_name: str = Field(max_length=200)
    factory_name: str = Field(max_length=200)
    region_code: str = Field(max_length=6)
    outcome: str | None = Field(default=None, max_length=20, description="withdrawn | published")


class NationalObjection(Versioned, table=True):
    """An objection (异议) raised by the public during the 公示, and how it was resolved."""

    __tablename__ = "national_objection"
    __table_args__ = (Index(None, "publicity_id", "status"), {"schema": SCHEMA})
    etag_kind: ClassVar[str] = "objection"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    publicity_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey(f"{SCHEMA}.national_publicity.id"), nullable=False)
    )
    declaration_id: uuid.UUID = Field(sa_column=Column(Uuid, nullable=False))
    name: str | None = Field(default=None, max_length=100)
    contact: str | None = Field(default=None, max_length=200)
    content: str = Field(max_length=2000)
    status: str = Field(max_length=20, description="pending | dismissed | upheld")
    resolution: str | None = Field(default=None, max_length=2000)
    resolved_by: str | None = Field(default=None, max_length=200)
    resolved_at: datetime | None = timestamp_field(nullable=True)
    received_at: datetime | None = timestamp_field()
