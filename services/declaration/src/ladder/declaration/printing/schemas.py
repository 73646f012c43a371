"""What the public verification answers."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field


class VerificationRead(BaseModel):
    """What a member of the public holding the paper copy may learn from its fingerprint:
    which declaration and version it is, and whether it is the copy under review. Nothing of
    the declaration's content (facts, contacts) and no one's user id."""

    fingerprint: str = Field(description="SHA-256 of the version's canonical content")
    declaration_id: uuid.UUID
    version: int = Field(description="the version number printed on the copy")
    campaign_year: int
    campaign_title: str | None
    tier: str
    tier_name: str = Field(description="e.g. 卓越级")
    enterprise_name: str = Field(description="as submitted in this version")
    factory_name: str = Field(description="as submitted in this version")
    submitted_at: datetime
    latest_version: int = Field(description="the declaration's latest submitted version")
    is_latest: bool = Field(description="this copy is the latest submitted version")
    status: str = Field(description="the declaration's current status")
    status_name: str = Field(description="e.g. 已提交")
    is_current: bool = Field(
        description=(
            "this copy is the one under review (or decided on): the latest version, and the "
            "declaration is neither withdrawn nor back with the enterprise for revision"
        )
    )
    verdict: str = Field(description="the answer in one sentence, for a person")
    verdict_en: str
