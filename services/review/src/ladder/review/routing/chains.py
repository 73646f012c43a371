"""Review chains by jurisdiction, loaded from `chains.yaml` and validated at startup.

A chain is the ordered list of levels (county → city → province) whose authorities give their
initial-review opinion (初审意见) before the recommending unit recommends (推荐). Which chain
applies (`route`):

- a central SOE's declaration of a tier its group HQ recommends (先进级, 卓越级) goes to the
  group HQ (`central_soe_hq`, unit `soe:<group USCC>`); its 领航级 go through the province;
- a factory in a region the XPCC (新疆生产建设兵团) recommends goes to the XPCC (unit `xpcc`);
- otherwise the province's chain by the factory's GB/T 2260 prefix, else the default; a
  计划单列市 falls under its province.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Annotated, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from ladder.kit import jurisdiction

CHAINS_PATH = Path(__file__).with_name("chains.yaml")

Source = Annotated[str, StringConstraints(strip_whitespace=True, min_length=4)]


class Level(StrEnum):
    """A level of the review chain; named like the authority roles that hold it."""

    county = "county"  # 区县 (Shanghai: 区)
    city = "city"  # 地市
    province = "province"  # 省级主管部门 (and the XPCC)
    central_soe_hq = "central_soe_hq"  # 中央企业集团总部


# How many leading digits of the factory's code name the authority of a level.
_DIGITS = {Level.county: 6, Level.city: 4, Level.province: 2}
_ORDER = list(Level)
RECOMMENDING_LEVELS = frozenset({Level.province, Level.central_soe_hq})
# The unit names are the access rule's (`ladder.kit.jurisdiction`): one spelling everywhere.
XPCC = jurisdiction.XPCC
SOE_PREFIX = jurisdiction.SOE_PREFIX


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
        if self.levels[-1].level not in RECOMMENDING_LEVELS:
            raise ValueError(f"{self.name}: the last level must recommend (province or SOE HQ)")
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


class CentralSoeChain(Chain):
    """The group HQ recommends its own enterprises' declarations of these tiers."""

    tiers: frozenset[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _held_by_the_group(self) -> Self:
        if [lv.level for lv in self.levels] != [Level.central_soe_hq]:
            raise ValueError(f"{self.name}: the group HQ is the one level")
        return self


class XpccChain(Chain):
    """The XPCC recommends the factories in these region prefixes."""

    region_prefixes: tuple[Annotated[str, StringConstraints(pattern=r"^[0-9]{2,6}$")], ...]

    @model_validator(mode="after")
    def _held_by_the_xpcc(self) -> Self:
        if [lv.level for lv in self.levels] != [Level.province]:
            raise ValueError(f"{self.name}: the XPCC (a province-level unit) is the one level")
        return self


@dataclass(frozen=True)
class Route:
    """Where a declaration goes: the chain and the unit whose list it ends on."""

    chain: Chain
    unit: str  # province code (350000), `xpcc`, or `soe:<group USCC>`

    def holder(self, level: Level, region_code: str) -> str:
        """Who holds `level`: the GB/T 2260 code of the authority, `xpcc`, or the group USCC."""
        if level is Level.central_soe_hq:
            return self.unit.removeprefix(SOE_PREFIX)
        if level is Level.province and self.unit == XPCC:
            return XPCC
        return holder_region(level, region_code)


class Chains(_Strict):
    default: Chain
    jurisdictions: tuple[Jurisdiction, ...] = ()
    central_soe: CentralSoeChain
    xpcc: XpccChain
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

    def route(self, region_code: str, tier: str, central_soe_group: str | None) -> Route:
        """The route of a new submission (see the module docstring)."""
        if central_soe_group and tier in self.central_soe.tiers:
            return Route(self.central_soe, SOE_PREFIX + central_soe_group)
        if any(region_code.startswith(p) for p in self.xpcc.region_prefixes):
            return Route(self.xpcc, XPCC)
        return Route(self.for_region(region_code), holder_region(Level.province, region_code))

    def route_of(self, recommending_unit: str, region_code: str) -> Route:
        """The route a case was given, from the unit stored on it."""
        if recommending_unit.startswith(SOE_PREFIX):
            return Route(self.central_soe, recommending_unit)
        if recommending_unit == XPCC:
            return Route(self.xpcc, XPCC)
        return Route(self.for_region(region_code), holder_region(Level.province, region_code))


def parse(text: str) -> Chains:
    """Validate chains from YAML text (raises `pydantic.ValidationError` or `yaml.YAMLError`)."""
    return Chains.model_validate(yaml.safe_load(text))


@cache
def chains() -> Chains:
    """The chains in force, read once; `create_app` calls this so a bad file stops startup."""
    return parse(CHAINS_PATH.read_text(encoding="utf-8"))
