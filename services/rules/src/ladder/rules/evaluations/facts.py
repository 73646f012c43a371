"""The facts of a factory as callers send them: the contract of every evaluation.

Everything except `cmmm_level` is optional, because a draft is pre-checked long before it is
complete: a rule whose facts are missing answers `not_provided` instead of guessing. Types and
hard limits are checked here (422 `validation_error`); whether names belong to the edition's
catalogues is checked against the edition (422 `unknown_*`, see `prepare.py`); whether values
are plausible is a rule (`kpi.plausibility`), so it shows up beside the other findings.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from ladder.rules.vocabulary import CreditCheckResult, HeldTier, LegalForm, Tier

Name = Annotated[str, StringConstraints(min_length=1, max_length=50)]
RegionCode = Annotated[
    str,
    StringConstraints(pattern=r"^[1-9][0-9]{5}$"),
    Field(description="GB/T 2260 code, 6 digits"),
]
KpiValue = Annotated[float, Field(allow_inf_nan=False, ge=-1e9, le=1e9)]
# Keys of KPIs, materials, commitments and attestations: their names are checked against the
# edition's catalogues (422 `unknown_*`), so here only their length.
KeyName = Annotated[str, StringConstraints(min_length=1, max_length=60)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SceneIn(_In):
    """A declared scene instance, written 环节—场景—实例 in the summary tables."""

    segment: Name = Field(description="the scene guide's 环节, e.g. 生产作业")
    scene: Name = Field(description="the guide's scene, e.g. 人机协同作业")
    instance: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(
        description="the enterprise's own instance, e.g. 多机协同的发动机壳体柔性加工与检测"
    )
    ai: bool = Field(default=False, strict=True, description="the scene applies AI technology")


class ApplicantIn(_In):
    """Who declares (申报主体): where it is registered and operates, and its legal form."""

    legal_form: LegalForm
    registered_region: RegionCode
    operating_regions: list[RegionCode] = Field(
        default_factory=list, max_length=50, description="where it lawfully produces and operates"
    )
    industry: Annotated[str, StringConstraints(pattern=r"^[A-T]?[0-9]{2,4}$")] | None = Field(
        default=None, description="GB/T 4754 industry code, e.g. C3311 or 3311"
    )
    special_circumstance: Annotated[str, StringConstraints(max_length=500)] | None = Field(
        default=None,
        description="a branch's statement of the industry's special circumstances (行业特殊情况)",
    )


class CreditCheckIn(_In):
    """The credit-blacklist check a Fujian county records (失信黑名单 排查)."""

    gsxt: CreditCheckResult = Field(description="国家企业信用信息公示系统")
    zxgk: CreditCheckResult = Field(description="中国执行信息公开网")
    checked_on: date


class RecognitionIn(_In):
    """One entry of the register of recognised tiers (认定记录) as the declaration service keeps
    it: the tier a factory holds, since which year, who recognised it, and from what source.
    Never the applicant's word: the declaration service builds these from its register."""

    tier: Tier
    year: int = Field(ge=2000, le=2100)
    authority: Annotated[str, StringConstraints(min_length=1, max_length=40)] = Field(
        description="who recognised it: a unit code (350000, xpcc, soe:<USCC>), ministry, self"
    )
    source: Annotated[str, StringConstraints(min_length=1, max_length=30)] = Field(
        description="self_assessment | list_submission | publication | acceptance | import"
    )
    reference: Annotated[str, StringConstraints(max_length=200)] | None = Field(
        default=None, description="the source's reference (document number, list hash, id)"
    )


class FactsIn(_In):
    """The facts of a factory (what the declaration service sends for a pre-check)."""

    cmmm_level: int = Field(
        ge=1, le=5, strict=True, description="智能制造能力成熟度 level (GB/T 39116-2020)"
    )
    segments: list[Name] = Field(
        default_factory=list,
        max_length=20,
        description="segments (环节) of 要素条件 declared covered; declared scenes add theirs",
    )
    summary: Annotated[str, StringConstraints(max_length=4000)] | None = Field(
        default=None, description="建设概述 (not evaluated)"
    )
    scenes: list[SceneIn] | None = Field(default=None, max_length=500)
    kpis: dict[KeyName, KpiValue | None] | None = Field(
        default=None,
        max_length=60,
        description="indicator key → value; null marks an indicator not applicable (不适用)",
    )
    materials: list[KeyName] | None = Field(
        default=None, max_length=20, description="material sections completed (申报材料清单)"
    )
    commitments: dict[KeyName, Annotated[bool, Field(strict=True)]] | None = Field(
        default=None, max_length=10
    )
    basic_requirements: dict[KeyName, Annotated[bool, Field(strict=True)]] | None = Field(
        default=None, max_length=30, description="attestations of 基础要求 1–4, by fact key"
    )
    applicant: ApplicantIn | None = None
    recognised_tier: HeldTier | None = Field(
        default=None,
        description=(
            "the applicant's own claim of the tier it holds: accepted for older callers, no "
            "longer judged (issue 14): the prerequisite reads `recognitions`"
        ),
    )
    recognitions: list[RecognitionIn] | None = Field(
        default=None,
        max_length=50,
        description=(
            "the factory's entries in the register of recognised tiers (认定记录), supplied by "
            "the declaration service; [] when it holds none; absent: not provided"
        ),
    )
    credit_check: CreditCheckIn | None = None

    @field_validator("segments", "materials")
    @classmethod
    def _no_repeats(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and len(set(value)) != len(value):
            raise ValueError("an entry is listed twice (重复)")
        return value

    @field_validator("scenes")
    @classmethod
    def _no_repeated_scene(cls, value: list[SceneIn] | None) -> list[SceneIn] | None:
        if value is not None:
            seen = {(s.segment, s.scene, s.instance) for s in value}
            if len(seen) != len(value):
                raise ValueError("a scene instance is listed twice (场景实例重复)")
        return value
