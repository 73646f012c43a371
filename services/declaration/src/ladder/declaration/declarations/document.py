"""The declaration's content (申报书), typed after the official material lists.

One model serves every tier, because a draft grows: the 基础级/先进级 short form (CMMM level,
segments covered, attestations, KPIs) is the common core, and 卓越级/领航级 add the sections of
附件2/附件4 (申报单位基本信息, 智能工厂基本情况, 场景建设情况, 领航级培育方案, 建设成效) and the
commitments. Types and limits are checked on every save (422 naming the field); whether the
document is complete for its tier is checked at submission (`missing_for_tier`), and whether
it meets 要素条件 is the rules service's answer (`to_rules_facts`).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from ladder.contracts.declaration import ContactLine, SceneLine, SubmissionDetails
from ladder.declaration import regions
from ladder.declaration.vocabulary import (
    HeldTier,
    LegalForm,
    ModeCategory,
    Nature,
    Segment,
    Tier,
)

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
RegionCode = Annotated[
    str,
    StringConstraints(pattern=r"^[1-8][0-9]{5}$"),
    AfterValidator(regions.check),
    Field(description="GB/T 2260 six-digit administrative division code"),
]
Mobile = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^1[3-9][0-9]{9}$"),
    Field(description="mainland mobile number, 11 digits"),
]
Amount = Annotated[float, Field(ge=0, le=1e9, allow_inf_nan=False)]
KpiNumber = Annotated[float, Field(ge=-1e9, le=1e9, allow_inf_nan=False)]


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Contact(_Part):
    name: Short
    role: Short | None = Field(default=None, description="e.g. 项目负责人")
    mobile: Mobile


class Applicant(_Part):
    """1. 申报单位基本信息: name, address, nature, industry, contacts (附件2/附件4 第1项)."""

    address: Text
    nature: Nature = Field(description="ownership (企业性质)")
    industry: Annotated[str, StringConstraints(pattern=r"^[A-T][0-9]{2,4}$")] = Field(
        description="GB/T 4754-2017 industry code, e.g. C3411"
    )
    legal_form: LegalForm
    special_circumstance: Text | None = Field(
        default=None, description="a branch's statement of its industry's special circumstances"
    )
    operating_regions: list[RegionCode] = Field(
        default_factory=list, max_length=50, description="where it lawfully produces and operates"
    )
    contacts: list[Contact] = Field(min_length=1, max_length=5)


class FactoryInfo(_Part):
    """2. 智能工厂基本情况 (附件2/附件4 第2项)."""

    construction_start: date
    construction_end: date
    total_investment: Amount = Field(description="总投资, 万元")
    integrators: list[Short] = Field(default_factory=list, max_length=20, description="集成商")
    summary: Text = Field(description="项目简介")
    effects: Text = Field(description="建设成效 (概述)")
    authenticity_commitment: bool = Field(strict=True, description="真实性承诺")

    @field_validator("construction_end")
    @classmethod
    def _after_start(cls, end: date, info: Any) -> date:
        start = info.data.get("construction_start")
        if start is not None and end < start:
            raise ValueError("construction ends before it starts (建设结束早于开始)")
        return end


class Scene(_Part):
    """A scene instance, written 环节—场景—实例 in the summary tables."""

    segment: Short = Field(description="the scene guide's 环节, e.g. 生产作业")
    scene: Short = Field(description="the guide's scene, e.g. 人机协同作业")
    instance: Short = Field(description="the enterprise's own instance")
    ai: bool = Field(default=False, strict=True, description="applies AI technology")
    description: Text | None = None

    @property
    def label(self) -> str:
        return f"{self.segment}—{self.scene}—{self.instance}"


class SceneConstruction(_Part):
    """3. 智能工厂场景建设情况: overall, key segments, system integration (scenes: `scenes`)."""

    overall: Text = Field(description="项目总体情况")
    key_segments: Text = Field(description="重点环节建设情况")
    system_integration: Text = Field(description="系统集成情况")


class ModeDirection(_Part):
    """A future manufacturing-mode direction, written `类别-模式` (e.g. 研发模式创新-创成式设计)."""

    category: ModeCategory
    mode: Short

    @property
    def label(self) -> str:
        return f"{self.category.value}-{self.mode}"


class CultivationPlan(_Part):
    """4. 领航级智能工厂培育方案 (附件4): goals, mode directions, key measures."""

    goals: Text = Field(description="培育目标")
    directions: list[ModeDirection] = Field(min_length=1, max_length=20)
    key_measures: Text = Field(description="关键创建举措")


class Kpi(_Part):
    """One row of the edition's KPI table: the value before and after, or not applicable."""

    baseline: KpiNumber | None = None
    achieved: KpiNumber | None = Field(default=None, description="the indicator's value")
    not_applicable: bool = Field(default=False, strict=True, description="不适用")


class Effects(_Part):
    """5. 智能工厂建设成效 (附件2 第4项, 附件4 第5项); the KPI table is `kpis`."""

    advancement: Text = Field(description="先进性与特色")
    results: Text = Field(description="实施成效")
    next_plans: Text = Field(description="后续实施计划")


class DeclarationFacts(_Part):
    """The declaration's content. Everything but the CMMM level may be filled in later."""

    cmmm_level: int = Field(ge=1, le=5, strict=True, description="智能制造能力成熟度 (GB/T 39116)")
    segments: list[Segment] = Field(
        default_factory=list, max_length=5, description="segments (环节) covered"
    )
    summary: Text | None = Field(default=None, description="建设概述")
    recognised_tier: HeldTier | None = Field(
        default=None,
        description=(
            "the applicant's own statement of the tier it holds: kept and printed, but not "
            "judged — the prerequisite reads the register of recognised tiers (issue 14)"
        ),
    )
    attestations: dict[Annotated[str, StringConstraints(max_length=40)], bool] | None = Field(
        default=None, max_length=20, description="基础要求 1–4, by the rules' fact keys"
    )
    applicant: Applicant | None = None
    factory_info: FactoryInfo | None = None
    scene_construction: SceneConstruction | None = None
    scenes: list[Scene] | None = Field(default=None, max_length=200)
    cultivation_plan: CultivationPlan | None = None
    effects: Effects | None = None
    kpis: dict[Annotated[str, StringConstraints(max_length=60)], Kpi] | None = Field(
        default=None, max_length=40
    )
    no_secrets_commitment: bool | None = Field(
        default=None, strict=True, description="不涉及国家秘密、商业秘密的承诺"
    )

    @field_validator("segments")
    @classmethod
    def _no_repeats(cls, value: list[Segment]) -> list[Segment]:
        if len(set(value)) != len(value):
            raise ValueError("a segment is listed twice (环节重复)")
        return value

    @field_validator("scenes")
    @classmethod
    def _no_repeated_scene(cls, value: list[Scene] | None) -> list[Scene] | None:
        if value is not None and len({s.label for s in value}) != len(value):
            raise ValueError("a scene instance is listed twice (场景实例重复)")
        return value


# The sections each tier's material list requires (附件2: 4 sections; 附件4: 5), with the
# document field that holds each. The rules service owns the list itself; this maps its
# section keys onto this document.
SECTION_FIELDS: dict[str, tuple[str, ...]] = {
    "applicant_info": ("applicant",),
    "factory_info": ("factory_info",),
    "scene_construction": ("scene_construction", "scenes"),
    "cultivation_plan": ("cultivation_plan",),
    "effects": ("effects", "kpis"),
}
REQUIRED_SECTIONS: dict[Tier, tuple[str, ...]] = {
    Tier.basic: (),
    Tier.advanced: (),
    Tier.excellence: ("applicant_info", "factory_info", "scene_construction", "effects"),
    Tier.pilot: (
        "applicant_info",
        "factory_info",
        "scene_construction",
        "cultivation_plan",
        "effects",
    ),
}


def completed_sections(doc: DeclarationFacts) -> list[str]:
    """The material sections whose fields are all filled."""
    return [
        key
        for key, fields in SECTION_FIELDS.items()
        if all(getattr(doc, f) not in (None, [], {}) for f in fields)
    ]


def missing_for_tier(doc: DeclarationFacts, tier: Tier) -> list[dict[str, str]]:
    """What a submission of `tier` still lacks: one entry per missing field, with its path."""
    out = []
    for section in REQUIRED_SECTIONS[tier]:
        for name in SECTION_FIELDS[section]:
            if getattr(doc, name) in (None, [], {}):
                out.append({"field": f"facts.{name}", "section": section})
    if tier in (Tier.excellence, Tier.pilot) and doc.no_secrets_commitment is None:
        out.append({"field": "facts.no_secrets_commitment", "section": "commitments"})
    return out


def to_rules_facts(doc: DeclarationFacts, *, registered_region: str) -> dict[str, Any]:
    """The facts the rules service evaluates, derived from the document and the enterprise.

    Only what was given is passed on: a fact left out is a finding `not_provided`, never a
    guess. Most names keep the document's paths (`facts.scenes[3].scene`, `facts.kpis.x`);
    the findings about the others are pointed back at the document by `fields.document_path`.
    """
    facts: dict[str, Any] = {"cmmm_level": doc.cmmm_level, "segments": list(doc.segments)}
    if doc.summary:
        facts["summary"] = doc.summary
    if doc.attestations is not None:
        facts["basic_requirements"] = dict(doc.attestations)
    if doc.applicant is not None:
        a = doc.applicant
        facts["applicant"] = {
            "legal_form": a.legal_form.value,
            "registered_region": registered_region,
            "operating_regions": list(a.operating_regions),
            "industry": a.industry,
            **({"special_circumstance": a.special_circumstance} if a.special_circumstance else {}),
        }
    if doc.scenes is not None:
        facts["scenes"] = [
            {"segment": s.segment, "scene": s.scene, "instance": s.instance, "ai": s.ai}
            for s in doc.scenes
        ]
    if doc.kpis is not None:
        facts["kpis"] = {
            key: (None if row.not_applicable else row.achieved)
            for key, row in doc.kpis.items()
            if row.not_applicable or row.achieved is not None
        }
    facts["materials"] = completed_sections(doc)
    commitments = {}
    if doc.factory_info is not None:
        commitments["authenticity"] = doc.factory_info.authenticity_commitment
    if doc.no_secrets_commitment is not None:
        commitments["no_secrets"] = doc.no_secrets_commitment
    if commitments:
        facts["commitments"] = commitments
    return facts


def review_details(doc: DeclarationFacts) -> SubmissionDetails:
    """What the review service keeps of the content (the `details` of `declaration.submitted`):
    the scene instances and the future-mode directions for the 推荐汇总表 (附件3/附件5), the
    first contact (联系人, 联系方式), the KPIs for 现场核查 and the integrators for conflicts of
    interest. The full content stays here, behind the version's fingerprint."""
    contact = doc.applicant.contacts[0] if doc.applicant and doc.applicant.contacts else None
    return SubmissionDetails(
        scenes=[
            SceneLine(segment=s.segment, scene=s.scene, instance=s.instance, ai=s.ai)
            for s in doc.scenes or []
        ],
        kpis={key: row.achieved for key, row in (doc.kpis or {}).items()},
        integrators=list(doc.factory_info.integrators) if doc.factory_info else [],
        future_modes=(
            [d.label for d in doc.cultivation_plan.directions] if doc.cultivation_plan else []
        ),
        contact=ContactLine(name=contact.name, mobile=contact.mobile) if contact else None,
    )
