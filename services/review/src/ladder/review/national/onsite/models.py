"""Tables of the 现场核查 and its checklist."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import ClassVar

from sqlalchemy import Column, ForeignKey, UniqueConstraint
from sqlmodel import Field

from ladder.kit.concurrency import Versioned
from ladder.kit.db import timestamp_field
from ladder.review.national.models import CASE_ID
from ladder.review.settings import SCHEMA


class NationalOnsite(Versioned, table=True):
    """The 现场核查 of a 领航级 case: when, where, and the team's conclusion."""

    __tablename__ = "national_onsite"
    __table_args__ = ({"schema": SCHEMA},)
    etag_kind: ClassVar[str] = "onsite"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    case_id: uuid.UUID = Field(sa_column=Column(ForeignKey(CASE_ID), nullable=False, unique=True))
    scheduled_on: date
    place: str = Field(max_length=300)
    conclusion: str | None = Field(default=None, max_length=4000)
    concluded_by: str | None = Field(default=None, max_length=200)
    created_by: str = Field(max_length=200)
    created_at: datetime | None = timestamp_field()
    updated_at: datetime | None = timestamp_field()


class NationalOnsiteItem(Versioned, table=True):
    """A checklist item: a declared scene instance, a declared KPI, or a template item."""

    __tablename__ = "national_onsite_item"
    __table_args__ = (UniqueConstraint("onsite_id", "key"), {"schema": SCHEMA})
    etag_kind: ClassVar[str] = "onsite-item"

    id: int | None = Field(default=None, primary_key=True)
    onsite_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey(f"{SCHEMA}.national_onsite.id"), nullable=False)
    )
    position: int
    key: str = Field(max_length=120)
    kind: str = Field(max_length=10, description="scene | kpi | template")
    text: str = Field(max_length=1000)
    text_en: str | None = Field(default=None, max_length=500)
    declared_value: str | None = Field(default=None, max_length=100)
    source: str | None = Field(default=None, max_length=200)
    finding: str | None = Field(default=None, max_length=20)
    note: str | None = Field(default=None, max_length=2000)
    recorded_by: str | None = Field(default=None, max_length=200)
    recorded_at: datetime | None = timestamp_field(nullable=True)
