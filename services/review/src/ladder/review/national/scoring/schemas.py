"""Score sheets as read and written."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlmodel import Field

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
