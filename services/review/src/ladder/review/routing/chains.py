"""Review chains by jurisdiction, loaded from `chains.yaml` and validated at startup.

A chain is the ordered list of levels (county → city → province) whose authorities give their
initial-review opinion (初审意见) before the province recommends (推荐). Which chain applies is
decided by the longest jurisdiction prefix of the factory's GB/T 2260 code, else the default.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Annotated, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

CHAINS_PATH = Path(__file__).with_name("chains.yaml")

Source = Annotated[str, StringConstraints(strip_whitespace=True, min_length=4)]


class Level(StrEnum):
    """A level of the review chain; named like the authority roles that hold it."""

    county = "county"  # 区县 (Shanghai: 区)
    city = "city"  # 地市
    province = "province"  # 省级主管部门


# How many leading digits of the factory's code name the authority of a level.
_DIGITS = {Level.county: 6, Level.city: 4, Level.province: 2}
_ORDER = list(Level)


def holder_region(level: Level, region_code: str) -> str:
    """The region code of the authority holding `level` for a factory in `region_code`:
    county 350102, city 350100, province 350000."""
    return region_code[: _DIGITS[level]].ljust(6, "0")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CreditCheck(_Strict):
    """The level must check 国家企业信用信息公示系统 and 中国执行信息公开网 and exclude the
    失信黑名单 before forwarding."""

    required: bool
    source: Source


class ChainLevel(_Strict):
    level: Level
    source: Source
    credit_check: CreditCheck | None = None

    @property
    def requires_credit_check(self) -> bool:
        return self.credit_check is not None and self.credit_check.required


class Chain(_Strict):
    name: str = Field(min_length=1)
    levels: tuple[ChainLevel, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _levels_climb_to_the_province(self) -> Self:
        order = [_ORDER.index(lv.level) for lv in self.levels]
        if order != sorted(set(order)):
            raise ValueError(f"{self.name}: levels must be distinct and go up (county → province)")
        if self.levels[-1].level is not Level.province:
            raise ValueError(f"{self.name}: the last level must be the province")
        return self

    def first(self) -> ChainLevel:
        return self.levels[0]

    def at(self, level: Level) -> ChainLevel:
        for lv in self.levels:
            if lv.level is level:
                return lv
        raise KeyError(f"{self.name} has no level {level}")

    def above(self, level: Level) -> ChainLevel | None:
        """The next level up, or None at the top."""
        levels = [lv.level for lv in self.levels]
        i = levels.index(level)
        return self.levels[i + 1] if i + 1 < len(levels) else None


class Jurisdiction(Chain):
    prefix: Annotated[str, StringConstraints(pattern=r"^[1-8][0-9]$")]


class PlannedCity(_Strict):
    """计划单列市: routed through its province's chain, never a chain of its own."""

    code: Annotated[str, StringConstraints(pattern=r"^[1-8][0-9]{3}00$")]
    name: str


class Chains(_Strict):
    default: Chain
    jurisdictions: tuple[Jurisdiction, ...] = ()
    separately_planned_cities: tuple[PlannedCity, ...] = ()

    @model_validator(mode="after")
    def _one_chain_per_province(self) -> Self:
        prefixes = [j.prefix for j in self.jurisdictions]
        if len(prefixes) != len(set(prefixes)):
            raise ValueError("a province prefix has two chains")
        return self

    def for_region(self, region_code: str) -> Chain:
        """The chain of a factory's region: its province's, else the default. A 计划单列市
        falls under its province's prefix, so it goes through the province's chain."""
        for j in self.jurisdictions:
            if region_code.startswith(j.prefix):
                return j
        return self.default


def parse(text: str) -> Chains:
    """Validate chains from YAML text (raises `pydantic.ValidationError` or `yaml.YAMLError`)."""
    return Chains.model_validate(yaml.safe_load(text))


@cache
def chains() -> Chains:
    """The chains in force, read once; `create_app` calls this so a bad file stops startup."""
    return parse(CHAINS_PATH.read_text(encoding="utf-8"))
