"""The registry of recommending and reviewing units (推荐单位、初审单位), as data (`units.yaml`).

A declaration climbs a chain of units: the unit that covers its factory at the lowest level,
then each unit's parent, up to a province-level unit. Most units are GB/T 2260 regions and are
derived by arithmetic (county 350102 → city 350100 → province 350000); the registry lists the
units a notice names that arithmetic gets wrong or cannot express:

- a special zone at city level (平潭综合实验区 350128, addressed by 闽工信联函装备〔2025〕321号
  beside the 设区市): it reports to the province directly, and 福州 (3501) does not cover it;
- 管委会/高新区 units at county level (临港新片区, 化学工业区, 长兴岛 in 沪经信制〔2025〕430号;
  福州高新区 in 榕工信装备〔2025〕96号) that cover listed enterprises instead of their district;
- the XPCC (`xpcc`), a province-level unit over the XPCC's cities;
- central-SOE group HQs, derived as `soe:<group USCC>` (the group comes from the profile).

Pure: no database, no service. Both services read it — the declaration service to choose the
deadline chain of a factory (`chain_prefixes`), the review service to route and hold cases —
and `ladder.kit.jurisdiction` derives from it who sees a case, so they never disagree.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Annotated, Self

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    model_validator,
)

UNITS_PATH = Path(__file__).with_name("units.yaml")
XPCC = "xpcc"
SOE_PREFIX = "soe:"

Source = Annotated[str, StringConstraints(strip_whitespace=True, min_length=4)]
RegionPrefix = Annotated[str, StringConstraints(pattern=r"^[1-9][0-9](?:[0-9]{2}){0,2}$")]
Uscc = Annotated[str, StringConstraints(pattern=r"^[0-9A-HJ-NPQRTUWXY]{18}$")]
UnitId = Annotated[str, StringConstraints(pattern=r"^(?:[1-9][0-9]{5}|[a-z][a-z0-9-]{1,21})$")]


class Level(StrEnum):
    """A level of the review chain, named like the authority roles that hold it."""

    county = "county"  # 区县 (Shanghai: 区; 管委会, 高新区)
    city = "city"  # 地市 (设区市; 平潭综合实验区)
    province = "province"  # 省级主管部门 (and the XPCC)
    central_soe_hq = "central_soe_hq"  # 中央企业集团总部


class Kind(StrEnum):
    region = "region"  # a GB/T 2260 division
    special_zone = "special_zone"  # 平潭综合实验区: a region code, another level and parent
    management_committee = "management_committee"  # 管委会, 高新区经发局: listed enterprises
    xpcc = "xpcc"  # 新疆生产建设兵团
    central_soe_hq = "central_soe_hq"  # 中央企业集团总部 (derived: soe:<USCC>)


# How many leading digits of a GB/T 2260 code a region level covers.
DIGITS = {Level.county: 6, Level.city: 4, Level.province: 2}
_ORDER = list(Level)
_DERIVED_SOURCE = "GB/T 2260 行政区划代码（按代码层级推得）"
_SOE_SOURCE = (
    "工信厅联通装函〔2025〕251号 一(二)：有关中央企业做好本集团先进级智能工厂培育认定；"
    "二(二)2：有关中央企业组织本集团的项目推荐工作"
)


def region_id(level: Level, region_code: str) -> str:
    """The id of the region unit holding `level` over `region_code`: 350102 → 350100 (city)."""
    return region_code[: DIGITS[level]].ljust(6, "0")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Covers(_Strict):
    """What a unit covers: region-code prefixes and/or enterprises (统一社会信用代码)."""

    regions: tuple[RegionPrefix, ...] = ()
    enterprises: tuple[Uscc, ...] = ()


class Unit(_Strict):
    id: UnitId | Annotated[str, StringConstraints(pattern=r"^soe:[0-9A-HJ-NPQRTUWXY]{18}$")]
    name: str = ""
    kind: Kind
    level: Level
    parent: str | None = None
    covers: Covers = Covers()
    source: Source
    note: str | None = None
    derived: bool = Field(default=False, description="made by GB/T 2260 arithmetic, not listed")

    @property
    def through_regions(self) -> bool:
        """Whether the unit reviews on the regional chain (not the XPCC or an SOE group)."""
        return self.kind not in (Kind.xpcc, Kind.central_soe_hq)


def _check_unit(unit: Unit, by_id: dict[str, Unit]) -> None:
    """A unit covers what its kind allows, and its parents climb to a province-level unit
    without a loop."""
    if unit.kind is Kind.region and any(not unit.id.startswith(r) for r in unit.covers.regions):
        raise ValueError(f"{unit.id}: a region unit covers only its own code")
    if unit.kind is not Kind.management_committee and not unit.covers.regions:
        raise ValueError(f"{unit.id}: covers no region")
    seen = {unit.id}
    here = unit
    while here.parent is not None:
        parent = by_id.get(here.parent)
        if parent is None:
            raise ValueError(f"{here.id}: parent {here.parent} is not a unit")
        if _ORDER.index(parent.level) <= _ORDER.index(here.level):
            raise ValueError(f"{here.id}: parent {parent.id} is not a higher level")
        if parent.covers.regions and any(
            not r.startswith(parent.covers.regions) for r in here.covers.regions
        ):
            raise ValueError(f"{here.id}: covers regions outside its parent {parent.id}")
        if parent.id in seen:
            raise ValueError(f"{unit.id}: its chain of parents loops")
        seen.add(parent.id)
        here = parent
    if here.level is not Level.province:
        raise ValueError(f"{unit.id}: its chain does not end at a province-level unit")


class _Province(_Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]0000$")]
    name: str = Field(min_length=2)


class _Provinces(_Strict):
    kind: Kind
    source: Source
    units: tuple[_Province, ...] = Field(min_length=1)


class Registry(_Strict):
    provinces: _Provinces
    units: tuple[Unit, ...] = ()
    _by_id: dict[str, Unit] = PrivateAttr(default_factory=dict)
    _carved: dict[tuple[str, Level], tuple[tuple[str, ...], tuple[str, ...]]] = PrivateAttr(
        default_factory=dict
    )

    def _all(self) -> list[Unit]:
        """The provinces (each covering its two-digit prefix) and the listed units."""
        provinces = [
            Unit(
                id=p.id,
                name=p.name,
                kind=self.provinces.kind,
                level=Level.province,
                covers=Covers(regions=(p.id[:2],)),
                source=self.provinces.source,
            )
            for p in self.provinces.units
        ]
        return [*provinces, *self.units]

    @model_validator(mode="after")
    def _a_tree_with_sources(self) -> Self:
        by_id: dict[str, Unit] = {}
        for u in self._all():
            if u.id in by_id:
                raise ValueError(f"unit {u.id} is listed twice")
            by_id[u.id] = u
        for u in by_id.values():
            _check_unit(u, by_id)
        self._by_id = by_id
        return self

    # --- reading ---------------------------------------------------------------------------

    @property
    def listed(self) -> tuple[Unit, ...]:
        """Every unit the registry lists (provinces first), not the derived ones."""
        return tuple(self._by_id.values())

    def get(self, unit_id: str) -> Unit | None:
        """A listed unit, or the one derived for a GB/T 2260 code or `soe:<USCC>`."""
        found = self._by_id.get(unit_id)
        if found is not None:
            return found
        if unit_id.startswith(SOE_PREFIX):
            try:
                return Unit(
                    id=unit_id,
                    kind=Kind.central_soe_hq,
                    level=Level.central_soe_hq,
                    source=_SOE_SOURCE,
                    derived=True,
                )
            except ValueError:
                return None
        if len(unit_id) != 6 or not unit_id.isdigit():
            return None
        level = (
            Level.province
            if unit_id.endswith("0000")
            else Level.city
            if unit_id.endswith("00")
            else Level.county
        )
        unit = self.holder(level, unit_id)
        return unit if unit is not None and unit.id == unit_id else None

    def parent_of(self, unit: Unit) -> Unit | None:
        return None if unit.parent is None else self.get(unit.parent)

    def _best(self, region_code: str, enterprise_uscc: str | None) -> tuple[Unit, int] | None:
        """The listed unit that covers the factory most narrowly: one listing its enterprise,
        else the longest region prefix (its length; 6 for an enterprise's)."""
        best: tuple[Unit, int] | None = None
        for unit in self._by_id.values():
            if enterprise_uscc is not None and enterprise_uscc in unit.covers.enterprises:
                return unit, 6
            for prefix in unit.covers.regions:
                if region_code.startswith(prefix) and (best is None or len(prefix) > best[1]):
                    best = unit, len(prefix)
        return best

    def path(self, region_code: str, enterprise_uscc: str | None = None) -> list[Unit]:
        """The units a factory's declaration climbs, lowest first, to a province-level unit:
        350102 → [350102, 350100 福州, 350000 福建]; 350128 → [350128 平潭, 350000]. Units below
        the narrowest listed one are derived from the code (a county under 福州)."""
        found = self._best(region_code, enterprise_uscc)
        if found is None:
            return self._derived(region_code, Level.county, None)
        unit, matched = found
        chain: list[Unit] = []
        if unit.through_regions and unit.kind is not Kind.management_committee:
            below = [lv for lv in _ORDER[: _ORDER.index(unit.level)] if DIGITS[lv] > matched]
            chain = self._derived(region_code, below[0], unit) if below else []
        here: Unit | None = unit
        while here is not None:
            chain.append(here)
            here = self.parent_of(here)
        return chain

    def _derived(self, region_code: str, lowest: Level, top: Unit | None) -> list[Unit]:
        """Region units from `lowest` up to (not including) `top`'s level, or to the province
        when there is no listed unit above."""
        stop = _ORDER.index(top.level) if top is not None else _ORDER.index(Level.province) + 1
        levels = _ORDER[_ORDER.index(lowest) : stop]
        ids = [region_id(lv, region_code) for lv in levels]
        parents = [*ids[1:], top.id if top is not None else None]
        return [
            Unit(
                id=uid,
                kind=Kind.region,
                level=lv,
                parent=parent,
                covers=Covers(regions=(region_code[: DIGITS[lv]],)),
                source=_DERIVED_SOURCE,
                derived=True,
            )
            for uid, lv, parent in zip(ids, levels, parents, strict=True)
        ]

    def holder(
        self, level: Level, region_code: str, enterprise_uscc: str | None = None
    ) -> Unit | None:
        """The unit holding `level` on the factory's path (None when the path skips it: 平潭
        has no county level)."""
        for unit in self.path(region_code, enterprise_uscc):
            if unit.level is level:
                return unit
        return None

    def chain_prefixes(self, region_code: str, enterprise_uscc: str | None = None) -> set[str]:
        """The region prefixes of the units on the factory's path, and "" (national): the
        jurisdictions whose deadline chain may apply to it. 平潭 350128 → {"350128", "35", ""}
        (not 福州's "3501")."""
        prefixes = {""}
        for unit in self.path(region_code, enterprise_uscc):
            if unit.through_regions:
                prefixes.update(p for p in unit.covers.regions if region_code.startswith(p))
        return prefixes

    def authority(self, level: Level, region: str) -> Unit | None:
        """The unit an authority token speaks for: its role's level and its `region` claim (a
        listed unit's id: 350128, `xpcc`, `sh-lingang`; or any GB/T 2260 code in its region,
        the unit at that level on that code's path). None when no unit holds that level there
        (a county token for 350128, a city token in Shanghai)."""
        listed = self._by_id.get(region)
        if listed is not None and listed.level is level:
            return listed
        if len(region) != 6 or not region.isdigit():
            return None
        return self.holder(level, region)

    def carved_out(self, unit: Unit) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """What lies inside `unit`'s regions but is held by units that do not report to it:
        (region prefixes, enterprises). 福州 3501 → (("350128",), (…管委会 enterprises…)).
        Kept per unit: every request's reach asks it."""
        key = (unit.id, unit.level)  # a derived county 350100 is not the city 350100
        kept = self._carved.get(key)
        if kept is None:
            kept = self._carved[key] = self._carve(unit)
        return kept

    def _carve(self, unit: Unit) -> tuple[tuple[str, ...], tuple[str, ...]]:
        regions: list[str] = []
        enterprises: list[str] = []
        for other in self._by_id.values():
            if other.id == unit.id or not other.through_regions:
                continue
            if self._reports_to(other, unit):
                continue
            regions.extend(
                p
                for p in other.covers.regions
                if any(p.startswith(mine) and len(p) > len(mine) for mine in unit.covers.regions)
            )
            enterprises.extend(other.covers.enterprises)
        return tuple(sorted(set(regions))), tuple(sorted(set(enterprises)))

    def _reports_to(self, unit: Unit, ancestor: Unit) -> bool:
        here: Unit | None = unit
        while here is not None:
            if here.id == ancestor.id:
                return True
            here = self.parent_of(here)
        return False


def parse(text: str) -> Registry:
    """Validate a registry from YAML text (raises `pydantic.ValidationError`/`yaml.YAMLError`)."""
    return Registry.model_validate(yaml.safe_load(text))


@cache
def registry() -> Registry:
    """The registry in force, read once (services call it at startup: a bad file stops them)."""
    return parse(UNITS_PATH.read_text(encoding="utf-8"))
