"""Requests and responses of the national review."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from ladder.contracts.types import USCC, RegionCode
from ladder.review.cases.machine import CaseStatus
from ladder.review.cases.schemas import TransitionRead
from ladder.review.national.data import NationalTier
from ladder.review.vocabulary import Tier

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Reasons = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Specialty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _unique(ids: list[uuid.UUID]) -> list[uuid.UUID]:
    if len(ids) != len(set(ids)):
        raise ValueError("an expert is listed twice")
    return ids


# --- the expert pool ------------------------------------------------------------------------


class ExpertFields(_In):
    name: PersonName
    fields: list[Specialty] = Field(default_factory=list, max_length=20, description="专业领域")
    organisation: Name
    organisation_uscc: USCC | None = None
    group_uscc: USCC | None = Field(
        default=None, description="USCC of the group the organisation belongs to, if any"
    )
    region_code: RegionCode
    integrators: list[Name] = Field(
        default_factory=list, max_length=50, description="integrators the expert works for/with"
    )
    declared_conflicts: list[USCC] = Field(
        default_factory=list, max_length=200, description="enterprises the expert declared"
    )
    active: bool = True


class ExpertCreate(ExpertFields):
    account: Name = Field(description="the `sub` the expert logs in with (role expert)")


class ExpertUpdate(_In):
    """Only the fields sent change."""

    account: Name | None = None
    name: PersonName | None = None
    fields: list[Specialty] | None = Field(default=None, max_length=20)
    organisation: Name | None = None
    organisation_uscc: USCC | None = None
    group_uscc: USCC | None = None
    region_code: RegionCode | None = None
    integrators: list[Name] | None = Field(default=None, max_length=50)
    declared_conflicts: list[USCC] | None = Field(default=None, max_length=200)
    active: bool | None = None

    @model_validator(mode="after")
    def _required_stay_set(self) -> Self:
        for name in ("account", "name", "organisation", "region_code", "active"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class ExpertRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    account: str
    name: str
    fields: list[str]
    organisation: str
    organisation_uscc: str | None
    group_uscc: str | None
    region_code: str
    integrators: list[str]
    declared_conflicts: list[str]
    active: bool
    etag: str = Field(description="send it back as If-Match to edit or delete")
    created_at: datetime
    updated_at: datetime


class ExpertBrief(BaseModel):
    id: uuid.UUID
    name: str
    organisation: str


# --- cases -----------------------------------------------------------------------------------


class NationalCaseSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    declaration_id: uuid.UUID
    campaign_year: int
    tier: Tier
    enterprise_uscc: str
    enterprise_name: str
    factory_name: str
    region_code: str
    recommending_unit: str
    status: CaseStatus
    updated_at: datetime


class NationalCaseRead(NationalCaseSummary):
    """A case as the ministry and its assigned experts see it."""

    central_soe_group: str | None
    industry: str | None
    version: int
    fingerprint: str
    details: dict[str, Any]
    etag: str = Field(description="the case's ETag: If-Match for checks, assignment, decision")
    experts: list[ExpertBrief] | None = Field(
        description="the assigned reviewers (ministry only; null for experts)"
    )
    history: list[TransitionRead]


class FormalOutcome(StrEnum):
    passed = "pass"  # 形式审查通过: to the expert review
    failed = "fail"  # 形式审查不通过 (final)


class FormalCheckCreate(_In):
    """`reasons` is required for `fail` (422 `reasons_required`)."""

    outcome: FormalOutcome
    reasons: Reasons | None = None


class DecisionOutcome(StrEnum):
    select = "select"  # 拟入选, to the 公示
    reject = "reject"  # 未入选 (final)


class DecisionCreate(_In):
    """`reasons` is required for `reject` (422 `reasons_required`)."""

    outcome: DecisionOutcome
    reasons: Reasons | None = None


class ExpertIds(_In):
    expert_ids: list[uuid.UUID] = Field(min_length=1, max_length=50)

    @model_validator(mode="after")
    def _distinct(self) -> Self:
        _unique(self.expert_ids)
        return self


class ConflictRead(BaseModel):
    code: str
    message: str
    message_en: str
    evidence: dict[str, Any]


class ExpertConflicts(BaseModel):
    expert_id: uuid.UUID
    name: str
    active: bool
    conflicts: list[ConflictRead]


class ConflictCheckRead(BaseModel):
    experts: list[ExpertConflicts]
    clear: bool = Field(description="no expert has a conflict")


# --- scores ----------------------------------------------------------------------------------

ScoreSheetIn = Annotated[
    dict[Annotated[str, StringConstraints(max_length=40)], float], Field(max_length=100)
]


class CriterionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    key: str
    name: str
    name_en: str
    source: str
    weight: float
    max: float


class ScoreSheetRead(BaseModel):
    expert_id: uuid.UUID
    expert_name: str
    scores: dict[str, float]
    total: float = Field(description="Σ (weight/Σ weights)·(score/max)·100")
    etag: str
    submitted_at: datetime
    updated_at: datetime


class AggregateRead(BaseModel):
    sheets: int
    mean_total: float | None
    criterion_means: dict[str, float]


class ScoresRead(BaseModel):
    """Ministry (and, after the decision, the assigned experts): every sheet and the aggregate.
    Experts before the decision: their own sheet only, no aggregate."""

    criteria: list[CriterionRead]
    sheets: list[ScoreSheetRead]
    aggregate: AggregateRead | None
    assigned: int | None
    unscored: list[uuid.UUID] | None


# --- 现场核查 --------------------------------------------------------------------------------


class OnsiteCreate(_In):
    scheduled_on: date
    place: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    team: list[uuid.UUID] = Field(min_length=1, max_length=50, description="expert ids")

    @model_validator(mode="after")
    def _distinct(self) -> Self:
        _unique(self.team)
        return self


class OnsiteReschedule(_In):
    """What changes (at least one): the date, the place, the team (vetted again)."""

    scheduled_on: date | None = None
    place: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
        | None
    ) = None
    team: list[uuid.UUID] | None = Field(default=None, min_length=1, max_length=50)
    reason: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)
    ] = Field(description="why it changes (kept in the case's history)")

    @model_validator(mode="after")
    def _something_changes(self) -> Self:
        if self.scheduled_on is None and self.place is None and self.team is None:
            raise ValueError("name what changes: scheduled_on, place or team")
        if self.team is not None:
            _unique(self.team)
        return self


class Finding(StrEnum):
    verified = "verified"  # 属实
    discrepancy = "discrepancy"  # 存在差异 (note required)
    not_checked = "not_checked"  # 未核查 (note required)


class FindingPut(_In):
    finding: Finding
    note: Reasons | None = None


class ConclusionPut(_In):
    conclusion: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)
    ]


class ChecklistItemRead(BaseModel):
    key: str
    kind: str = Field(description="scene | kpi | template")
    text: str
    text_en: str | None
    declared_value: str | None
    source: str | None
    finding: Finding | None
    note: str | None
    recorded_by: str | None
    recorded_at: datetime | None
    etag: str = Field(description="If-Match for recording this item's finding")


class OnsiteRead(BaseModel):
    scheduled_on: date
    place: str
    team: list[ExpertBrief]
    items: list[ChecklistItemRead]
    conclusion: str | None
    concluded_by: str | None
    complete: bool = Field(description="every item has a finding and there is a conclusion")
    etag: str = Field(description="If-Match for the conclusion")


# --- 公示 ------------------------------------------------------------------------------------


class PublicityStatus(StrEnum):
    draft = "draft"
    open = "open"
    closed = "closed"


class PublicityCreate(_In):
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


class ObjectionCreate(_In):
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


class ObjectionResolve(_In):
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
