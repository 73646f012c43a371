"""Request and response models for evaluations."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from ladder.rules.rules import Finding
from ladder.rules.vocabulary import Tier

SegmentName = Annotated[str, StringConstraints(min_length=1, max_length=50)]


class Explain(StrEnum):
    failures = "failures"  # only the findings that failed
    full = "full"  # every finding, passed ones too


class FactsIn(BaseModel):
    """The facts of a factory (exactly what the declaration service sends)."""

    model_config = ConfigDict(extra="forbid")

    cmmm_level: int = Field(
        ge=1, le=5, strict=True, description="智能制造能力成熟度 level (GB/T 39116-2020)"
    )
    segments: list[SegmentName] = Field(
        max_length=20,
        description="segments (环节) the factory covers, by their names in the edition",
    )
    summary: str | None = Field(
        default=None, max_length=4000, description="建设概述 (not evaluated)"
    )

    @field_validator("segments")
    @classmethod
    def _no_repeats(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("a segment is listed twice (环节重复)")
        return value


class EvaluationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    edition: str | None = Field(
        default=None,
        min_length=1,
        max_length=20,
        description="要素条件 edition id; omitted: the edition in effect today",
    )
    tier: Tier
    facts: FactsIn
    explain: Explain = Explain.failures


class EvaluationResult(BaseModel):
    edition: str
    tier: Tier
    eligible: bool = Field(description="no error-severity rule failed")
    findings: list[Finding]
