"""The shape of an edition of 要素条件 as data (one YAML file per edition).

A notice sets the numbers (CMMM minimums, segments to cover, AI-share thresholds, material
sections) and the clause that says so; these models carry both, and the rules read them from
here, so a new edition is a new file rather than new code. Validation is strict (unknown keys,
dangling references and repeats are refused) because a malformed edition must stop the
service at startup, not fail a request.
"""

from __future__ import annotations

from datetime import date
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ladder.rules.vocabulary import KpiKind, Severity, Tier


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Note(_Data):
    text: str
    text_en: str


class SegmentDefinition(_Data):
    """One of the five segments (环节) and the scene-guide 环节 it covers (footnotes [1]–[5])."""

    name: str = Field(description="the segment's name, as facts and rules use it, e.g. 生产作业")
    key: str = Field(description="a stable English identifier, e.g. production_operations")
    name_en: str
    guide_segments: tuple[str, ...] = Field(description="环节 of the scene guide it covers")
    clause: str


class GuideSegment(_Data):
    """A 环节 of the scene guide (《智能制造典型场景参考指引》) and its scenes."""

    name: str
    scenes: tuple[str, ...] | None = Field(
        description="the guide's scenes under this 环节; null when the names are not loaded "
        "(scene names are then not checked)"
    )


class SceneGuide(_Data):
    title: str
    source: str
    segments: tuple[GuideSegment, ...] = Field(min_length=1)


class KpiGroup(_Data):
    key: str
    row: str
    name: str
    name_en: str


class Indicator(_Data):
    """One row of the KPI reference table (关键绩效指标参考)."""

    row: int = Field(ge=1, description="the row number (序号) in the edition's table")
    key: str = Field(
        pattern=r"^[a-z][a-z0-9_]{1,60}$",
        description="stable across editions: a renamed indicator keeps its key",
    )
    group: str
    kind: KpiKind = Field(description="share 0–100, increase ≥ −100, reduction ≤ 100, count")
    unit: str
    name: str
    name_en: str
    higher_is_better: bool = True


class KpiTable(_Data):
    clause: str
    groups: tuple[KpiGroup, ...]
    indicators: tuple[Indicator, ...] = Field(min_length=1)


class MaterialSection(_Data):
    row: int = Field(ge=1)
    key: str
    name: str
    name_en: str
    content: str


class MaterialList(_Data):
    """申报材料清单 for a tier (附件2 卓越级, 附件4 领航级)."""

    clause: str
    sections: tuple[MaterialSection, ...] = Field(min_length=1)


class AttestedFact(_Data):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]{1,40}$")
    name: str
    name_en: str


class BasicRequirement(_Data):
    """One of 基础要求 1–4: met when the applicant attests each of its facts."""

    item: int = Field(ge=1, le=9)
    key: str
    clause: str
    text: str
    facts: tuple[AttestedFact, ...] = Field(min_length=1)


class SpecialIndustry(_Data):
    name: str
    name_en: str
    divisions: tuple[str, ...] = Field(description="GB/T 4754 divisions (大类), two digits")


class ApplicantRule(_Data):
    tiers: tuple[Tier, ...]
    clause: str
    text: str
    special_industries: tuple[SpecialIndustry, ...]


class Prerequisite(_Data):
    requires: Tier
    clause: str
    text: str


class Commitment(_Data):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]{1,40}$")
    name: str
    name_en: str
    tiers: tuple[Tier, ...]
    clause: str
    text: str


class AiThreshold(_Data):
    min_percent: float = Field(gt=0, le=100)
    clause: str
    text: str


class AiShareRule(_Data):
    kpi: str = Field(description="the KPI that declares the share, cross-checked")
    tolerance: float = Field(ge=0, le=10, description="percentage points a rounded KPI may differ")
    thresholds: dict[Tier, AiThreshold]


class CmmmRequirement(_Data):
    """The minimum level of 智能制造能力成熟度 (CMMM, GB/T 39116) for a tier."""

    min_level: int = Field(ge=1, le=5)
    clause: str
    text: str = Field(description="the words of the clause")


class SegmentRequirement(_Data):
    """The segments a tier's factory has to cover, and how hard the requirement is."""

    required: tuple[str, ...] = Field(min_length=1)
    severity: Severity
    clause: str
    text: str = Field(description="the words of the clause")


class KpiRequirement(_Data):
    """Which KPIs a tier must report, and how much a gap in the table weighs."""

    clause: str
    required: tuple[str, ...] = ()
    completeness: Severity = Field(
        description="severity when a row of the KPI table is neither filled nor marked N/A"
    )


class TierRequirements(_Data):
    name: str = Field(description="the tier's Chinese name, e.g. 卓越级")
    cmmm: CmmmRequirement
    segments: SegmentRequirement
    kpis: KpiRequirement


class Edition(_Data):
    """One edition of 要素条件, as issued with a national notice."""

    id: str = Field(pattern=r"^[0-9A-Za-z._-]{1,20}$")
    title: str
    source: str = Field(description="the notice (文号) and attachment it was issued as")
    effective_from: date
    notice: str = Field(description="the campaign notice whose clauses the edition also cites")
    cmmm_standard: str
    notes: tuple[Note, ...] = ()
    segments: tuple[SegmentDefinition, ...] = Field(min_length=1)
    scene_guide: SceneGuide
    kpi_table: KpiTable
    materials: dict[Tier, MaterialList] = Field(default_factory=dict)
    basic_requirements: tuple[BasicRequirement, ...] = ()
    applicant: ApplicantRule
    prerequisites: dict[Tier, Prerequisite] = Field(default_factory=dict)
    commitments: tuple[Commitment, ...] = ()
    ai_share: AiShareRule | None = Field(
        default=None, description="absent: the edition sets no AI-share threshold"
    )
    tiers: dict[Tier, TierRequirements]

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        problems = [*self._segment_problems(), *self._kpi_problems(), *self._tier_problems()]
        if problems:
            raise ValueError(f"edition {self.id}: " + "; ".join(problems))
        return self

    def _segment_problems(self) -> list[str]:
        out = []
        names = [s.name for s in self.segments]
        if len(set(names)) != len(names):
            out.append("a segment is defined twice")
        guide = [g.name for g in self.scene_guide.segments]
        if len(set(guide)) != len(guide):
            out.append("a scene-guide 环节 is listed twice")
        mapped = [g for s in self.segments for g in s.guide_segments]
        if len(set(mapped)) != len(mapped):
            out.append("a scene-guide 环节 maps to two segments")
        out += [f"segment maps to unknown guide 环节 {g}" for g in mapped if g not in guide]
        for g in self.scene_guide.segments:
            if g.scenes is not None and len(set(g.scenes)) != len(g.scenes):
                out.append(f"a scene repeats under {g.name}")
        return out

    def _kpi_problems(self) -> list[str]:
        out = []
        keys = [i.key for i in self.kpi_table.indicators]
        if len(set(keys)) != len(keys):
            out.append("a KPI key repeats")
        nos = [i.row for i in self.kpi_table.indicators]
        if nos != list(range(1, len(nos) + 1)):
            out.append("KPI rows are not numbered 1..n")
        groups = {g.key for g in self.kpi_table.groups}
        out += [
            f"KPI {i.key} in unknown group"
            for i in self.kpi_table.indicators
            if i.group not in groups
        ]
        if self.ai_share is not None and self.ai_share.kpi not in keys:
            out.append(f"ai_share names unknown KPI {self.ai_share.kpi}")
        return out

    def _tier_problems(self) -> list[str]:
        out = [f"no requirements for tier {t.value}" for t in Tier if t not in self.tiers]
        names = {s.name for s in self.segments}
        keys = {i.key for i in self.kpi_table.indicators}
        for tier, req in self.tiers.items():
            out += [
                f"{tier.value}: undefined segment {s}"
                for s in req.segments.required
                if s not in names
            ]
            out += [f"{tier.value}: unknown KPI {k}" for k in req.kpis.required if k not in keys]
        for tier, materials in self.materials.items():
            section_keys = [s.key for s in materials.sections]
            if len(set(section_keys)) != len(section_keys):
                out.append(f"{tier.value}: a material section repeats")
        return out

    @property
    def segment_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.segments)

    def segment(self, name: str) -> SegmentDefinition:
        return next(s for s in self.segments if s.name == name)

    def indicator(self, key: str) -> Indicator | None:
        return next((i for i in self.kpi_table.indicators if i.key == key), None)
