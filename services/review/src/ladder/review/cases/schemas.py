"""The `declaration.submitted` event payload this service accepts, and the case responses."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from ladder.review.cases.machine import CaseStatus
from ladder.review.vocabulary import Tier

RegionCode = Annotated[
    str,
    StringConstraints(pattern=r"^[1-8][0-9]{5}$"),
    Field(description="GB/T 2260 six-digit administrative division code", examples=["350102"]),
]
# Shape only: the declaration service validated the check character (GB 32100-2015).
USCC = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9A-HJ-NP-RTUW-Y]{2}[0-9]{6}[0-9A-HJ-NP-RTUW-Y]{10}$"),
    Field(description="统一社会信用代码 (18 characters)"),
]
Fingerprint = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9a-f]{64}$"),
    Field(description="SHA-256 (hex) of the submitted version's canonical content"),
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class DeclarationSubmitted(BaseModel):
    """Payload of `declaration.submitted`, published by the declaration service on each
    submission (a new, frozen, fingerprinted version). Unknown fields are ignored so the
    publisher can add some without breaking this consumer."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    declaration_id: uuid.UUID
    version: int = Field(ge=1)
    fingerprint: Fingerprint
    campaign_year: int = Field(ge=2024, le=2100)
    tier: Tier
    enterprise_uscc: USCC
    enterprise_name: Name
    factory_name: Name
    region_code: RegionCode
    submitted_at: AwareDatetime


class CaseSummary(BaseModel):
    """One line of an authority's inbox."""

    model_config = ConfigDict(from_attributes=True)

    declaration_id: uuid.UUID
    tier: Tier
    campaign_year: int
    enterprise_uscc: str
    enterprise_name: str
    factory_name: str
    region_code: str
    version: int
    fingerprint: str
    status: CaseStatus
    received_at: datetime


class TransitionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    event: str
    from_status: str | None
    to_status: str
    actor: str
    reason: str | None
    version: int | None
    at: datetime


class CaseRead(CaseSummary):
    """A case with its history, oldest first."""

    submitted_at: datetime
    updated_at: datetime
    history: list[TransitionRead]
