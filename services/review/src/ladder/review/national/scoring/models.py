"""The score sheet table."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from sqlalchemy import Column, ForeignKey, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from ladder.kit.concurrency import Versioned
from ladder.kit.db import timestamp_field
from ladder.review.national.models import CASE_ID
from ladder.review.settings import SCHEMA


class NationalScoreSheet(Versioned, table=True):
    """One expert's scores for one case, criterion key → score, with the weighted total."""

    __tablename__ = "national_score_sheet"
    __table_args__ = (UniqueConstraint("case_id", "expert_id"), {"schema": SCHEMA})
    etag_kind: ClassVar[str] = "score-sheet"

    id: int | None = Field(default=None, primary_key=True)
    case_id: uuid.UUID = Field(sa_column=Column(ForeignKey(CASE_ID), nullable=False))
    expert_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey(f"{SCHEMA}.national_expert.id"), nullable=False)
    )
    scores: dict[str, float] = Field(sa_column=Column(JSONB, nullable=False))
    total: float
    submitted_at: datetime | None = timestamp_field()
    updated_at: datetime | None = timestamp_field()
