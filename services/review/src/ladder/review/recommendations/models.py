"""Recommendation lists (推荐汇总表): one per (campaign year, tier, unit), its ranked entries
and the history of every change. The unit is a recommending unit, or a unit of a level that
ranks its own table below it (a Shanghai district: `ranking_levels`)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Index,
    LargeBinary,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from ladder.kit.concurrency import Versioned
from ladder.kit.db import timestamp_field
from ladder.review.settings import SCHEMA


class RecommendationList(Versioned, table=True):
    """A unit's ranked list for one tier of one campaign, with the quota read from the rules
    service when the list was opened (`quota_limit`, and the answer's derivation in `quota`)."""

    etag_kind: ClassVar[str] = "recommendation-list"

    __tablename__ = "recommendation_list"
    __table_args__ = (
        UniqueConstraint("campaign_year", "tier", "unit"),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    campaign_year: int
    tier: str = Field(max_length=20)
    unit: str = Field(
        max_length=22,
        description="recommending unit: province code (350000), `xpcc`, `soe:<USCC>`; or a unit "
        "of a level that ranks its own table (a Shanghai district, 310115)",
    )
    status: str = Field(max_length=20, description="open | locked | submitted")
    quota_limit: int | None = Field(
        description="at most this many entries use the quota (不超过); None: no quota (先进级)"
    )
    jiebang_exempt: bool = Field(
        description="the quota exempts 揭榜单位 that passed acceptance (per the rules service)"
    )
    quota: dict[str, Any] = Field(
        sa_column=Column(JSONB, nullable=False),
        description="snapshot of the rules service's answer: derivation, policy, quota unit",
    )
    created_by: str = Field(max_length=200)
    updated_by: str = Field(max_length=200)
    created_at: datetime | None = timestamp_field()
    updated_at: datetime | None = timestamp_field()

    def etag_ident(self) -> object:
        """Named as the routes name it: campaign, tier, unit."""
        return f"{self.campaign_year}-{self.tier}-{self.unit}"


class RecommendationEntry(SQLModel, table=True):
    """A case on a list, at its rank (priority order, 1..n)."""

    __tablename__ = "recommendation_entry"
    __table_args__ = (
        UniqueConstraint("list_id", "declaration_id"),
        Index(None, "list_id", "rank"),
        {"schema": SCHEMA},
    )

    id: int | None = Field(default=None, primary_key=True)
    list_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey(f"{SCHEMA}.recommendation_list.id"), nullable=False)
    )
    declaration_id: uuid.UUID = Field(sa_column=Column(Uuid, nullable=False, index=True))
    rank: int
    counts: bool = Field(description="uses a slot of the quota (false when exempt)")
    exemption: str | None = Field(
        default=None,
        max_length=40,
        description="the rules service's exemption that keeps it off the quota (揭榜单位 …)",
    )
    added_by: str = Field(max_length=200)
    added_at: datetime | None = timestamp_field()


class RecommendationListEvent(SQLModel, table=True):
    """One row per change of a list: who, when, what (and which declaration)."""

    __tablename__ = "recommendation_list_event"
    __table_args__ = {"schema": SCHEMA}

    id: int | None = Field(default=None, primary_key=True)
    list_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey(f"{SCHEMA}.recommendation_list.id"), nullable=False, index=True)
    )
    action: str = Field(
        max_length=30,
        description="created | added | removed | reordered | locked | unlocked | submitted | "
        "pushed (the whole table replaced in one call) | taken_in (a district's ranked table) | "
        "withdrawn_by_applicant",
    )
    from_status: str | None = Field(default=None, max_length=20, description="None: created")
    to_status: str | None = Field(default=None, max_length=20)
    reason: str | None = Field(default=None, max_length=2000)
    declaration_id: uuid.UUID | None = Field(default=None, sa_column=Column(Uuid))
    row_version: int = Field(description="the list's row version after the change")
    actor: str = Field(max_length=200)
    at: datetime | None = timestamp_field()


class RecommendationSubmission(SQLModel, table=True):
    """The recommendation record (推荐记录) of a submitted list: what went to the ministry,
    frozen — the entries as they stood and the 推荐汇总表 workbook exactly as issued."""

    __tablename__ = "recommendation_submission"
    __table_args__ = {"schema": SCHEMA}

    list_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey(f"{SCHEMA}.recommendation_list.id"), primary_key=True)
    )
    entries: list[dict[str, Any]] = Field(
        sa_column=Column(JSONB, nullable=False), description="the ranked rows of the table"
    )
    workbook: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    sha256: str = Field(max_length=64, description="of the workbook bytes")
    deadline: datetime | None = Field(
        default=None,
        sa_column=Column(DateTime(timezone=True), nullable=True),
        description="the province-level deadline in force when it was submitted",
    )
    submitted_by: str = Field(max_length=200)
    submitted_at: datetime | None = timestamp_field()
