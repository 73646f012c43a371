"""Requests and responses of the recommendation lists."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints


class ListTier(StrEnum):
    """The tiers recommended to the ministries against a quota."""

    excellence = "excellence"  # 卓越级
    pilot = "pilot"  # 领航级


class ListStatus(StrEnum):
    open = "open"
    locked = "locked"
    submitted = "submitted"


ProvinceCode = Annotated[
    str,
    StringConstraints(pattern=r"^[1-8][0-9]0000$"),
    Field(description="GB/T 2260 code of the province (recommending unit)", examples=["350000"]),
]


class EntryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    declaration_id: uuid.UUID
    jiebang_accepted: StrictBool = Field(
        default=False, description="passed local acceptance as 智能制造示范工厂揭榜单位"
    )


class EntryRead(BaseModel):
    rank: int = Field(description="priority order (推荐顺序), 1 first")
    declaration_id: uuid.UUID
    jiebang_accepted: bool
    counts: bool = Field(description="uses a slot of the quota (false when exempt)")
    enterprise_name: str
    factory_name: str
    region_code: str
    added_by: str
    added_at: datetime


class ListEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    action: str
    declaration_id: uuid.UUID | None
    row_version: int
    actor: str
    at: datetime


class ListRead(BaseModel):
    campaign_year: int
    tier: ListTier
    unit: str
    status: ListStatus
    limit: int = Field(description="the quota (不超过) read from the rules service at creation")
    quota: dict[str, Any] = Field(description="the rules service's answer: derivation, policy")
    counted: int = Field(description="entries that use the quota")
    exempt: int = Field(description="entries an exemption keeps off the quota")
    remaining: int
    etag: str = Field(description="send it back as If-Match to remove, lock or unlock")
    entries: list[EntryRead]
    history: list[ListEventRead]
    created_by: str
    created_at: datetime
    updated_at: datetime
