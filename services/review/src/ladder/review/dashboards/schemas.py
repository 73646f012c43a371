"""Answers of the authority dashboards."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field


class Dimension(StrEnum):
    province = "province"  # the factory's province (GB/T 2260, 2 digits + 0000)
    industry = "industry"  # GB/T 4754 division (门类 letter + 大类 two digits, e.g. C34)
    tier = "tier"
    status = "status"
    scene = "scene"  # 环节—场景 of the scene guide
    recommending_unit = "recommending_unit"


class Group(BaseModel):
    key: str | None = Field(description="the value counted; null when the case lacks it")
    count: int


class Counts(BaseModel):
    campaign_year: int
    by: Dimension
    total: int = Field(description="cases counted (for scenes: cases declaring any scene)")
    groups: list[Group] = Field(description="largest first, then by key")
