"""Tables of the national review: the expert pool, who is assigned to which case, score
sheets, the 现场核查 and its checklist, the 公示 with its entries and objections."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import Column, ForeignKey, Index, UniqueConstraint, Uuid, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from ladder.kit.concurrency import Versioned
from ladder.kit.db import timestamp_field
from ladder.review.settings import SCHEMA

CASE_ID = f"{SCHEMA}.review_case.id"


def _json_list() -> Any:
    return Field(
        default_factory=list,
        sa_column=Column(JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    )


class NationalExpert(Versioned, table=True):
    """An expert of the pool (国家智能制造专家委 and reviewers): who they are, where they work,
    what they declared — the facts the conflict-of-interest checks read."""

    __tablename__ = "national_expert"
    __table_args__ = (Index(None, "region_code"), {"schema": SCHEMA})
    etag_kind: ClassVar[str] = "national-expert"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    account: str = Field(max_length=200, unique=True, description="the token's `sub`")
    name: str = Field(max_length=100)
    fields: list[str] = _json_list()
    organisation: str = Field(max_length=200)
    organisation_uscc: str | None = Field(default=None, max_length=18)
    group_uscc: str | None = Field(default=None, max_length=18)
    region_code: str = Field(max_length=6)
    integrators: list[str] = _json_list()
    declared_conflicts: list[str] = _json_list()
    active: bool = Field(default=True, sa_column_kwargs={"server_default": text("true")})
    created_by: str = Field(max_length=200)
    updated_by: str = Field(max_length=200)
    created_at: datetime | None = timestamp_field()
    updated_at: datetime | None = timestamp_field()


class NationalAssignment(SQLModel, table=True):
    """An expert on a case: `review` (材料评审, scores) or `onsite` (现场核查 team)."""

    __tablename__ = "national_assignment"
    __table_args__ = (
        UniqueConstraint("case_id", "expert_id", "duty"),
        Index(None, "expert_id"),
        {"schema": SCHEMA},
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: uuid.UUID = Field(sa_column=Column(ForeignKey(CASE_ID), nullable=False))
    expert_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey(f"{SCHEMA}.national_expert.id"), nullable=False)
    )
    duty: str = Field(max_length=10)
    assigned_by: str = Field(max_length=200)
    assigned_at: datetime | None = timestamp_field()


class NationalScoreSheet(Versioned, table=True):
    """One expert's scores for one case, criterion key → score, with the weighted total."""

    __tablename__ = "national_score_sheet"
    __table_args__ = (UniqueConstraint("case_id", "expert_id"), {"schema": SCHEMA})
    etag_kind: ClassVar[str] = "score-sheet"

    id: int | None = Field(default=None, primary_key=True)
    case_id: uuid.UUID = Field(sa_column=Column(ForeignKey(CASE_ID), nullable=False))
    expert_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey(f"{SCHEMA}.national_expert.id"), nullable=False)
    )
    scores: dict[str, float] = Field(sa_column=Column(JSONB, nullable=False))
    total: float
    submitted_at: datetime | None = timestamp_field()
    updated_at: datetime | None = timestamp_field()


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
