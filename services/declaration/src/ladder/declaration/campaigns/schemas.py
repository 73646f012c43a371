"""Request and response models for campaigns and their deadline chains.

Every instant is answered in Beijing time (`+08:00`). A deadline is entered either as
`last_day` (the date a notice names: "by 2025-07-18" closes at 2025-07-19T00:00:00+08:00) or as
an explicit timezone-aware `closes_at` (the first late instant).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Self

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from ladder.declaration.campaigns.deadlines import DeadlineLevel, closes_after


class DeadlineRead(BaseModel):
    level: DeadlineLevel
    level_name: str = Field(description="中文名")
    closes_at: datetime = Field(description="first late instant, Beijing time; in time is < it")
    last_day: date = Field(description="Beijing date of the last instant still in time")
    source: str = Field(description="the notice")
    clause: str
    clause_text: str = Field(description="the clause as the notice words it")
    note: str | None = None


class ApplicableDeadline(DeadlineRead):
    passed: bool = Field(description="whether the deadline has closed (by the service clock)")


class DeadlineChainRead(BaseModel):
    campaign_year: int
    jurisdiction: str = Field(description='GB/T 2260 prefix; "" = national default')
    jurisdiction_key: str = Field(description='the URL segment: "national" or the prefix')
    etag: str = Field(description="send as If-Match to replace this chain")
    row_version: int
    updated_by: str
    updated_at: datetime
    deadlines: list[DeadlineRead] = Field(description="lowest level first")


class CampaignRead(BaseModel):
    year: int
    title: str
    rules_edition: str
    source: str
    open_tiers: list[str]
    deadline_chains: list[DeadlineChainRead]


class RegionDeadlines(BaseModel):
    """The chain that applies to one region: its longest matching jurisdiction prefix."""

    campaign_year: int
    region: str
    jurisdiction: str | None = Field(description="the chain chosen; null when none applies")
    jurisdiction_key: str | None
    now: datetime = Field(description="the service clock, Beijing time")
    deadlines: list[ApplicableDeadline]


class DeadlineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    level: DeadlineLevel
    last_day: date | None = Field(
        default=None, description="in time through the end of this day, Beijing time"
    )
    closes_at: AwareDatetime | None = Field(
        default=None, description="or: the first late instant, with its UTC offset"
    )
    source: str = Field(min_length=1, max_length=200)
    clause: str = Field(min_length=1, max_length=100)
    clause_text: str = Field(min_length=1, max_length=4000)
    note: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _one_instant(self) -> Self:
        if (self.last_day is None) == (self.closes_at is None):
            raise ValueError("give exactly one of last_day and closes_at")
        return self

    def instant(self) -> datetime:
        return self.closes_at if self.closes_at is not None else closes_after(self.last_day)  # type: ignore[arg-type]


class DeadlineChainReplace(BaseModel):
    model_config = ConfigDict(extra="forbid")
    deadlines: list[DeadlineIn] = Field(min_length=1, max_length=len(DeadlineLevel))

    @field_validator("deadlines")
    @classmethod
    def _levels_once(cls, deadlines: list[DeadlineIn]) -> list[DeadlineIn]:
        levels = [d.level for d in deadlines]
        if len(set(levels)) != len(levels):
            raise ValueError("each level at most once")
        return deadlines
