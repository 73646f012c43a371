"""A national case as the ministry and its experts read it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlmodel import Field

from ladder.review.cases.machine import CaseStatus
from ladder.review.cases.schemas import TransitionRead
from ladder.review.national.experts.schemas import ExpertBrief
from ladder.review.vocabulary import Tier


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
