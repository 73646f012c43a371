"""Request and response models of the self-assessments."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from ladder.declaration import regions
from ladder.declaration.vocabulary import Segment

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
RegionCode = Annotated[
    str,
    StringConstraints(pattern=r"^[1-8][0-9]{5}$"),
    AfterValidator(regions.check),
    Field(description="GB/T 2260 six-digit administrative division code", examples=["350102"]),
]
Key = Annotated[str, StringConstraints(min_length=1, max_length=60)]
KpiValue = Annotated[float, Field(ge=-1e9, le=1e9, allow_inf_nan=False)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SegmentBuilt(_In):
    segment: Segment = Field(description="the 要素条件 segment (环节) covered")
    built: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = Field(
        default=None, description="what was built in it (建设内容)"
    )


class SelfAssessmentCreate(_In):
    """The 基础级 short form (自评自建): the enterprise is the caller (token `org` = USCC)."""

    campaign_year: int = Field(ge=2000, le=2100)
    enterprise_name: Name
    region_code: RegionCode = Field(description="the enterprise's registered region")
    factory_name: Name | None = Field(
        default=None, description="the factory assessed; omitted: the enterprise as a whole"
    )
    cmmm_level: int = Field(ge=1, le=5, strict=True, description="智能制造能力成熟度 (GB/T 39116)")
    segments: list[SegmentBuilt] = Field(min_length=1, max_length=5)
    attestations: dict[Key, Annotated[bool, Field(strict=True)]] | None = Field(
        default=None,
        max_length=30,
        description="基础要求 1–4 by the rules' fact keys (above_scale, no_bad_credit, …)",
    )
    kpis: dict[Key, KpiValue | None] | None = Field(
        default=None,
        max_length=60,
        description="KPI key of the edition → value; null: not applicable (不适用)",
    )

    @field_validator("segments")
    @classmethod
    def _no_repeats(cls, value: list[SegmentBuilt]) -> list[SegmentBuilt]:
        if len({s.segment for s in value}) != len(value):
            raise ValueError("a segment is listed twice (环节重复)")
        return value


class Finding(BaseModel):
    rule_id: str | None = None
    clause: str | None = None
    severity: str | None = None
    status: str | None = None
    field: str | None = None
    message: str | None = None
    message_en: str | None = None


class SelfAssessmentSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    campaign_year: int
    enterprise_uscc: str
    enterprise_name: str
    region_code: str
    factory_name: str | None
    cmmm_level: int
    outcome: str = Field(description="the rules' answer for 基础级: eligible/ineligible/incomplete")
    rules_edition: str
    source: str = Field(description="form | import:<import id>")
    central_soe_group: str | None = Field(
        default=None, description="the central-SOE group HQ whose import wrote it"
    )
    created_at: datetime

    @field_validator("factory_name", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        return value or None


class SelfAssessmentRead(SelfAssessmentSummary):
    segments: list[dict[str, Any]]
    attestations: dict[str, bool]
    kpis: dict[str, float | None]
    findings: list[Finding] = Field(description="the rules' findings that did not pass")
    created_by: str


class SelfAssessmentPage(BaseModel):
    items: list[SelfAssessmentSummary]
    next_cursor: str | None = Field(
        description="pass as `cursor` for the next page; null on the last page"
    )


class RowProblem(BaseModel):
    row: int = Field(description="row number as the spreadsheet shows it (header = 1)")
    column: str | None = Field(description="the column's stable key, e.g. uscc, kpi.oee_gain")
    header: str | None = Field(description="the column's header as in the file")
    code: str
    message: str
    message_en: str


class ImportRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    campaign_year: int
    status: str = Field(description="accepted (every row written) | rejected (none written)")
    rules_edition: str
    file_name: str | None
    file_sha256: str
    content_type: str
    byte_size: int
    row_count: int
    written: int
    outcomes: dict[str, int] = Field(description="rows per rules outcome")
    error_count: int
    errors: list[RowProblem] = Field(description="the first errors, by row")
    jurisdiction: str = Field(description="the importer's region prefix ('' = nationwide)")
    central_soe_group: str | None = Field(
        default=None, description="the importing group HQ: rows are its group's enterprises"
    )
    created_by: str
    created_at: datetime
