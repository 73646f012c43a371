"""Request and response models for enterprises and factories."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)
from stdnum.cn import uscc as uscc_std
from stdnum.exceptions import ValidationError as StdnumError

from ladder.declaration import regions
from ladder.declaration.declarations.document import Contact
from ladder.declaration.vocabulary import LegalForm, Nature

RegionCode = Annotated[
    str,
    StringConstraints(pattern=r"^[1-8][0-9]{5}$"),
    AfterValidator(regions.check),
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
Industry = Annotated[
    str,
    StringConstraints(pattern=r"^[A-T][0-9]{2,4}$"),
    Field(description="GB/T 4754-2017 industry code, e.g. C3411"),
]


class EnterpriseProfile(BaseModel):
    """What the material lists ask about the applicant, kept once per enterprise."""

    model_config = ConfigDict(extra="forbid")
    address: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] | None = None
    nature: Nature | None = Field(default=None, description="企业性质")
    industry: Industry | None = None
    operating_regions: list[RegionCode] = Field(
        default_factory=list, max_length=50, description="where it lawfully produces and operates"
    )
    above_scale: bool | None = Field(default=None, strict=True, description="规模以上工业企业")
    legal_form: LegalForm | None = None
    central_soe_group: USCC | None = Field(
        default=None, description="统一社会信用代码 of its central-SOE group HQ, if any"
    )
    contacts: list[Contact] = Field(default_factory=list, max_length=10)

    @field_validator("operating_regions")
    @classmethod
    def _no_repeats(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("a region is listed twice (区划重复)")
        return value


class EnterpriseCreate(EnterpriseProfile):
    uscc: USCC
    name: Name
    region_code: RegionCode


class EnterprisePatch(EnterpriseProfile):
    """A profile edit (If-Match): the fields sent replace the stored ones."""

    name: Name | None = None


class ContactRead(BaseModel):
    name: str
    role: str | None = None
    mobile: str


class EnterpriseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    uscc: str
    name: str
    region_code: str
    region_name: str | None = None
    address: str | None
    nature: Nature | None
    industry: str | None
    operating_regions: list[str]
    above_scale: bool | None
    legal_form: LegalForm | None
    central_soe_group: str | None
    contacts: list[ContactRead] = Field(
        description="mobile numbers masked (138****0000) for readers outside the chain"
    )
    etag: str = ""
    created_at: datetime
    updated_at: datetime | None = None


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


class FactoryOf(FactoryRead):
    """A factory in a batch read: its enterprise's USCC."""

    enterprise_uscc: str
