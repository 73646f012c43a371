"""Response models for editions and their catalogues."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from ladder.rules.editions.models import Edition, Indicator, KpiGroup, MaterialList
from ladder.rules.vocabulary import Severity, Tier


class EditionSummary(BaseModel):
    id: str
    title: str
    source: str
    effective_from: date


# The whole edition reads as it is stored: the data file is the public contract.
EditionRead = Edition


class SceneRead(BaseModel):
    segment: str = Field(description="the scene guide's 环节")
    maps_to: str | None = Field(
        description="the 要素条件 segment it counts for (footnotes [1]–[5])"
    )
    scene: str


class SceneCatalogue(BaseModel):
    edition: str
    guide: str
    source: str
    segments: list[str] = Field(description="the guide's 环节, in order")
    scenes_loaded: bool = Field(description="false when only the 环节 are known")
    scenes: list[SceneRead]


class KpiCatalogue(BaseModel):
    edition: str
    clause: str
    groups: list[KpiGroup]
    indicators: list[Indicator]


class MaterialCatalogue(BaseModel):
    edition: str
    tiers: dict[Tier, MaterialList]


class RuleRead(BaseModel):
    rule_id: str
    clause: str
    severity: Severity
    text: str
    overlay: str | None


class RuleCatalogue(BaseModel):
    edition: str
    tier: Tier
    jurisdiction: str | None
    overlays: list[str]
    rules: list[RuleRead]
