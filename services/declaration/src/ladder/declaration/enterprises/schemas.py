"""Request and response models for enterprises and factories."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from stdnum.cn import uscc as uscc_std
from stdnum.exceptions import ValidationError as StdnumError

RegionCode = Annotated[
    str,
    StringConstraints(pattern=r"^[1-8][0-9]{5}$"),
    Field(description="GB/T 2260 six-digit administrative division code", examples=["350102"]),
]


def _valid_uscc(value: str) -> str:
    try:
        return uscc_std.validate(value)
    except StdnumError as exc:
        raise ValueError(
            f"invalid unified social credit code (统一社会信用代码无效): {exc}"
        ) from None


USCC = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_upper=True, min_length=18, max_length=18),
    AfterValidator(_valid_uscc),
    Field(description="统一社会信用代码 (GB 32100-2015), check character validated"),
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class EnterpriseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    uscc: USCC
    name: Name
    region_code: RegionCode


class EnterpriseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    uscc: str
    name: str
    region_code: str
    created_at: datetime


class FactoryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name
    region_code: RegionCode


class FactoryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    enterprise_id: uuid.UUID
    name: str
    region_code: str
    created_at: datetime
