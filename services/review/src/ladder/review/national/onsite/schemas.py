"""The 现场核查 as read and written."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Self

from pydantic import BaseModel, StringConstraints, model_validator
from sqlmodel import Field

from ladder.review.national.experts.schemas import ExpertBrief
from ladder.review.national.schemas import Reasons, Strict, unique_ids


class OnsiteCreate(Strict):
    scheduled_on: date
    place: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    team: list[uuid.UUID] = Field(min_length=1, max_length=50, description="expert ids")

    @model_validator(mode="after")
    def _distinct(self) -> Self:
        unique_ids(self.team)
        return self


class OnsiteReschedule(Strict):
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
            unique_ids(self.team)
        return self


class Finding(StrEnum):
    verified = "verified"  # 属实
    discrepancy = "discrepancy"  # 存在差异 (note required)
    not_checked = "not_checked"  # 未核查 (note required)


class FindingPut(Strict):
    finding: Finding
    note: Reasons | None = None


class ConclusionPut(Strict):
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
