"""Requests and responses of the recommendation lists."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


class ListTier(StrEnum):
    """The tiers a recommending unit lists: 卓越级 and 领航级 recommended to the ministries
    against a quota; 先进级 recognised by the unit itself (no national quota) and reported."""

    advanced = "advanced"  # 先进级
    excellence = "excellence"  # 卓越级
    pilot = "pilot"  # 领航级


class ListStatus(StrEnum):
    open = "open"
    locked = "locked"
    submitted = "submitted"


UNIT_PATTERN = r"^(?:[1-8][0-9]{5}|xpcc|soe:[0-9A-HJ-NPQRTUWXY]{18})$"
UnitCode = Annotated[
    str,
    StringConstraints(pattern=UNIT_PATTERN),
    Field(
        description=(
            "the unit: a province's GB/T 2260 code, `xpcc`, `soe:<统一社会信用代码 of the group "
            "HQ>`, or the code of a unit at a level that ranks its own table (a Shanghai "
            "district, e.g. 310115; see ranking_levels.yaml)"
        ),
        examples=["350000", "xpcc", "soe:91110000100000007A", "310115"],
    ),
]


class EntryOrder(BaseModel):
    """The new priority order: every case on the list, once, first = rank 1."""

    model_config = ConfigDict(extra="forbid")

    declaration_ids: list[uuid.UUID] = Field(min_length=1, max_length=500)


class EntryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    declaration_id: uuid.UUID


class EntryRead(BaseModel):
    rank: int = Field(description="priority order (推荐顺序), 1 first")
    declaration_id: uuid.UUID
    counts: bool = Field(description="uses a slot of the quota (false when exempt)")
    exemption: str | None = Field(
        description="what keeps it off the quota, as the rules service said (e.g. "
        "`jiebang_accepted`: its enterprise is in the rules' 揭榜单位 registry)"
    )
    enterprise_name: str
    factory_name: str
    region_code: str
    added_by: str
    added_at: datetime


class ListEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    action: str
    from_status: ListStatus | None
    to_status: ListStatus | None
    reason: str | None
    declaration_id: uuid.UUID | None
    row_version: int
    actor: str
    at: datetime


class SubmissionRead(BaseModel):
    """The recommendation record (推荐记录) of a submitted list."""

    submitted_by: str
    submitted_at: datetime
    sha256: str = Field(description="of the 推荐汇总表 workbook as issued")
    entries: int
    reported_to: list[str] = Field(
        description="who receives it: the ministry; central SOEs also SASAC (国务院国资委)"
    )


class ListRead(BaseModel):
    campaign_year: int
    tier: ListTier
    unit: str
    status: ListStatus
    limit: int | None = Field(
        description="the quota (不超过) read from the rules service at creation; null for 先进级"
    )
    quota: dict[str, Any] = Field(description="the rules service's answer: derivation, policy")
    counted: int = Field(description="entries that use the quota")
    exempt: int = Field(description="entries an exemption keeps off the quota")
    remaining: int | None
    ranking_level: str | None = Field(
        default=None,
        description="for a lower level's table (a Shanghai district's): the clause that has it "
        "rank; its submission sends the cases up in rank order",
    )
    deadline: dict[str, Any] | None = Field(
        default=None, description="the submission deadline in force (level, closes_at, clause)"
    )
    submission: SubmissionRead | None = None
    etag: str = Field(description="send it back as If-Match to remove, reorder, lock, submit")
    entries: list[EntryRead]
    history: list[ListEventRead]
    created_by: str
    created_at: datetime
    updated_at: datetime


class ListSummary(BaseModel):
    """One line of the lists index."""

    campaign_year: int
    tier: ListTier
    unit: str
    status: ListStatus
    limit: int | None
    entries: int = Field(description="cases on the list (as submitted, once submitted)")
    submitted_at: datetime | None
    sha256: str | None = Field(description="of the submitted 推荐汇总表")
    updated_at: datetime


# --- a whole ranked list in one request (推荐汇总表 pushed by a provincial system) -----------

PushText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class PushScene(BaseModel):
    """One scene instance of 附件3/附件5's 涉及典型场景实例 column: 环节—场景—实例."""

    model_config = ConfigDict(extra="forbid")

    segment: PushText = Field(description="环节, e.g. 生产作业")
    scene: PushText = Field(description="场景, e.g. 人机协同作业")
    instance: PushText = Field(description="实例 (the enterprise's own name for it)")


class PushContact(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: PushText | None = Field(default=None, description="联系人")
    mobile: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] | None = Field(
        default=None, description="联系方式（手机号）"
    )


class PushEntry(BaseModel):
    """One row of the table. The case is named by `declaration_id`, or by `enterprise_uscc`
    and `project_name` (项目名称, the factory's name on the 申报书), or — as the 附件3/附件5 file
    does, having no USCC column — by `enterprise_name` and `project_name`. Every other column
    is optional: left out (or null) it is filled from the declaration, as the exported table
    is; given, it must agree with what the enterprise declared (a pushed row cannot rewrite
    the 申报书)."""

    model_config = ConfigDict(extra="forbid")

    rank: int = Field(
        ge=-(2**31),
        le=2**31 - 1,
        description="序号 = priority order (推荐顺序): the ranks of the table run 1..n",
    )
    declaration_id: uuid.UUID | None = None
    enterprise_uscc: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=18, max_length=18)]
        | None
    ) = Field(default=None, description="统一社会信用代码 of the declaring enterprise")
    enterprise_name: PushText | None = Field(default=None, description="申报单位名称")
    project_name: PushText | None = Field(
        default=None, description="卓越级/领航级智能工厂项目名称 (先进级: 智能工厂名称)"
    )
    region_code: Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{5}$")] | None = Field(
        default=None, description="先进级 名单: 所在地区（行政区划代码） of the factory"
    )
    scenes: list[PushScene] | None = Field(
        default=None, max_length=100, description="涉及典型场景实例（罗列）, in any order"
    )
    future_modes: list[PushText] | None = Field(
        default=None,
        max_length=20,
        description="领航级: 重点探索的未来制造模式清单, each 类别-模式 (研发模式创新-创成式设计)",
    )
    contact: PushContact | None = Field(default=None, description="联系人 and 联系方式")


class ListPush(BaseModel):
    """The whole ranked 推荐汇总表. `submit` (default): the entries replace the list's, and it
    is locked and submitted in the same transaction (the cases recommended — 先进级 recognised
    — and the table frozen). `submit: false`: the list is left open, a draft with exactly
    these entries."""

    model_config = ConfigDict(extra="forbid")

    entries: list[PushEntry] = Field(max_length=500)
    submit: bool = True
