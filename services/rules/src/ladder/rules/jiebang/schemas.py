"""Requests and answers of the 揭榜单位 registry."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from stdnum.cn import uscc as uscc_number
from stdnum.exceptions import ValidationError as StdnumError

from ladder.rules.vocabulary import Tier


def _valid_uscc(value: str) -> str:
    try:
        return uscc_number.validate(value.upper())
    except StdnumError as exc:
        raise ValueError(f"invalid 统一社会信用代码: {exc}") from None


Uscc = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=18, max_length=18),
    AfterValidator(_valid_uscc),
    Field(description="统一社会信用代码 of the enterprise", examples=["91310115MA1K4PZT1X"]),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
SourceNote = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
    Field(description="why this record (or this change): the list or decision it rests on"),
]
Province = Annotated[
    str,
    StringConstraints(pattern=r"^[1-8][0-9]0000$"),
    Field(description="GB/T 2260 code of the province whose 地方验收 was passed"),
]


class JiebangStatus(StrEnum):
    active = "active"
    revoked = "revoked"  # recorded in error, or the acceptance withdrawn: no exemption


class JiebangUnitCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uscc: Uscc
    enterprise_name: Text
    programme: Text = Field(description="the 揭榜 programme, e.g. 智能制造示范工厂揭榜挂帅")
    acceptance: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)
    ] = Field(description="the local acceptance (地方验收) passed")
    accepted_by: Province
    accepted_on: date | None = None
    year: int = Field(ge=2015, le=2100, description="the year of the acceptance")
    source_document: Text = Field(description="文号 of the acceptance list or decision")
    source_note: SourceNote


class JiebangUnitEdit(BaseModel):
    """The fields to change (absent: unchanged) and the source of the change (required)."""

    model_config = ConfigDict(extra="forbid")

    enterprise_name: Text | None = None
    programme: Text | None = None
    acceptance: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
        | None
    ) = None
    accepted_on: date | None = None
    year: int | None = Field(default=None, ge=2015, le=2100)
    source_document: Text | None = None
    status: JiebangStatus | None = None
    source_note: SourceNote


class ExemptCap(BaseModel):
    """A cap this record keeps the enterprise off (a policy exemption `jiebang_accepted`)."""

    campaign: str
    policy: str
    tier: Tier
    clause: str


class JiebangEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    action: str
    changes: dict[str, Any]
    source_note: str
    row_version: int
    actor: str
    at: datetime


class JiebangUnitRead(BaseModel):
    id: uuid.UUID
    uscc: str
    enterprise_name: str
    programme: str
    acceptance: str
    accepted_by: str
    accepted_by_name: str | None
    accepted_on: date | None
    year: int
    source_document: str
    source_note: str
    status: JiebangStatus
    exempt_from: list[ExemptCap] = Field(
        description="the caps it is off while active (the policies' 揭榜 exemptions there)"
    )
    etag: str = Field(description="send it back as If-Match to edit")
    history: list[JiebangEventRead]
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime
