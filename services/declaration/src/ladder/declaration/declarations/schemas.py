"""Request and response models for declarations."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ladder.declaration.vocabulary import Segment, Tier


class DeclarationFacts(BaseModel):
    """The facts of a declaration the rules are evaluated on (a minimal set for now)."""

    model_config = ConfigDict(extra="forbid")

    cmmm_level: int = Field(ge=1, le=5, description="智能制造能力成熟度 level (GB/T 39116-2020)")
    segments: list[Segment] = Field(
        min_length=1, max_length=5, description="segments (环节) the factory covers"
    )
    summary: str | None = Field(default=None, max_length=4000, description="建设概述")

    @field_validator("segments")
    @classmethod
    def _no_repeats(cls, value: list[Segment]) -> list[Segment]:
        if len(set(value)) != len(value):
            raise ValueError("a segment is listed twice (环节重复)")
        return value


class DeclarationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    factory_id: uuid.UUID
    campaign_year: int = Field(ge=2024, le=2100)
    tier: Tier
    facts: DeclarationFacts


class DeclarationPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tier: Tier | None = None
    facts: DeclarationFacts | None = None


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


class Finding(BaseModel):
    rule_id: str
    clause: str
    severity: str
    status: str = Field(description="passed | failed | not_provided")
    passed: bool
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


class VersionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    number: int
    fingerprint: str
    submitted_by: str
    submitted_at: datetime
    content: dict[str, Any]


class TransitionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    event: str
    from_status: str
    to_status: str
    actor: str
    reason: str | None
    at: datetime


class WithdrawRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000)
