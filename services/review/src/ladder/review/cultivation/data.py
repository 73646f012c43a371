"""The facts of the 领航级 cultivation, read from `cultivation.yaml` and validated at startup:
the longest period with its clause, the reminder days (Ladder's choice), and the acceptance
chains (验收申请 → 初审) by jurisdiction or recommending unit."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Annotated, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from ladder.kit import units
from ladder.review.routing.chains import Level, holder_region

DATA_PATH = Path(__file__).with_name("cultivation.yaml")

Source = Annotated[str, StringConstraints(strip_whitespace=True, min_length=4)]
_PROVINCE_UNIT = re.compile(r"^[1-8][0-9]0000$")
_ORDER = list(Level)


class Duty(StrEnum):
    receive = "receive"  # receives the application and forwards it (Fujian: the city)
    initial_review = "initial_review"  # 初审: passes it to the committee or returns it


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Period(_Strict):
    """A named cultivation period: a campaign names it (`campaign.changed`)."""

    id: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z._-]{1,40}$")]
    max_months: int = Field(ge=1, le=120)
    source: Source
    timezone: str

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Reminders(_Strict):
    days_before: tuple[int, ...] = Field(min_length=1)
    source: Source

    @field_validator("days_before")
    @classmethod
    def _distinct_and_positive(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(d < 1 for d in value) or len(set(value)) != len(value):
            raise ValueError("reminder days must be distinct and at least 1")
        return tuple(sorted(value, reverse=True))


class AcceptanceLevel(_Strict):
    level: Level
    duty: Duty
    source: Source


class AcceptanceChain(_Strict):
    name: str = Field(min_length=1)
    levels: tuple[AcceptanceLevel, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _climbs_to_the_initial_review(self) -> Self:
        order = [_ORDER.index(lv.level) for lv in self.levels]
        if order != sorted(set(order)):
            raise ValueError(f"{self.name}: levels must be distinct and go up (county → province)")
        if self.levels[-1].level is not Level.province:
            raise ValueError(f"{self.name}: the last level must be the province")
        duties = [lv.duty for lv in self.levels]
        if duties[-1] is not Duty.initial_review or Duty.initial_review in duties[:-1]:
            raise ValueError(f"{self.name}: the top level, and only it, does the initial review")
        return self

    def first(self) -> AcceptanceLevel:
        return self.levels[0]

    def at(self, level: Level) -> AcceptanceLevel:
        for lv in self.levels:
            if lv.level is level:
                return lv
        raise KeyError(f"{self.name} has no level {level}")

    def above(self, level: Level) -> AcceptanceLevel | None:
        """The next level up, or None at the top."""
        levels = [lv.level for lv in self.levels]
        i = levels.index(level)
        return self.levels[i + 1] if i + 1 < len(levels) else None


class JurisdictionChain(AcceptanceChain):
    prefix: Annotated[str, StringConstraints(pattern=r"^[1-8][0-9]$")]


class UnitChain(AcceptanceChain):
    unit: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,21}$")]


class Committee(_Strict):
    source: Source


class Acceptance(_Strict):
    committee: Committee
    default: AcceptanceChain
    jurisdictions: tuple[JurisdictionChain, ...] = ()
    units: tuple[UnitChain, ...] = ()

    @model_validator(mode="after")
    def _one_chain_each(self) -> Self:
        prefixes = [j.prefix for j in self.jurisdictions]
        units = [u.unit for u in self.units]
        if len(prefixes) != len(set(prefixes)) or len(units) != len(set(units)):
            raise ValueError("a province prefix or a unit has two acceptance chains")
        return self


class CultivationData(_Strict):
    period: Period
    reminders: Reminders
    acceptance: Acceptance

    def chain_for(self, recommending_unit: str, region_code: str) -> AcceptanceChain | None:
        """The acceptance chain of a record: its unit's own (XPCC), else its province's by the
        factory's region code, else the default; None for a unit with no chain (a central-SOE
        group: 领航级 projects of central SOEs go through their province, 三(二)2)."""
        for u in self.acceptance.units:
            if u.unit == recommending_unit:
                return u
        if not _PROVINCE_UNIT.match(recommending_unit):
            return None
        for j in self.acceptance.jurisdictions:
            if region_code.startswith(j.prefix):
                return j
        return self.acceptance.default

    def period_end(self, start: date, months: int) -> date:
        """The day the period ends (exclusive): `months` calendar months after `start`, on
        the month's last day when it is shorter (2026-08-31 + 6 months → 2027-02-28)."""
        month0 = start.month - 1 + months
        year, month = start.year + month0 // 12, month0 % 12 + 1
        return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))

    def deadline(self, period_end: date) -> datetime:
        """The instant the period ends: 00:00 of `period_end` in the period's time zone."""
        return datetime.combine(period_end, time(0), tzinfo=self.period.zone)

    def reminder_due(self, deadline: datetime, days_before: int) -> datetime:
        return deadline - timedelta(days=days_before)


def is_regional_unit(recommending_unit: str) -> bool:
    return bool(_PROVINCE_UNIT.match(recommending_unit))


def level_holder(
    chain: AcceptanceChain,
    level: Level,
    unit: str,
    region_code: str,
    enterprise_uscc: str | None = None,
) -> str:
    """Who holds a level for a record: the unit itself for a non-regional unit (XPCC), else the
    registry's unit of the factory at that level (city 350100, 平潭 350128, province 350000;
    `ladder.kit.units`), by arithmetic where the factory's path has none at that level."""
    if isinstance(chain, UnitChain):
        return unit
    held = units.registry().holder(level, region_code, enterprise_uscc)
    return held.id if held is not None else holder_region(level, region_code)


def parse(text: str) -> CultivationData:
    """Validate from YAML text (raises `pydantic.ValidationError` or `yaml.YAMLError`)."""
    return CultivationData.model_validate(yaml.safe_load(text))


@cache
def cultivation_data() -> CultivationData:
    """The data in force, read once; `create_app` calls this so a bad file stops startup."""
    return parse(DATA_PATH.read_text(encoding="utf-8"))
