"""Quota policies as data: one YAML file per campaign beside this module (`policies/`).

A notice sets the numbers (bands of a ranking or a count, fixed quotas, local caps) and the
clause that says so; the files carry both. They are validated into these models once per
process (`policies()`), at startup, so a malformed file (overlapping bands, a gap, an unknown
tier) stops the service instead of answering a wrong quota.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ladder.rules.datafiles import load_named, shipped_yaml
from ladder.rules.reference.kinds import SPECS, DatasetKind
from ladder.rules.reference.regions import regions
from ladder.rules.vocabulary import Tier

DEMO_CAMPAIGNS = Path(__file__).with_name("demo_campaigns.yaml")

CLAUSE = Field(
    min_length=1, description="文号 and article, e.g. 工信厅联通装函〔2025〕251号 二(二)2"
)


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Band(_Data):
    """Values from `min` to `max` (inclusive; no `max`: and above) get `limit`."""

    min: int = Field(ge=0)
    max: int | None = Field(default=None, ge=0)
    limit: int = Field(ge=0)
    text: str = Field(min_length=1, description="the words of the notice for this band")
    text_en: str = Field(min_length=1)

    def contains(self, value: int) -> bool:
        return self.min <= value and (self.max is None or value <= self.max)

    @property
    def label(self) -> str:
        return f"{self.min}+" if self.max is None else f"{self.min}-{self.max}"


class Basis(_Data):
    """The reference table a banded quota is read from, and its bands in ascending order."""

    kind: DatasetKind
    year: int = Field(ge=2000, le=2100, description="the reference year, e.g. 2024")
    bands: tuple[Band, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _bands_cover_every_value_once(self) -> Self:
        lowest = SPECS[self.kind].lowest
        if self.bands[0].min != lowest:
            raise ValueError(f"bands must start at {lowest} (gap below {self.bands[0].label})")
        for band, following in zip(self.bands, self.bands[1:], strict=False):
            if band.max is None:
                raise ValueError(f"band {band.label} is open-ended but not the last")
            if following.min <= band.max:
                raise ValueError(f"bands {band.label} and {following.label} overlap")
            if following.min > band.max + 1:
                raise ValueError(f"gap between bands {band.label} and {following.label}")
        for band in self.bands:
            if band.max is not None and band.max < band.min:
                raise ValueError(f"band {band.label} is empty")
        if self.bands[-1].max is not None:
            raise ValueError(f"no band above {self.bands[-1].max} (the last must be open-ended)")
        return self

    def band_for(self, value: int) -> Band:
        return next(b for b in self.bands if b.contains(value))


class Treatment(StrEnum):
    own_quota = "own_quota"  # a fixed quota of its own
    via_province = "via_province"  # no quota of its own: recommended through its province
    as_province = "as_province"  # banded like a province, from its own row of the table


class SpecialUnitRule(_Data):
    """How the notice treats a unit that is not a province (XPCC, central SOE, 计划单列市)."""

    treatment: Treatment
    limit: int | None = Field(default=None, ge=0)
    interpretation: bool = Field(
        default=False, description="the notice is silent; this is our reading, said in answers"
    )
    text: str = Field(min_length=1)
    text_en: str = Field(min_length=1)

    @model_validator(mode="after")
    def _limit_iff_own_quota(self) -> Self:
        if (self.treatment is Treatment.own_quota) != (self.limit is not None):
            raise ValueError("a limit is given exactly when the treatment is own_quota")
        return self


# Which treatments make sense for which unit: a 计划单列市 or a central SOE has no row in a
# provincial table, and the XPCC lies in no province it could be recommended through.
ALLOWED_TREATMENTS = {
    "xpcc": {Treatment.own_quota, Treatment.as_province},
    "central_soe": {Treatment.own_quota, Treatment.via_province},
    "separately_planned_city": {Treatment.own_quota, Treatment.via_province},
}


class NationalTierRule(_Data):
    clause: str = CLAUSE
    text: str = Field(min_length=1, description="the words of the clause")
    basis: Basis
    xpcc: SpecialUnitRule
    central_soe: SpecialUnitRule
    separately_planned_city: SpecialUnitRule

    @model_validator(mode="after")
    def _treatments_fit(self) -> Self:
        for unit, allowed in ALLOWED_TREATMENTS.items():
            treatment = getattr(self, unit).treatment
            if treatment not in allowed:
                raise ValueError(f"{unit} cannot be treated {treatment.value}")
        return self


class National(_Data):
    id: str = Field(pattern=r"^[0-9a-z-]{1,40}$")
    source: str = Field(min_length=1)
    effective_from: date = Field(description="when the notice setting these quotas took effect")
    tiers: dict[Tier, NationalTierRule] = Field(min_length=1)


class ExemptionKey(StrEnum):
    """What keeps a candidate off a quota; the service reads who it covers from a registry
    (`jiebang_accepted`: the 揭榜单位 registry, `ladder.rules.jiebang`), never the caller."""

    jiebang_accepted = "jiebang_accepted"  # 已通过智能制造示范工厂揭榜单位地方验收


class Exemption(_Data):
    key: ExemptionKey
    clause: str = CLAUSE
    text: str = Field(min_length=1)
    text_en: str = Field(min_length=1)


class LocalTierRule(_Data):
    clause: str = CLAUSE
    limit: int = Field(ge=0)
    text: str = Field(min_length=1)
    text_en: str = Field(min_length=1)
    exemptions: tuple[Exemption, ...] = ()

    @model_validator(mode="after")
    def _exemptions_once(self) -> Self:
        keys = [e.key for e in self.exemptions]
        if len(set(keys)) != len(keys):
            raise ValueError("an exemption is listed twice")
        return self


class LocalUnit(_Data):
    code: str = Field(pattern=r"^[1-9][0-9]{5}$")
    name: str = Field(min_length=1)
    name_en: str = Field(min_length=1)


class LocalOverlay(_Data):
    """A province's own notice: caps for the units below it (e.g. Shanghai's districts)."""

    id: str = Field(pattern=r"^[0-9a-z-]{1,40}$")
    title: str
    source: str = Field(min_length=1)
    effective_from: date = Field(description="when the local notice took effect")
    province: str = Field(pattern=r"^[1-9][0-9]0000$")
    units: tuple[LocalUnit, ...] = Field(min_length=1)
    tiers: dict[Tier, LocalTierRule] = Field(min_length=1)

    @model_validator(mode="after")
    def _units_under_province(self) -> Self:
        table = regions()
        if table.province(self.province) is None:
            raise ValueError(f"overlay {self.id}: {self.province} is not a province")
        codes = [u.code for u in self.units]
        if len(set(codes)) != len(codes):
            raise ValueError(f"overlay {self.id}: a unit is listed twice")
        for code in codes:
            if code[:2] != self.province[:2] or code == self.province:
                raise ValueError(f"overlay {self.id}: {code} is not below {self.province}")
            if table.separately_planned_city(code) is not None:
                raise ValueError(f"overlay {self.id}: {code} is a 计划单列市")
        return self

    def unit(self, code: str) -> LocalUnit | None:
        return next((u for u in self.units if u.code == code), None)


class QuotaPolicy(_Data):
    """The quotas of one campaign: the national rules and any local overlays."""

    campaign: str = Field(pattern=r"^[0-9A-Za-z._-]{1,20}$")
    title: str
    national: National
    local: tuple[LocalOverlay, ...] = ()

    @model_validator(mode="after")
    def _overlays_consistent(self) -> Self:
        ids = [o.id for o in self.local]
        provinces = [o.province for o in self.local]
        if len(set(ids)) != len(ids):
            raise ValueError(f"campaign {self.campaign}: overlay ids repeat")
        if len(set(provinces)) != len(provinces):
            raise ValueError(f"campaign {self.campaign}: two overlays for one province")
        for overlay in self.local:
            extra = [t.value for t in overlay.tiers if t not in self.national.tiers]
            if extra:
                raise ValueError(f"overlay {overlay.id}: tiers {extra} have no national rule")
        return self

    def overlay_for(self, province: str) -> LocalOverlay | None:
        return next((o for o in self.local if o.province == province), None)


class DemoCampaign(_Data):
    """A demo campaign (演示批次，非官方) that repeats a real campaign's policy."""

    campaign: str = Field(pattern=r"^[0-9A-Za-z._-]{1,20}$")
    repeats: str
    title: str = Field(min_length=1)


class Policies:
    """Every campaign's policy we ship, and the demo campaigns repeating one of them."""

    def __init__(self, policies: list[QuotaPolicy], demos: Sequence[DemoCampaign] = ()) -> None:
        ids = [p.campaign for p in policies]
        if len(set(ids)) != len(ids):
            raise ValueError(f"campaigns repeat: {ids}")
        self._by_campaign = {p.campaign: p for p in sorted(policies, key=lambda p: p.campaign)}
        self._demos: dict[str, QuotaPolicy] = {}
        for demo in demos:
            real = self._by_campaign.get(demo.repeats)
            if real is None or demo.campaign in self._by_campaign:
                raise ValueError(f"demo campaign {demo.campaign}: repeats {demo.repeats!r}?")
            self._demos[demo.campaign] = real.model_copy(
                update={"campaign": demo.campaign, "title": demo.title}
            )

    def get(self, campaign: str) -> QuotaPolicy | None:
        return self._by_campaign.get(campaign) or self._demos.get(campaign)

    def is_demo(self, campaign: str) -> bool:
        return campaign in self._demos

    @property
    def campaigns(self) -> list[str]:
        """The real campaigns (the demo ones answer too, but are not listed as known)."""
        return list(self._by_campaign)


def load_policy(text: str, *, expected_campaign: str | None = None) -> QuotaPolicy:
    return load_named(QuotaPolicy, text, key="campaign", expected=expected_campaign, kind="policy")


@functools.cache
def policies() -> Policies:
    """The shipped quota policies, read and validated once per process."""
    demos = yaml.safe_load(DEMO_CAMPAIGNS.read_text(encoding="utf-8")) or []
    return Policies(
        [
            load_policy(text, expected_campaign=stem)
            for stem, text in shipped_yaml(__package__, "policies")
        ],
        [DemoCampaign.model_validate(d) for d in demos],
    )
