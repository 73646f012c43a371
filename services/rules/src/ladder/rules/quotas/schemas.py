"""Request and response models for quotas."""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ladder.rules.quotas.policy import ExemptionKey
from ladder.rules.quotas.units import UnitKind
from ladder.rules.reference.kinds import DatasetKind
from ladder.rules.vocabulary import Tier

MAX_CANDIDATES = 1000

UnitText = Annotated[
    str,
    StringConstraints(min_length=1, max_length=40),
    Field(
        description="a GB/T 2260 code (province 350000, 计划单列市 370200, Shanghai district "
        "310115, city or county 350102), `xpcc`, or `soe:<统一社会信用代码 of the group HQ>`",
        examples=["350000"],
    ),
]


class Level(StrEnum):
    national = "national"  # the six ministries' notice
    local = "local"  # a province's own notice (overlay)


class UnitRead(BaseModel):
    kind: UnitKind
    code: str
    name: str | None = None
    name_en: str | None = None


class RequestedUnit(UnitRead):
    requested: str = Field(description="the unit as the caller wrote it")


class PolicyRead(BaseModel):
    id: str = Field(description="e.g. national-2025, shanghai-2025")
    source: str = Field(description="the notice (文号)")
    clause: str = Field(description="the clause that sets this limit")
    effective_from: date = Field(description="when that notice took effect")


class DerivationStep(BaseModel):
    step: str = Field(
        description="resolve_unit | local_overlay | interpretation | reference | band | "
        "own_quota | local_limit"
    )
    clause: str
    text: str
    text_en: str
    value: int | str | None = None


class ReferenceRead(BaseModel):
    dataset_id: uuid.UUID
    kind: DatasetKind
    year: int
    version: int
    source_note: str
    sample: bool


class InputSource(StrEnum):
    uploaded = "uploaded"  # the ministry's uploaded reference table (it overrides the register)
    register = "register"  # counted from the declaration service's register (认定记录)


class InputRead(BaseModel):
    """Which input a banded limit was read from: an uploaded table wins; without one, a
    complete register's count of that year's 卓越级 (excellence_count only)."""

    kind: DatasetKind
    year: int
    source: InputSource
    reference: str = Field(
        description="uploaded: the dataset id; register: the publication's time or the "
        "ministry import's document number (文号) the counts were complete with"
    )


class ExemptionRead(BaseModel):
    key: ExemptionKey
    clause: str
    text: str
    text_en: str


class QuotaAnswer(BaseModel):
    campaign: str
    tier: Tier
    unit: RequestedUnit
    quota_unit: UnitRead = Field(description="the unit whose quota is used (e.g. the province)")
    limit: int = Field(description="at most this many recommended projects (不超过)")
    level: Level
    policy: PolicyRead
    derivation: list[DerivationStep]
    reference: ReferenceRead | None = Field(
        description="the uploaded table the limit was read from (null when read from the register)"
    )
    input: InputRead | None = Field(
        default=None, description="which input the limit was read from (null for fixed limits)"
    )
    sample: bool = Field(description="true when the limit rests on SAMPLE reference data")
    exemptions: list[ExemptionRead] = Field(
        description="candidates with these facts do not use the quota"
    )
    demo: bool = Field(
        default=False,
        description="a demo campaign (演示批次，非官方) repeating a real campaign's quotas",
    )


class CandidateIn(BaseModel):
    """One ranked candidate: an enterprise's project. Whether an exemption keeps it off the
    quota is decided here from the registries (e.g. the 揭榜单位 registry), never sent."""

    model_config = ConfigDict(extra="forbid")

    id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    enterprise_uscc: Annotated[
        str, StringConstraints(strip_whitespace=True, to_upper=True, min_length=18, max_length=18)
    ] = Field(description="统一社会信用代码 of the applicant")


class UsageRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tier: Tier
    unit: UnitText
    candidates: list[CandidateIn] = Field(
        max_length=MAX_CANDIDATES, description="in priority order (推荐顺序), ids unique"
    )


class CandidateReason(StrEnum):
    counted = "counted"  # uses a slot within the limit
    over_quota = "over_quota"  # would use a slot beyond the limit
    exempt = "exempt"  # an exemption keeps it off the quota


class CandidateUsage(BaseModel):
    id: str
    counts: bool = Field(description="uses a slot of the quota")
    slot: int | None = Field(description="1-based slot among counted candidates")
    within_quota: bool
    reason: CandidateReason
    exemption: ExemptionKey | None = None
    exempted_by: uuid.UUID | None = Field(
        default=None, description="the registry record behind the exemption (a 揭榜单位 record)"
    )


class UsageAnswer(QuotaAnswer):
    counted: int
    exempt: int
    remaining: int = Field(description="slots left (0 when over)")
    within_quota: bool
    candidates: list[CandidateUsage]
