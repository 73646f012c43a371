"""Request and response models for campaigns and their deadline chains.

Every instant is answered in Beijing time (`+08:00`). A deadline is entered either as
`last_day` (the date a notice names: "by 2025-07-18" closes at 2025-07-19T00:00:00+08:00) or as
an explicit timezone-aware `closes_at` (the first late instant).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Self

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from ladder.declaration.campaigns.deadlines import DeadlineLevel, closes_after, is_jurisdiction
from ladder.declaration.vocabulary import Tier


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
    tier: Tier = Field(description="the tier whose declarations and lists this chain times")
    etag: str = Field(description="send as If-Match to replace this chain")
    row_version: int
    updated_by: str
    updated_at: datetime
    deadlines: list[DeadlineRead] = Field(description="lowest level first")


class CampaignParameters(BaseModel):
    """What a campaign passes on to the other services (`campaign.changed`): named entries of
    their catalogues, not numbers copied here."""

    quota_policy: str = Field(
        min_length=1,
        max_length=40,
        pattern=r"^[0-9A-Za-z._-]+$",
        description="the rules service's quota policy id, e.g. 2025 (policies/2025.yaml)",
    )
    publicity_period: str = Field(
        min_length=1,
        max_length=40,
        pattern=r"^[0-9A-Za-z._-]+$",
        description="the review service's named 公示 period, e.g. ladder-default",
    )
    cultivation_period: str = Field(
        min_length=1,
        max_length=40,
        pattern=r"^[0-9A-Za-z._-]+$",
        description="the review service's named 领航级 cultivation period, e.g. 251-2025",
    )


class CampaignRead(CampaignParameters):
    year: int
    title: str
    rules_edition: str
    source: str
    open_tiers: list[str]
    etag: str = Field(description="send as If-Match to edit the campaign")
    row_version: int
    updated_by: str
    updated_at: datetime
    deadline_chains: list[DeadlineChainRead]


class RevisionRead(BaseModel):
    """One entry of a campaign's history: the campaign's own fields, or one chain."""

    kind: str = Field(description="campaign or deadline_chain")
    row_version: int
    changed_by: str
    changed_at: datetime
    jurisdiction_key: str | None = None
    tier: Tier | None = None
    changed: list[str] = Field(default_factory=list, description="the fields this one changed")
    fields: dict[str, Any] = Field(description="what the campaign or the chain said after it")


class CampaignHistory(BaseModel):
    campaign_year: int
    revisions: list[RevisionRead] = Field(description="oldest first")


class RegionDeadlines(BaseModel):
    """The chain that applies to one region: its longest matching jurisdiction prefix."""

    campaign_year: int
    region: str
    tier: Tier
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


class ChainIn(DeadlineChainReplace):
    """A chain in a new campaign: one jurisdiction, for one or several tiers (stored as one
    chain per tier)."""

    jurisdiction: str = Field(
        max_length=6, description='"" (national default) or a GB/T 2260 prefix: 31, 3501'
    )
    tiers: list[Tier] = Field(min_length=1, max_length=len(Tier))

    @field_validator("jurisdiction")
    @classmethod
    def _prefix(cls, value: str) -> str:
        if not is_jurisdiction(value):
            raise ValueError('"" or a GB/T 2260 prefix of 2, 4 or 6 digits')
        return value

    @field_validator("tiers")
    @classmethod
    def _tiers_once(cls, tiers: list[Tier]) -> list[Tier]:
        if len(set(tiers)) != len(tiers):
            raise ValueError("each tier at most once")
        return tiers


class CampaignFields(CampaignParameters):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=200)
    source: str = Field(min_length=1, max_length=200, description="the notice that opens it")
    open_tiers: list[Tier] = Field(min_length=1, max_length=len(Tier))

    @field_validator("open_tiers")
    @classmethod
    def _open_once(cls, tiers: list[Tier]) -> list[Tier]:
        if len(set(tiers)) != len(tiers):
            raise ValueError("each tier at most once")
        return tiers


class CampaignCreate(CampaignFields):
    """A new campaign. `rules_edition` names a 要素条件 edition; without it, the edition in effect
    on `opens_on` (the rules service's `GET /v1/editions/in-effect`) is chosen and stored."""

    year: int = Field(ge=2024, le=2100)
    rules_edition: str | None = Field(default=None, min_length=1, max_length=20)
    opens_on: date | None = Field(
        default=None, description="the notice's date: picks the edition when none is named"
    )
    deadline_chains: list[ChainIn] = Field(default_factory=list, max_length=400)

    @model_validator(mode="after")
    def _edition_or_date(self) -> Self:
        if self.rules_edition is None and self.opens_on is None:
            raise ValueError("give rules_edition, or opens_on to choose it by date")
        return self


class CampaignPatch(BaseModel):
    """Only the fields given change; chains are edited one by one (`PUT .../deadlines/...`)."""

    model_config = ConfigDict(extra="forbid")
    title: str | None = Field(default=None, min_length=1, max_length=200)
    source: str | None = Field(default=None, min_length=1, max_length=200)
    open_tiers: list[Tier] | None = Field(default=None, min_length=1, max_length=len(Tier))
    rules_edition: str | None = Field(default=None, min_length=1, max_length=20)
    quota_policy: str | None = Field(
        default=None, min_length=1, max_length=40, pattern=r"^[0-9A-Za-z._-]+$"
    )
    publicity_period: str | None = Field(
        default=None, min_length=1, max_length=40, pattern=r"^[0-9A-Za-z._-]+$"
    )
    cultivation_period: str | None = Field(
        default=None, min_length=1, max_length=40, pattern=r"^[0-9A-Za-z._-]+$"
    )

    @model_validator(mode="after")
    def _something(self) -> Self:
        if not self.model_fields_set:
            raise ValueError("nothing to change")
        for name in self.model_fields_set:
            if getattr(self, name) is None:
                raise ValueError(f"{name} may not be null")
        if self.open_tiers is not None and len(set(self.open_tiers)) != len(self.open_tiers):
            raise ValueError("each tier at most once")
        return self
