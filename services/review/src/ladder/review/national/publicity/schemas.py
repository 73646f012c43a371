"""The 公示, objections and published lists as read and written."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlmodel import Field

from ladder.review.cases.machine import CaseStatus
from ladder.review.national.data import NationalTier
from ladder.review.national.schemas import Strict


class PublicityStatus(StrEnum):
    draft = "draft"
    open = "open"
    closed = "closed"


class PublicityCreate(Strict):
    campaign_year: int = Field(ge=2024, le=2100)
    tier: NationalTier
    days: int | None = Field(
        default=None,
        ge=1,
        le=3650,  # a sanity bound only: the maximum is national.yaml's, checked there
        description="calendar days (default and maximum in national.yaml)",
    )


class PublicityEntryRead(BaseModel):
    declaration_id: uuid.UUID
    enterprise_name: str
    factory_name: str
    region_code: str
    status: CaseStatus


class ObjectionCounts(BaseModel):
    pending: int = 0
    dismissed: int = 0
    upheld: int = 0


class PublicityRead(BaseModel):
    """The ministry's view: a draft lists the cases selected now (all are announced)."""

    campaign_year: int
    tier: NationalTier
    status: PublicityStatus
    days: int
    starts_at: datetime | None
    ends_at: datetime | None
    entries: list[PublicityEntryRead]
    objections: ObjectionCounts
    etag: str = Field(description="If-Match to announce and to close")
    created_by: str
    created_at: datetime
    closed_at: datetime | None


class PublicEntry(BaseModel):
    declaration_id: uuid.UUID
    enterprise_name: str
    factory_name: str
    region_code: str
    tier: NationalTier


class PublicNotice(BaseModel):
    """What the public sees of a 公示: the projects and the period."""

    campaign_year: int
    tier: NationalTier
    starts_at: datetime
    ends_at: datetime
    accepting_objections: bool
    entries: list[PublicEntry]


class ObjectionCreate(Strict):
    declaration_id: uuid.UUID = Field(description="a project on the 公示 list")
    content: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=10, max_length=2000)
    ]
    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    contact: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None


class ObjectionReceipt(BaseModel):
    id: uuid.UUID
    declaration_id: uuid.UUID
    received_at: datetime


class ObjectionStatus(StrEnum):
    pending = "pending"
    dismissed = "dismissed"  # 异议不成立
    upheld = "upheld"  # 异议成立: the case is withdrawn


class ObjectionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    declaration_id: uuid.UUID
    name: str | None
    contact: str | None
    content: str
    status: ObjectionStatus
    resolution: str | None
    resolved_by: str | None
    resolved_at: datetime | None
    received_at: datetime
    etag: str = Field(description="If-Match to resolve it")


class Resolution(StrEnum):
    dismissed = "dismissed"
    upheld = "upheld"


class ObjectionResolve(Strict):
    outcome: Resolution
    resolution: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)
    ]


class PublishedList(BaseModel):
    """The final list (卓越级 名单 / 领航级 培育对象名单), paginated."""

    campaign_year: int
    tier: NationalTier
    published_at: datetime
    items: list[PublicEntry]
    total: int
    page: int
    page_size: int
