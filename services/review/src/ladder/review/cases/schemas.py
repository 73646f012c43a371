"""The case responses, and the `declaration.submitted` payload this service accepts (its
contract, `ladder.contracts.declaration`, shared with the producer)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Self
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from ladder.contracts.declaration import SubmissionDetails
from ladder.kit import clock
from ladder.review.cases.machine import CaseStatus
from ladder.review.routing.chains import Level
from ladder.review.vocabulary import Tier


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
        description="who holds the case: its unit's id in the registry (`GET /v1/units`): a "
        "GB/T 2260 code (350102, 平潭 350128), a 管委会's id (`sh-lingang`), `xpcc`, or a group "
        "USCC"
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
        if self.checked_on > clock.beijing_today():
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
