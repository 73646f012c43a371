"""The recommending regions (GB/T 2260): 31 province-level divisions, 5 计划单列市, the XPCC.

Read from `regions.yaml` beside this module once per process. The quota rules and the
reference-data checks both ask this table, so "which codes are provinces" is said once.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

PROVINCE_CODE = r"^[1-9][0-9]0000$"
XPCC = "xpcc"


class Region(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    name: str
    name_en: str


class Province(Region):
    code: str = Field(pattern=PROVINCE_CODE)


class SeparatelyPlannedCity(Region):
    """A 计划单列市: its projects are recommended through its province."""

    code: str = Field(pattern=r"^[1-9][0-9]{3}00$")
    province: str = Field(pattern=PROVINCE_CODE)


class Regions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str
    provinces: tuple[Province, ...] = Field(min_length=31, max_length=31)
    separately_planned_cities: tuple[SeparatelyPlannedCity, ...]
    xpcc: Region
    _by_code: dict[str, Province] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        codes = [p.code for p in self.provinces]
        if len(set(codes)) != len(codes):
            raise ValueError("a province code repeats")
        for city in self.separately_planned_cities:
            if city.province not in codes or city.code[:2] != city.province[:2]:
                raise ValueError(f"计划单列市 {city.code} is not under province {city.province}")
        if self.xpcc.code != XPCC:
            raise ValueError(f"the XPCC's code must be {XPCC!r}")
        self._by_code = {p.code: p for p in self.provinces}
        return self

    def province(self, code: str) -> Province | None:
        return self._by_code.get(code)

    def province_of(self, code: str) -> Province | None:
        """The province a six-digit code lies in (by its first two digits)."""
        return self.province(code[:2] + "0000")

    def separately_planned_city(self, code: str) -> SeparatelyPlannedCity | None:
        return next((c for c in self.separately_planned_cities if c.code == code), None)

    def name_of(self, code: str) -> Region | None:
        """A province, or the XPCC, by its code."""
        return self.xpcc if code == XPCC else self.province(code)


@functools.cache
def regions() -> Regions:
    """The shipped region table, read and validated once per process."""
    text = resources.files(__package__).joinpath("regions.yaml").read_text(encoding="utf-8")
    return Regions.model_validate(yaml.safe_load(text))
