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


UnitCode = Annotated[
    str,
    StringConstraints(pattern=r"^(?:[1-8][0-9]{5}|xpcc|soe:[0-9A-HJ-NPQRTUWXY]{18})$"),
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
