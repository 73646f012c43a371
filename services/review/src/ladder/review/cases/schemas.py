"""The `declaration.submitted` event payload this service accepts, and the case responses."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Self
from zoneinfo import ZoneInfo

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from ladder.review.cases.machine import CaseStatus
from ladder.review.routing.chains import Level
from ladder.review.vocabulary import Tier

RegionCode = Annotated[
    str,
    StringConstraints(pattern=r"^[1-8][0-9]{5}$"),
    Field(description="GB/T 2260 six-digit administrative division code", examples=["350102"]),
]
# Shape only: the declaration service validated the check character (GB 32100-2015).
USCC = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9A-HJ-NP-RTUW-Y]{2}[0-9]{6}[0-9A-HJ-NP-RTUW-Y]{10}$"),
    Field(description="统一社会信用代码 (18 characters)"),
]
Fingerprint = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9a-f]{64}$"),
    Field(description="SHA-256 (hex) of the submitted version's canonical content"),
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class SceneLine(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    segment: str = Field(max_length=200)
    scene: str = Field(max_length=200)
    instance: str = Field(max_length=200)
    ai: bool = False


class ContactLine(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    name: str = Field(max_length=200)
    mobile: str = Field(max_length=20)


class SubmissionDetails(BaseModel):
    """What the summary table (推荐汇总表) and the national review need from the declaration's
    content: scene instances, KPIs, integrators (conflicts of interest), the future-mode
    directions (领航级) and the first contact. Kept on the case as JSON (`ReviewCase.details`)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    scenes: list[SceneLine] = Field(default_factory=list, max_length=200)
    kpis: dict[str, float | None] = Field(default_factory=dict, max_length=40)
    integrators: list[str] = Field(default_factory=list, max_length=20)
    future_modes: list[str] = Field(
        default_factory=list, max_length=20, description="类别-模式, e.g. 研发模式创新-创成式设计"
    )
    contact: ContactLine | None = None


class DeclarationSubmitted(BaseModel):
    """Payload of `declaration.submitted`, published by the declaration service on each
    submission (a new, frozen, fingerprinted version). Unknown fields are ignored so the
    publisher can add some without breaking this consumer."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    declaration_id: uuid.UUID
    version: int = Field(ge=1)
    fingerprint: Fingerprint
    campaign_year: int = Field(ge=2024, le=2100)
    tier: Tier
    enterprise_uscc: USCC
    enterprise_name: Name
    factory_name: Name
    region_code: RegionCode
    submitted_at: AwareDatetime
    central_soe_group: USCC | None = Field(
        default=None, description="USCC of the enterprise's central-SOE group HQ (中央企业), if any"
    )
    industry: str | None = Field(default=None, max_length=5, description="GB/T 4754 code")
    details: SubmissionDetails = Field(default_factory=lambda: SubmissionDetails())


class CaseSummary(BaseModel):
    """One line of an authority's inbox."""

    model_config = ConfigDict(from_attributes=True)

    declaration_id: uuid.UUID
    tier: Tier
    campaign_year: int
    enterprise_uscc: str
    enterprise_name: str
    factory_name: str
    region_code: str
    version: int
    fingerprint: str
    status: CaseStatus
    level: Level = Field(description="the chain level holding the case")
    holder_region: str = Field(
        description="who holds the case: an authority's GB/T 2260 code, `xpcc`, or a group USCC"
    )
    recommending_unit: str = Field(
        description="whose list it goes on: province code (350000), `xpcc`, `soe:<group USCC>`"
    )
    central_soe_group: str | None
    industry: str | None
    received_at: datetime


class TransitionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    event: str
    from_status: str | None
    to_status: str
    actor: str
    reason: str | None
    version: int | None
    level: Level | None
    holder_region: str | None
    at: datetime


class CaseRead(CaseSummary):
    """A case with its history, oldest first."""

    details: SubmissionDetails
    submitted_at: datetime
    updated_at: datetime
    etag: str = Field(description="send it back as If-Match to give an opinion")
    history: list[TransitionRead]


class Decision(StrEnum):
    forward = "forward"  # 同意转报 (at the top level: to the province's recommendation list)
    return_ = "return"  # 退回修改
    not_recommended = "not_recommended"  # 不予推荐 (final)


class CreditStatus(StrEnum):
    clear = "clear"
    listed = "listed"  # 列入失信黑名单


_CHINA = ZoneInfo("Asia/Shanghai")


class CreditCheck(BaseModel):
    """The result of querying both credit systems (榕工信装备〔2025〕96号 第2条)."""

    model_config = ConfigDict(extra="forbid")

    gsxt: CreditStatus = Field(description="国家企业信用信息公示系统")
    zxgk: CreditStatus = Field(description="中国执行信息公开网")
    checked_on: date

    @model_validator(mode="after")
    def _not_in_the_future(self) -> Self:
        if self.checked_on > datetime.now(_CHINA).date():
            raise ValueError("checked_on is in the future")
        return self

    def listed(self) -> list[str]:
        """The systems that list the enterprise."""
        return [
            name
            for name, status in (("gsxt", self.gsxt), ("zxgk", self.zxgk))
            if status is CreditStatus.listed
        ]


class OpinionCreate(BaseModel):
    """An initial-review opinion (初审意见). `reasons` is required for `return` and
    `not_recommended` (422 `reasons_required`)."""

    model_config = ConfigDict(extra="forbid")

    decision: Decision
    reasons: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None
    credit_check: CreditCheck | None = None


class OpinionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    version: int
    actor: str
    actor_name: str
    role: str
    level: Level
    region: str
    decision: Decision
    reasons: str | None
    credit_check: CreditCheck | None
    at: datetime


class OpinionOutcome(BaseModel):
    """The opinion as stored and the case after it (`etag` is the case's new ETag)."""

    etag: str
    opinion: OpinionRead
    case: CaseRead
