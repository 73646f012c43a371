"""Tables of the 领航级 cultivation: the record (培育对象), its history, the enterprise's progress
reports, the experts' guidance notes, acceptance applications and the reminders due."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Index,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from ladder.kit.concurrency import Versioned
from ladder.kit.db import timestamp_field
from ladder.review.settings import SCHEMA

TEXT_MAX = 10_000


def _record_fk() -> Any:
    return Field(
        sa_column=Column(ForeignKey(f"{SCHEMA}.cultivation_record.id"), nullable=False, index=True)
    )


class CultivationRecord(Versioned, table=True):
    """A 领航级 cultivation object: the enterprise and factory as the case named them, the
    period and its deadline (stored, so the sweeper finds what is due by an index), and where
    its acceptance application is while under initial review (`level`, `holder`)."""

    __tablename__ = "cultivation_record"
    __table_args__ = (
        Index(None, "status", "deadline"),
        Index(None, "jurisdiction", "status"),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    case_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey(f"{SCHEMA}.review_case.id"), nullable=False, unique=True)
    )
    declaration_id: uuid.UUID = Field(sa_column=Column(Uuid, nullable=False, unique=True))
    enterprise_uscc: str = Field(max_length=18, index=True, description="统一社会信用代码")
    enterprise_name: str = Field(max_length=200)
    factory_name: str = Field(max_length=200)
    region_code: str = Field(max_length=6, description="GB/T 2260 code of the factory")
    recommending_unit: str = Field(
        max_length=22, description="province code (350000) or `xpcc`: receives the application"
    )
    jurisdiction: str = Field(
        max_length=22,
        description=(
            "what an authority's region is matched against: the factory's region code, or the "
            "unit itself when it is not a region (`xpcc`)"
        ),
    )
    status: str = Field(max_length=40)
    level: str | None = Field(
        default=None, max_length=20, description="the chain level holding the application"
    )
    holder: str | None = Field(
        default=None, max_length=22, description="the authority holding it: region code or unit"
    )
    start_date: date
    period_end: date = Field(description="the day the period ends (exclusive)")
    deadline: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False),
        description="00:00 China time of period_end: when a record still cultivating expires",
    )
    goals: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    experts: list[str] = Field(
        default_factory=list,
        sa_column=Column(JSONB, nullable=False, server_default=text("'[]'::jsonb")),
        description="subs of the experts guiding it (专家委指导)",
    )
    conclusion: str | None = Field(
        default=None, sa_column=Column(Text, nullable=True), description="专家委验收结论"
    )
    concluded_at: datetime | None = timestamp_field(nullable=True)
    created_at: datetime | None = timestamp_field()
    updated_at: datetime | None = timestamp_field()

    def etag_ident(self) -> object:
        """Named by its declaration, as the routes are."""
        return self.declaration_id


class CultivationTransition(SQLModel, table=True):
    """One row per thing that happened to a record: what, from, to, who, when, why."""

    __tablename__ = "cultivation_transition"
    __table_args__ = {"schema": SCHEMA}

    id: int | None = Field(default=None, primary_key=True)
    record_id: uuid.UUID = _record_fk()
    event: str = Field(max_length=50)
    from_status: str | None = Field(default=None, max_length=40, description="None when started")
    to_status: str = Field(max_length=40)
    actor: str = Field(max_length=200)
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    level: str | None = Field(default=None, max_length=20, description="the level after it")
    holder: str | None = Field(default=None, max_length=22, description="the holder after it")
    at: datetime | None = timestamp_field()


class CultivationReport(SQLModel, table=True):
    """A periodic progress report by the enterprise (培育进展)."""

    __tablename__ = "cultivation_report"
    __table_args__ = {"schema": SCHEMA}

    id: int | None = Field(default=None, primary_key=True)
    record_id: uuid.UUID = _record_fk()
    period: str = Field(max_length=50, description="the period it covers, e.g. 2026-Q1")
    text: str = Field(sa_column=Column(Text, nullable=False))
    kpis: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB, nullable=True))
    author: str = Field(max_length=200)
    at: datetime | None = timestamp_field()


class CultivationGuidance(SQLModel, table=True):
    """A guidance note by an expert assigned to the record (专家委指导)."""

    __tablename__ = "cultivation_guidance"
    __table_args__ = {"schema": SCHEMA}

    id: int | None = Field(default=None, primary_key=True)
    record_id: uuid.UUID = _record_fk()
    text: str = Field(sa_column=Column(Text, nullable=False))
    expert: str = Field(max_length=200)
    expert_name: str = Field(default="", max_length=200)
    at: datetime | None = timestamp_field()


class CultivationApplication(SQLModel, table=True):
    """An acceptance application (验收申请): the enterprise's summary of the goals reached.
    A returned application stays; the enterprise may apply again (a new row)."""

    __tablename__ = "cultivation_application"
    __table_args__ = {"schema": SCHEMA}

    id: int | None = Field(default=None, primary_key=True)
    record_id: uuid.UUID = _record_fk()
    summary: str = Field(sa_column=Column(Text, nullable=False))
    applicant: str = Field(max_length=200)
    at: datetime | None = timestamp_field()


class CultivationReminder(SQLModel, table=True):
    """A reminder due before the period ends, stored with its due time when the record starts:
    the sweeper claims `pending` rows once due and sends each exactly once."""

    __tablename__ = "cultivation_reminder"
    __table_args__ = (
        UniqueConstraint("record_id", "days_before"),
        Index(None, "status", "due_at"),
        {"schema": SCHEMA},
    )

    id: int | None = Field(default=None, primary_key=True)
    record_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey(f"{SCHEMA}.cultivation_record.id"), nullable=False)
    )
    days_before: int
    due_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    status: str = Field(max_length=20, description="pending | sent | cancelled (record ended)")
    sent_at: datetime | None = timestamp_field(nullable=True)
