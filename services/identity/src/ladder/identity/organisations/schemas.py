"""Request and response models of organisations."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from ladder.identity.accounts.schemas import AdminCreate, UserBrief
from ladder.identity.organisations.models import OrgKind, OrgStatus
from ladder.kit.units import UnitId, Uscc

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]

# GB 32100-2015 统一社会信用代码: 17 characters and a check character (weights 3^i mod 31).
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]


def _uscc_checked(value: str) -> str:
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(value, _USCC_WEIGHTS, strict=False))
    if _USCC_CHARS[(31 - total % 31) % 31] != value[17]:
        raise ValueError("the check character is wrong (统一社会信用代码校验位错误)")
    return value


def _trimmed(upper: bool):
    def trim(value: object) -> object:
        if not isinstance(value, str):
            return value
        return value.strip().upper() if upper else value.strip().lower()

    return BeforeValidator(trim)


CheckedUscc = Annotated[
    Uscc,
    _trimmed(upper=True),
    AfterValidator(_uscc_checked),
    Field(description="统一社会信用代码 (GB 32100-2015), check character validated"),
]
Region = Annotated[
    UnitId,
    _trimmed(upper=False),
    Field(
        description="a unit's id in the units registry (`ladder.kit.units`): a GB/T 2260 code "
        "(350000, 350100, 350128 平潭, 350102) or a listed id (xpcc, sh-lingang, fz-hitech)",
        examples=["350100"],
    ),
]


class OrganisationCreate(BaseModel):
    """An official organisation and its first admin (who is mailed an invitation)."""

    model_config = ConfigDict(extra="forbid")

    kind: OrgKind = Field(description="unit | central_soe_hq | expert_pool (who may: hierarchy)")
    name: Name
    region: Region | None = Field(default=None, description="a unit's registry id (units only)")
    uscc: CheckedUscc | None = Field(
        default=None, description="the group's 统一社会信用代码 (central_soe_hq only)"
    )
    admin: AdminCreate

    @model_validator(mode="after")
    def _fields_of_the_kind(self) -> Self:
        if self.kind is OrgKind.unit and (self.region is None or self.uscc is not None):
            raise ValueError("a unit names its region (its unit's id) and no uscc")
        if self.kind is OrgKind.central_soe_hq and (self.uscc is None or self.region is not None):
            raise ValueError("a central SOE HQ names its group's uscc and no region")
        if self.kind is OrgKind.expert_pool and (self.uscc is not None or self.region is not None):
            raise ValueError("an expert pool names neither region nor uscc")
        return self


class OrganisationDeactivate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None


class ParentRef(BaseModel):
    id: uuid.UUID
    name: str


class OrganisationRead(BaseModel):
    id: uuid.UUID
    kind: OrgKind
    role: str = Field(description="the token role its users carry")
    name: str
    region: str | None = Field(description="the token's region")
    uscc: str | None = Field(description="the token's org")
    status: OrgStatus
    status_reason: str | None = None
    parent: ParentRef | None = Field(description="the organisation that created or approves it")
    created_at: datetime
    updated_at: datetime | None = None
    etag: str


class OrganisationCreated(OrganisationRead):
    admin: UserBrief = Field(description="its first admin, invited by mail")


class OrganisationPage(BaseModel):
    items: list[OrganisationRead]
    total: int
    page: int
    page_size: int
