"""What the gateway reads of the services' answers, as pydantic models of its own.

A service never imports another, and the gateway imports none: these models say which fields
of each answer GraphQL reads and of what type (a service's schemas.py may have more; what is
not named here is ignored). Every answer is parsed whole, strictly (JSON types as they are:
no "2025" for a year), before anything of it is shown; one that does not parse is the typed
`UpstreamFailed` of its field, never a null or a missing item.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True, frozen=True)


class Page(Answer, Generic[T]):
    """`ladder.kit.pagination.Page`: a page of a list with page/page_size."""

    items: list[T]
    total: int
    page: int
    page_size: int


# (identity's `GET /v1/me` is read as `ladder.gateway.me` reads it: its `IdentityMe`.)


# --- declaration: enterprises and declarations --------------------------------------------


class ContactAnswer(Answer):
    name: str
    role: str | None = None
    mobile: str


class EnterpriseAnswer(Answer):
    """declaration `GET /v1/enterprises/{uscc}` and each of `GET /v1/enterprises?uscc=`."""

    id: uuid.UUID
    uscc: str
    name: str
    region_code: str
    region_name: str | None = None
    address: str | None
    nature: str | None
    industry: str | None
    operating_regions: list[str]
    above_scale: bool | None
    legal_form: str | None
    central_soe_group: str | None
    contacts: list[ContactAnswer]
    created_at: datetime
    updated_at: datetime | None = None


class FindingAnswer(Answer):
    rule_id: str
    clause: str
    severity: str
    status: str
    passed: bool
    field: str | None = None
    fact: str | None = None
    overlay: str | None = None
    message: str
    message_en: str
    expected: Any = None
    actual: Any = None


class MarkingWarningAnswer(Answer):
    field: str
    marking: str
    message: str
    message_en: str


class PrecheckAnswer(Answer):
    """A declaration's `last_precheck`: the rules service's answer as the declaration kept it."""

    edition: str
    tier: str
    outcome: str
    eligible: bool
    complete: bool
    findings: list[FindingAnswer]
    overlays: list[str] = Field(default_factory=list)
    warnings: list[MarkingWarningAnswer] = Field(default_factory=list)


class ReviewStatusAnswer(Answer):
    status: str
    event: str
    version: int
    at: datetime
    reason: str | None = None


class ReminderAnswer(Answer):
    days_before: int | None
    deadline: datetime | None
    at: datetime


class CultivationStatusAnswer(Answer):
    status: str
    event: str
    period_end: date
    at: datetime
    reason: str | None = None
    reminder: ReminderAnswer | None = None


class DeclarationAnswer(Answer):
    """declaration `GET /v1/declarations/{id}` and each item of `GET /v1/declarations`."""

    id: uuid.UUID
    campaign_year: int
    tier: str
    status: str
    enterprise_uscc: str
    enterprise_name: str
    factory_id: uuid.UUID
    factory_name: str
    region_code: str
    facts: dict[str, Any]
    etag: str
    last_precheck: PrecheckAnswer | None
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    current_version: int | None = None
    current_fingerprint: str | None = None
    review_status: ReviewStatusAnswer | None = None
    cultivation_status: CultivationStatusAnswer | None = None


# --- review: cases ----------------------------------------------------------------------


class CaseSummaryAnswer(Answer):
    """review: an item of `GET /v1/inbox`."""

    declaration_id: uuid.UUID
    tier: str
    campaign_year: int
    enterprise_uscc: str
    enterprise_name: str
    factory_name: str
    region_code: str
    version: int
    fingerprint: str
    status: str
    level: str
    holder_region: str
    recommending_unit: str
    central_soe_group: str | None
    industry: str | None
    received_at: datetime


class CaseTransitionAnswer(Answer):
    event: str
    from_status: str | None
    to_status: str
    actor: str
    reason: str | None
    version: int | None
    level: str | None
    holder_region: str | None
    at: datetime


class CaseAnswer(CaseSummaryAnswer):
    """review `GET /v1/cases/{declaration_id}` and each of `GET /v1/cases?declaration_id=`."""

    details: dict[str, Any]
    submitted_at: datetime
    updated_at: datetime
    etag: str
    history: list[CaseTransitionAnswer]


# --- declaration: versions, history, diffs, factories ------------------------------------


class VersionAnswer(Answer):
    """Each of declaration `GET /v1/declarations/versions?declaration_id=`."""

    declaration_id: uuid.UUID
    number: int
    fingerprint: str
    submitted_by: str
    submitted_at: datetime
    content: dict[str, Any]


class TransitionAnswer(Answer):
    """Each of declaration `GET /v1/declarations/history?declaration_id=`."""

    declaration_id: uuid.UUID
    event: str
    from_status: str
    to_status: str
    actor: str
    reason: str | None
    at: datetime


class ChangeAnswer(Answer):
    path: str
    change: str
    before: Any = None
    after: Any = None


class DiffAnswer(Answer):
    """Each of declaration `GET /v1/declarations/diffs?declaration_id=&before=&after=`."""

    declaration_id: uuid.UUID
    before: int
    after: int
    before_fingerprint: str
    after_fingerprint: str
    changes: list[ChangeAnswer]


class FactoryAnswer(Answer):
    """Each of declaration `GET /v1/enterprises/factories?uscc=`."""

    id: uuid.UUID
    enterprise_id: uuid.UUID
    enterprise_uscc: str
    name: str
    region_code: str
    created_at: datetime


# --- declaration: self-assessments and campaigns -----------------------------------------


class SelfAssessmentFindingAnswer(Answer):
    rule_id: str | None = None
    clause: str | None = None
    severity: str | None = None
    status: str | None = None
    field: str | None = None
    message: str | None = None
    message_en: str | None = None


class SelfAssessmentAnswer(Answer):
    """An item of declaration `GET /v1/self-assessments`."""

    id: uuid.UUID
    campaign_year: int
    enterprise_uscc: str
    enterprise_name: str
    region_code: str
    factory_name: str | None
    cmmm_level: int
    outcome: str
    rules_edition: str
    source: str
    central_soe_group: str | None = None
    created_at: datetime


class SelfAssessmentRecordAnswer(SelfAssessmentAnswer):
    """declaration `GET /v1/self-assessments/{id}`."""

    segments: list[dict[str, Any]]
    attestations: dict[str, bool]
    kpis: dict[str, float | None]
    findings: list[SelfAssessmentFindingAnswer]
    created_by: str


class SelfAssessmentPage(Answer):
    items: list[SelfAssessmentAnswer]
    next_cursor: str | None


class DeadlineAnswer(Answer):
    level: str
    level_name: str
    closes_at: datetime
    last_day: date
    source: str
    clause: str
    clause_text: str
    note: str | None = None


class ApplicableDeadlineAnswer(DeadlineAnswer):
    passed: bool


class DeadlineChainAnswer(Answer):
    campaign_year: int
    jurisdiction: str
    jurisdiction_key: str
    tier: str
    updated_by: str
    updated_at: datetime
    deadlines: list[DeadlineAnswer]


class CampaignAnswer(Answer):
    """Each of declaration `GET /v1/campaigns`, and `GET /v1/campaigns/{year}`."""

    year: int
    title: str
    rules_edition: str
    source: str
    open_tiers: list[str]
    quota_policy: str
    publicity_period: str
    cultivation_period: str
    updated_by: str
    updated_at: datetime
    deadline_chains: list[DeadlineChainAnswer]


class RegionDeadlinesAnswer(Answer):
    """declaration `GET /v1/campaigns/{year}/deadlines?region=&tier=`."""

    campaign_year: int
    region: str
    tier: str
    jurisdiction: str | None
    jurisdiction_key: str | None
    now: datetime
    deadlines: list[ApplicableDeadlineAnswer]


# --- review: recommendation lists ----------------------------------------------------------


class ListSummaryAnswer(Answer):
    """An item of review `GET /v1/recommendation-lists`."""

    campaign_year: int
    tier: str
    unit: str
    status: str
    limit: int | None
    entries: int
    submitted_at: datetime | None
    sha256: str | None
    updated_at: datetime


class EntryAnswer(Answer):
    rank: int
    declaration_id: uuid.UUID
    counts: bool
    exemption: str | None = None
    enterprise_name: str
    factory_name: str
    region_code: str
    added_by: str
    added_at: datetime


class ListEventAnswer(Answer):
    action: str
    from_status: str | None
    to_status: str | None
    reason: str | None
    declaration_id: uuid.UUID | None
    row_version: int
    actor: str
    at: datetime


class SubmissionAnswer(Answer):
    submitted_by: str
    submitted_at: datetime
    sha256: str
    entries: int
    reported_to: list[str]


class ListAnswer(Answer):
    """review `GET /v1/recommendation-lists/{campaign}/{tier}/{unit}`, each of `…/batch`."""

    campaign_year: int
    tier: str
    unit: str
    status: str
    limit: int | None
    quota: dict[str, Any]
    counted: int
    exempt: int
    remaining: int | None
    ranking_level: str | None = None
    deadline: dict[str, Any] | None = None
    submission: SubmissionAnswer | None = None
    entries: list[EntryAnswer]
    history: list[ListEventAnswer]
    created_by: str
    created_at: datetime
    updated_at: datetime


# --- review: national review, cultivation, public lists, dashboards ----------------------------


class NationalCaseSummaryAnswer(Answer):
    """An item of review `GET /v1/national/cases`."""

    declaration_id: uuid.UUID
    campaign_year: int
    tier: str
    enterprise_uscc: str
    enterprise_name: str
    factory_name: str
    region_code: str
    recommending_unit: str
    status: str
    updated_at: datetime


class ExpertBriefAnswer(Answer):
    id: uuid.UUID
    name: str
    organisation: str


class NationalCaseAnswer(NationalCaseSummaryAnswer):
    """review `GET /v1/national/cases/{declaration_id}`."""

    central_soe_group: str | None
    industry: str | None
    version: int
    fingerprint: str
    details: dict[str, Any]
    experts: list[ExpertBriefAnswer] | None
    history: list[CaseTransitionAnswer]


class CultivationSummaryAnswer(Answer):
    """An item of review `GET /v1/cultivations`."""

    declaration_id: uuid.UUID
    enterprise_uscc: str
    enterprise_name: str
    factory_name: str
    region_code: str
    recommending_unit: str
    status: str
    level: str | None
    holder: str | None
    start_date: date
    period_end: date
    deadline: datetime
    experts: list[str]
    updated_at: datetime


class CultivationTransitionAnswer(Answer):
    event: str
    from_status: str | None
    to_status: str
    actor: str
    reason: str | None
    level: str | None
    holder: str | None
    at: datetime


class ApplicationAnswer(Answer):
    summary: str
    applicant: str
    at: datetime


class CultivationAnswer(CultivationSummaryAnswer):
    """review `GET /v1/cultivations/{declaration_id}`."""

    goals: str | None
    conclusion: str | None
    concluded_at: datetime | None
    created_at: datetime
    reports: int
    reminders_sent: list[int]
    application: ApplicationAnswer | None
    history: list[CultivationTransitionAnswer]


class ReportAnswer(Answer):
    id: int
    period: str
    text: str
    kpis: dict[str, float | None] | None
    author: str
    at: datetime


class ReportsAnswer(Answer):
    """Each of review `GET /v1/cultivations/reports?declaration_id=`: one record's page."""

    declaration_id: uuid.UUID
    items: list[ReportAnswer]
    total: int
    page: int
    page_size: int


class PublicEntryAnswer(Answer):
    declaration_id: uuid.UUID
    enterprise_name: str
    factory_name: str
    region_code: str
    tier: str


class PublishedListAnswer(Answer):
    """review `GET /public/v1/published-lists/{campaign}/{tier}` (a page of it)."""

    campaign_year: int
    tier: str
    published_at: datetime
    items: list[PublicEntryAnswer]
    total: int
    page: int
    page_size: int


class PublicNoticeAnswer(Answer):
    """review `GET /public/v1/publicity/{campaign}/{tier}`: the 公示."""

    campaign_year: int
    tier: str
    starts_at: datetime
    ends_at: datetime
    accepting_objections: bool
    entries: list[PublicEntryAnswer]


class LeadingFactoryAnswer(Answer):
    enterprise_name: str
    factory_name: str
    region_code: str
    accepted_on: date


class CountGroupAnswer(Answer):
    key: str | None
    count: int


class CountsAnswer(Answer):
    """review `GET /v1/dashboards/cases`."""

    campaign_year: int
    by: str
    total: int
    groups: list[CountGroupAnswer]
