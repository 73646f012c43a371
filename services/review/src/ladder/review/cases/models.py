"""Review cases (one per declaration, holding the latest submitted version) and their history."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import Column, DateTime, ForeignKey, Index, Uuid, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from ladder.kit.concurrency import Versioned
from ladder.kit.db import timestamp_field
from ladder.review.settings import SCHEMA


class ReviewCase(Versioned, table=True):
    """A declaration under review: a snapshot of its latest submitted version.

    The snapshot (tier, names, region) is what the event carried, so the inbox needs no call to
    the declaration service; `version` and `fingerprint` name the exact content under review.
    Its status moves only through `ladder.review.cases.transitions`.
    """

    etag_kind: ClassVar[str] = "review-case"

    def etag_ident(self) -> object:
        return self.declaration_id

    __tablename__ = "review_case"
    __table_args__ = (
        Index(None, "region_code", "status"),
        Index(None, "received_at", "id"),
        Index(None, "holder_region", "level", "status"),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    declaration_id: uuid.UUID = Field(sa_column=Column(Uuid, nullable=False, unique=True))
    campaign_year: int
    tier: str = Field(max_length=20)
    enterprise_uscc: str = Field(max_length=18, index=True, description="统一社会信用代码")
    enterprise_name: str = Field(max_length=200)
    factory_name: str = Field(max_length=200)
    region_code: str = Field(
        max_length=6, description="GB/T 2260 code of the factory: routes review"
    )
    version: int = Field(description="the declaration version under review (latest received)")
    fingerprint: str = Field(max_length=64, description="SHA-256 of that version's content")
    status: str = Field(max_length=40)
    level: str = Field(
        max_length=20, description="the chain level holding it: county/city/province"
    )
    holder_region: str = Field(
        max_length=22,
        description=(
            "who holds it: the GB/T 2260 code of the authority (350102/350100/350000), `xpcc`, "
            "or the central-SOE group's USCC"
        ),
    )
    recommending_unit: str = Field(
        default="",
        max_length=22,
        sa_column_kwargs={"server_default": ""},
        description="the unit whose list it goes on: province code, `xpcc` or `soe:<USCC>`",
    )
    central_soe_group: str | None = Field(default=None, max_length=18)
    industry: str | None = Field(default=None, max_length=5, description="GB/T 4754 code")
    details: dict[str, Any] = Field(
        default_factory=dict,
        sa_column=Column(JSONB, nullable=False, server_default=text("'{}'::jsonb")),
        description="scenes, KPIs, integrators, future modes, contact (SubmissionDetails)",
    )
    submitted_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    received_at: datetime | None = timestamp_field()
    updated_at: datetime | None = timestamp_field()


class CaseTransition(SQLModel, table=True):
    """One row per thing that happened to a case: what, from, to, who, when, why."""

    __tablename__ = "case_transition"
    __table_args__ = {"schema": SCHEMA}

    id: int | None = Field(default=None, primary_key=True)
    case_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey(f"{SCHEMA}.review_case.id"), nullable=False, index=True)
    )
    event: str = Field(max_length=50)
    from_status: str | None = Field(default=None, max_length=40, description="None when received")
    to_status: str = Field(max_length=40)
    actor: str = Field(max_length=200)
    reason: str | None = Field(default=None, max_length=2000)
    version: int | None = Field(default=None, description="declaration version it concerned")
    event_id: uuid.UUID | None = Field(
        default=None, sa_column=Column(Uuid), description="the inbound event that caused it"
    )
    level: str | None = Field(default=None, max_length=20, description="the level after it")
    holder_region: str | None = Field(default=None, max_length=22, description="holder after it")
    at: datetime | None = timestamp_field()


class CaseOpinion(SQLModel, table=True):
    """An initial-review opinion (初审意见) given on a case: who, at which level, what, why."""

    __tablename__ = "case_opinion"
    __table_args__ = {"schema": SCHEMA}

    id: int | None = Field(default=None, primary_key=True)
    case_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey(f"{SCHEMA}.review_case.id"), nullable=False, index=True)
    )
    version: int = Field(description="the declaration version the opinion is about")
    actor: str = Field(max_length=200, description="the principal's sub")
    actor_name: str = Field(default="", max_length=200)
    role: str = Field(max_length=20)
    level: str = Field(max_length=20)
    region: str = Field(
        max_length=22, description="the authority: region code, `xpcc` or group USCC"
    )
    decision: str = Field(max_length=20, description="forward | return | not_recommended")
    reasons: str | None = Field(default=None, max_length=2000)
    credit_gsxt: str | None = Field(
        default=None, max_length=10, description="国家企业信用信息公示系统"
    )
    credit_zxgk: str | None = Field(default=None, max_length=10, description="中国执行信息公开网")
    credit_checked_on: date | None = None
    at: datetime | None = timestamp_field()
