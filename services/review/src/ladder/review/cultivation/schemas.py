"""Requests and responses of the 领航级 cultivation and acceptance."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from ladder.review.cultivation.machine import CultivationStatus
from ladder.review.cultivation.models import TEXT_MAX
from ladder.review.routing.chains import Level

LongText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TEXT_MAX)
]
Reasons = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
ExpertSub = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


def _distinct(values: list[str]) -> list[str]:
    if len(set(values)) != len(values):
        raise ValueError("experts must be distinct")
    return values


class CultivationCreate(BaseModel):
    """List a 领航级 case as a cultivation object (培育对象). `period_months` defaults to the
    longest period (cultivation.yaml); a shorter one may be given."""

    model_config = ConfigDict(extra="forbid")

    declaration_id: uuid.UUID
    start: date
    goals: LongText | None = Field(default=None, description="培育目标")
    # A sanity bound only: the notice's longest period is in cultivation.yaml, checked there.
    period_months: int | None = Field(default=None, ge=1, le=600)


class CultivationSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    declaration_id: uuid.UUID
    enterprise_uscc: str
    enterprise_name: str
    factory_name: str
    region_code: str
    recommending_unit: str
    status: CultivationStatus
    level: Level | None = Field(description="the level holding the application (初审 only)")
    holder: str | None = Field(description="the authority holding it: region code or unit")
    start_date: date
    period_end: date = Field(description="the day the period ends (exclusive)")
    deadline: datetime
    experts: list[str]
    updated_at: datetime


class TransitionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    event: str
    from_status: str | None
    to_status: str
    actor: str
    reason: str | None
    level: Level | None
    holder: str | None
    at: datetime


class ApplicationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    summary: str
    applicant: str
    at: datetime


class CultivationRead(CultivationSummary):
    """A record with its history (oldest first), its latest application, how many progress
    reports it has and which reminders went out."""

    goals: str | None
    conclusion: str | None
    concluded_at: datetime | None
    created_at: datetime
    etag: str = Field(description="send it back as If-Match to change the record")
    reports: int = Field(description="progress reports filed")
    reminders_sent: list[int] = Field(description="days before the deadline of those sent")
    application: ApplicationRead | None = Field(description="the latest acceptance application")
    history: list[TransitionRead]


class ReportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
    text: LongText
    kpis: dict[str, float | None] | None = Field(
        default=None, max_length=50, description="KPI values by name (关键绩效指标)"
    )


class ReportRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    period: str
    text: str
    kpis: dict[str, float | None] | None
    author: str
    at: datetime


class ReportsOf(BaseModel):
    """A page of one record's reports, in a batch read of several records'."""

    declaration_id: uuid.UUID
    items: list[ReportRead]
    total: int
    page: int
    page_size: int


class GuidanceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: LongText


class GuidanceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    text: str
    expert: str
    expert_name: str
    at: datetime


class ExpertsUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    experts: Annotated[list[ExpertSub], AfterValidator(_distinct)] = Field(max_length=20)


class ApplicationCreate(BaseModel):
    """The acceptance application (验收申请): how the cultivation goals were reached."""

    model_config = ConfigDict(extra="forbid")

    summary: LongText


class InitialReviewDecision(StrEnum):
    pass_ = "pass"  # noqa: S105  初审通过 (a receiving level: forward), not a password
    return_ = "return"  # 退回: the enterprise may apply again


class InitialReviewCreate(BaseModel):
    """The recommending unit's initial-review opinion (初审意见); `reasons` required to return."""

    model_config = ConfigDict(extra="forbid")

    decision: InitialReviewDecision
    reasons: Reasons | None = None


class AcceptanceDecision(StrEnum):
    accept = "accept"  # 验收通过: 领航级 recognised
    fail = "fail"  # 验收不通过


class AcceptanceDecisionCreate(BaseModel):
    """The expert committee's conclusion (验收认定) as the ministry records it; a `fail` needs
    the conclusion (422 `reasons_required`)."""

    model_config = ConfigDict(extra="forbid")

    decision: AcceptanceDecision
    conclusion: LongText | None = None


class LeadingFactory(BaseModel):
    """A 领航级 智能工厂 on the public list."""

    enterprise_name: str
    factory_name: str
    region_code: str
    accepted_on: date


class SweepResult(BaseModel):
    expired: int = Field(description="records expired in this sweep")
    reminders: int = Field(description="reminders sent in this sweep")
