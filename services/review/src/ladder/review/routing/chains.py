"""Review chains by jurisdiction, loaded from `chains.yaml` and validated at startup.

A chain is the ordered list of levels (county → city → province) whose authorities give their
initial-review opinion (初审意见) before the recommending unit recommends (推荐). Which chain
applies (`route`):

- a central SOE's declaration of a tier its group HQ recommends (先进级, 卓越级) goes to the
  group HQ (`central_soe_hq`, unit `soe:<group USCC>`); its 领航级 go through the province;
- a factory the XPCC (新疆生产建设兵团) covers goes to the XPCC (unit `xpcc`);
- otherwise the province's chain by the factory's GB/T 2260 prefix, else the default; a
  计划单列市 falls under its province.

Who holds each level is the registry's (`ladder.kit.units`): the units on the factory's path.
A level of the province's chain that the path skips is skipped — 平潭综合实验区 (350128) holds
the city level of the Fujian chain and reports to the province, so its declarations go
平潭 → 福建 with no county step — and a factory a 管委会 covers goes through the 管委会 instead of
its district.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Annotated, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from ladder.kit import jurisdiction, units

CHAINS_PATH = Path(__file__).with_name("chains.yaml")

Source = Annotated[str, StringConstraints(strip_whitespace=True, min_length=4)]


# The levels are the registry's: one spelling for units, chains, roles and deadlines.
Level = units.Level
_ORDER = list(Level)
RECOMMENDING_LEVELS = frozenset({Level.province, Level.central_soe_hq})
# The unit names are the access rule's (`ladder.kit.jurisdiction`): one spelling everywhere.
XPCC = jurisdiction.XPCC
SOE_PREFIX = jurisdiction.SOE_PREFIX


def holder_region(level: Level, region_code: str) -> str:
    """The region unit of `level` over `region_code` by GB/T 2260 arithmetic (county 350102,
    city 350100, province 350000); who really holds a level is `Route.holder`."""
    return units.region_id(level, region_code)


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
    """The XPCC recommends the factories the registry's unit `xpcc` covers."""

    @model_validator(mode="after")
    def _held_by_the_xpcc(self) -> Self:
        if [lv.level for lv in self.levels] != [Level.province]:
            raise ValueError(f"{self.name}: the XPCC (a province-level unit) is the one level")
        return self


@dataclass(frozen=True)
class Route:
    """Where a declaration goes: the chain, the unit whose list it ends on, and who holds
    each level (the units of the registry on the factory's path)."""

    chain: Chain
    unit: str  # province code (350000), `xpcc`, or `soe:<group USCC>`
    holders: dict[Level, str] = field(default_factory=dict)

    def holder(self, level: Level, region_code: str) -> str:
        """Who holds `level`: a unit id (350102, 350128, `sh-lingang`), `xpcc`, or the group
        USCC."""
        if level is Level.central_soe_hq:
            return self.unit.removeprefix(SOE_PREFIX)
        if level is Level.province and self.unit == XPCC:
            return XPCC
        return self.holders.get(level) or holder_region(level, region_code)


def _along(chain: Chain, path: list[units.Unit]) -> Chain:
    """The chain's levels that a unit on the path holds (平潭: city, province)."""
    held = {u.level for u in path}
    levels = tuple(lv for lv in chain.levels if lv.level in held)
    return (
        chain if len(levels) == len(chain.levels) else chain.model_copy(update={"levels": levels})
    )


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

    def route(
        self,
        region_code: str,
        tier: str,
        central_soe_group: str | None,
        enterprise_uscc: str | None = None,
        registry: units.Registry | None = None,
    ) -> Route:
        """The route of a new submission (see the module docstring)."""
        if central_soe_group and tier in self.central_soe.tiers:
            return Route(self.central_soe, SOE_PREFIX + central_soe_group)
        return self._regional(region_code, enterprise_uscc, registry or units.registry())

    def route_of(
        self,
        recommending_unit: str,
        region_code: str,
        enterprise_uscc: str | None = None,
        registry: units.Registry | None = None,
    ) -> Route:
        """The route a case was given, from the unit stored on it."""
        if recommending_unit.startswith(SOE_PREFIX):
            return Route(self.central_soe, recommending_unit)
        return self._regional(region_code, enterprise_uscc, registry or units.registry())

    def _regional(
        self, region_code: str, enterprise_uscc: str | None, registry: units.Registry
    ) -> Route:
        path = registry.path(region_code, enterprise_uscc)
        top = path[-1]
        if top.kind is units.Kind.xpcc:
            return Route(self.xpcc, XPCC)
        chain = _along(self.for_region(region_code), path)
        return Route(chain, top.id, {u.level: u.id for u in path})


def parse(text: str) -> Chains:
    """Validate chains from YAML text (raises `pydantic.ValidationError` or `yaml.YAMLError`)."""
    return Chains.model_validate(yaml.safe_load(text))


@cache
def chains() -> Chains:
    """The chains in force, read once; `create_app` calls this so a bad file stops startup."""
    return parse(CHAINS_PATH.read_text(encoding="utf-8"))
