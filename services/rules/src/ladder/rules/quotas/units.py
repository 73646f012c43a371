"""Recommending units (推荐单位): what a `unit` string names (pure, no database).

`350000` a province · `370200` a 计划单列市 · `350102` any other city or county (it recommends
through its province) · `xpcc` the XPCC · `soe:<统一社会信用代码>` a central SOE's group
headquarters. Whether a code is a district under a local overlay depends on the campaign, so
that step is `within()`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum

from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError

from ladder.rules.quotas.errors import InvalidUnit
from ladder.rules.quotas.policy import LocalOverlay
from ladder.rules.reference.regions import XPCC, Region, regions

SOE_PREFIX = "soe:"
_REGION_CODE = re.compile(r"^[1-9][0-9]{5}$")


class UnitKind(StrEnum):
    province = "province"
    separately_planned_city = "separately_planned_city"  # 计划单列市
    district = "district"  # a unit a local overlay caps (e.g. a Shanghai 区)
    xpcc = "xpcc"  # 新疆生产建设兵团
    central_soe = "central_soe"  # 有关中央企业 (group headquarters)
    city = "city"  # any other city or county (地市、区县): recommends through its province


@dataclass(frozen=True)
class Unit:
    requested: str
    kind: UnitKind
    code: str
    name: str | None = None
    name_en: str | None = None
    province: Region | None = None  # the province it lies in (itself for a province)


def parse(text: str) -> Unit:
    """The unit `text` names, or `InvalidUnit` saying why not."""
    value = text.strip()
    if value.lower() == XPCC:
        x = regions().xpcc
        return Unit(text, UnitKind.xpcc, XPCC, x.name, x.name_en)
    if value.lower().startswith(SOE_PREFIX):
        return _soe(text, value[len(SOE_PREFIX) :])
    if not _REGION_CODE.match(value):
        raise InvalidUnit(text, "expected a 6-digit GB/T 2260 code, `xpcc` or `soe:<USCC>`")
    table = regions()
    province = table.province_of(value)
    if province is None:
        raise InvalidUnit(text, f"{value} lies in none of the 31 province-level divisions")
    if value == province.code:
        return Unit(text, UnitKind.province, value, province.name, province.name_en, province)
    city = table.separately_planned_city(value)
    if city is not None:
        return Unit(
            text, UnitKind.separately_planned_city, value, city.name, city.name_en, province
        )
    return Unit(text, UnitKind.city, value, province=province)


def _soe(text: str, code: str) -> Unit:
    try:
        valid = uscc.validate(code.upper())
    except StdnumError as exc:
        raise InvalidUnit(
            text, f"invalid unified social credit code (统一社会信用代码): {exc}"
        ) from None
    return Unit(text, UnitKind.central_soe, valid)


def within(unit: Unit, overlay: LocalOverlay | None) -> Unit:
    """The unit as a district of `overlay` when it is one of the overlay's units.

    Below a province with an overlay, only the overlay's units recommend: any other code there
    names no recommending unit of that campaign.
    """
    if overlay is None or unit.kind is not UnitKind.city or unit.province is None:
        return unit
    if unit.province.code != overlay.province:
        return unit
    local = overlay.unit(unit.code)
    if local is None:
        raise InvalidUnit(
            unit.requested,
            f"{unit.code} is not a recommending unit under {overlay.source} ({overlay.id})",
        )
    return replace(unit, kind=UnitKind.district, name=local.name, name_en=local.name_en)
