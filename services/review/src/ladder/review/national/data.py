"""The national review's data (`national.yaml`), validated at startup.

Facts the notice sets carry their clause; values it leaves open (weights, the 公示 period,
expert counts, the conflict types) are Ladder's configurable data, each under a `basis: ladder`
block, so nobody mistakes a Ladder default for a rule of the ministries.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from ladder.review.vocabulary import Tier

NATIONAL_PATH = Path(__file__).with_name("national.yaml")

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2)]
Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,39}$")]


class NationalTier(StrEnum):
    """The tiers the six ministries decide after the provinces' recommendation."""

    excellence = Tier.excellence.value  # 卓越级: material review, then recognition
    pilot = Tier.pilot.value  # 领航级: material review and 现场核查, then the 培育对象 list


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LadderChoice(_Strict):
    """A value the notice does not set: Ladder's, with a note saying so."""

    basis: Literal["ladder"]
    note: Text


class Clause(_Strict):
    source: Text
    text: Text


class Clauses(_Strict):
    excellence_review: Clause
    pilot_review: Clause
    onsite_cooperation: Clause
    cultivation: Clause
    publicity: Clause


class Range(_Strict):
    min: int = Field(ge=1)
    max: int = Field(ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.min > self.max:
            raise ValueError("min exceeds max")
        return self


class ExpertsPerCase(LadderChoice):
    excellence: Range
    pilot: Range

    def for_tier(self, tier: NationalTier) -> Range:
        return getattr(self, tier.value)


class OnsiteTeam(LadderChoice, Range):
    pass


class OnsiteVerification(_Strict):
    """Which tiers get a 现场核查: required before selection, or at the ministry's choice."""

    source: Text
    required: tuple[NationalTier, ...]
    optional: tuple[NationalTier, ...] = ()

    def facts(self) -> dict[str, Any]:
        """What the case machine's 现场核查 guards judge."""
        required = frozenset(t.value for t in self.required)
        return {
            "onsite_tiers": required | {t.value for t in self.optional},
            "onsite_required": required,
            "onsite_source": self.source,
        }


class Publicity(LadderChoice):
    """A named 公示 period: a campaign names it (`campaign.changed` publicity_period)."""

    id: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z._-]{1,40}$")]
    days: int = Field(ge=1, description="calendar days, counted in Beijing time")
    max_days: int = Field(ge=1)


class ConflictType(_Strict):
    code: Key
    message: Text
    message_en: Text


class Conflicts(LadderChoice):
    same_region_level: Literal["province", "city"]
    types: tuple[ConflictType, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _codes_unique(self) -> Self:
        codes = [t.code for t in self.types]
        if len(codes) != len(set(codes)):
            raise ValueError("a conflict type is listed twice")
        return self


class Criterion(_Strict):
    key: Key
    name: Text
    name_en: Text
    source: Text = Field(description="the clause of 要素条件 or the notice the criterion reads")
    weight: float = Field(gt=0)
    max: float = Field(gt=0, description="the highest score an expert may give")


def _unique_keys(items: tuple[Criterion, ...], what: str) -> None:
    keys = [c.key for c in items]
    if len(keys) != len(set(keys)):
        raise ValueError(f"{what}: a key is listed twice")


class Criteria(LadderChoice):
    excellence: tuple[Criterion, ...] = Field(min_length=1)
    pilot: tuple[Criterion, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _keys_unique(self) -> Self:
        _unique_keys(self.excellence, "excellence")
        _unique_keys(self.pilot, "pilot")
        return self

    def for_tier(self, tier: NationalTier) -> tuple[Criterion, ...]:
        return getattr(self, tier.value)


class TemplateItem(_Strict):
    key: Key
    text: Text
    text_en: Text
    source: Text


class National(_Strict):
    edition: str
    clauses: Clauses
    experts_per_case: ExpertsPerCase
    onsite_verification: OnsiteVerification
    onsite_team: OnsiteTeam
    publicity: Publicity
    conflicts: Conflicts
    criteria: Criteria
    onsite_template: tuple[TemplateItem, ...]

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        keys = [t.key for t in self.onsite_template]
        if len(keys) != len(set(keys)):
            raise ValueError("onsite_template: a key is listed twice")
        if self.publicity.days > self.publicity.max_days:
            raise ValueError("publicity: days exceeds max_days")
        # Every listed conflict type needs a check in code; imported here, not at module level,
        # because conflicts.py reads this data.
        from ladder.review.national.experts.conflicts import CHECKS

        unknown = {t.code for t in self.conflicts.types} - CHECKS.keys()
        if unknown:
            raise ValueError(f"conflicts: no check for {sorted(unknown)}")
        return self


def parse(text: str) -> National:
    """Validate from YAML text (raises `pydantic.ValidationError` or `yaml.YAMLError`)."""
    return National.model_validate(yaml.safe_load(text))


@cache
def national() -> National:
    """The data in force, read once; `create_app` calls this so a bad file stops startup."""
    return parse(NATIONAL_PATH.read_text(encoding="utf-8"))
