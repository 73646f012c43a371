"""Request and response models for declarations."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ladder.declaration.declarations.document import DeclarationFacts
from ladder.declaration.vocabulary import Tier


class DeclarationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    factory_id: uuid.UUID
    campaign_year: int = Field(ge=2024, le=2100)
    tier: Tier
    facts: DeclarationFacts


class DeclarationPatch(BaseModel):
    """An edit of a draft: `tier` replaces the tier; `facts` is a JSON Merge Patch (RFC 7396)
    of the stored facts (`ladder.declaration.declarations.merge`)."""

    model_config = ConfigDict(extra="forbid")
    tier: Tier | None = None
    facts: dict[str, Any] | None = Field(
        default=None,
        description=(
            "JSON Merge Patch (RFC 7396) of the declaration's `facts` (schema: "
            "`DeclarationFacts`): send only what changes; an object merges key by key, null "
            "removes a key, an array or a value replaces it whole. The merged document must "
            "be valid as a whole (422 names its fields as `facts.<path>`)."
        ),
        examples=[{"summary": "补充后的建设概述", "contact": {"mobile": "13900000000"}}],
    )


class ReviewStatus(BaseModel):
    """The review path's status of the declaration (owned by the review service)."""

    status: str = Field(description="e.g. awaiting_initial_review")
    event: str = Field(description="what happened, e.g. received, resubmitted")
    version: int = Field(description="the declaration version the status is about")
    at: datetime
    reason: str | None = None


class CultivationReminder(BaseModel):
    days_before: int | None
    deadline: datetime | None
    at: datetime


class CultivationStatus(BaseModel):
    """The 领航级 cultivation (培育) of the declaration, as the review service last said."""

    status: str = Field(description="e.g. cultivating, acceptance_initial_review, accepted")
    event: str
    period_end: date = Field(description="the cultivation period ends (exclusive) this day")
    at: datetime
    reason: str | None = None
    reminder: CultivationReminder | None = Field(
        default=None, description="the last reminder before the period ends (90 / 30 days)"
    )


class DeclarationRead(BaseModel):
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
    last_precheck: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    current_version: int | None = None
    current_fingerprint: str | None = None
    review_status: ReviewStatus | None = Field(
        default=None, description="where the review stands, as the review service last said"
    )
    cultivation_status: CultivationStatus | None = Field(
        default=None, description="领航级 only: the cultivation, once it has started"
    )


class MarkingWarning(BaseModel):
    field: str
    marking: str
    message: str
    message_en: str


class Finding(BaseModel):
    rule_id: str
    clause: str
    severity: str
    status: str = Field(description="passed | failed | not_provided")
    passed: bool
    field: str | None = Field(
        default=None,
        description=(
            "where to fix it, a path in this declaration: `facts.…` in the document (e.g. "
            "`facts.attestations.no_bad_credit`), `enterprise.region_code` in the enterprise "
            "profile, `credit_check` for the county's check after submission"
        ),
    )
    fact: str | None = Field(
        default=None, description="the rules service's name of the fact evaluated (its path)"
    )
    overlay: str | None = None
    message: str
    message_en: str
    expected: Any = None
    actual: Any = None


class PrecheckResult(BaseModel):
    """The rules service's answer. `incomplete`: nothing failed, but some rule lacked facts."""

    edition: str
    tier: str
    outcome: Literal["eligible", "ineligible", "incomplete"]
    eligible: bool
    complete: bool
    findings: list[Finding]
    overlays: list[str] = Field(default_factory=list, description="local overlays applied")
    warnings: list[MarkingWarning] = Field(
        default_factory=list,
        description="text that looks like a classification marking (密级标志) — remove it or "
        "confirm the material contains no state secrets before submitting",
    )


class VersionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    number: int
    fingerprint: str
    submitted_by: str
    submitted_at: datetime
    content: dict[str, Any]


class VersionOf(VersionRead):
    """A version in a batch read: whose it is."""

    declaration_id: uuid.UUID


class Change(BaseModel):
    path: str = Field(description="e.g. facts.scenes[2].instance")
    change: Literal["added", "removed", "changed"]
    before: Any = None
    after: Any = None


class VersionDiff(BaseModel):
    before: int
    after: int
    before_fingerprint: str
    after_fingerprint: str
    changes: list[Change]


class TransitionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    event: str
    from_status: str
    to_status: str
    actor: str
    reason: str | None
    at: datetime


class VersionDiffOf(VersionDiff):
    declaration_id: uuid.UUID


class TransitionOf(TransitionRead):
    declaration_id: uuid.UUID


class WithdrawRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000)
