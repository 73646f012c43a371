"""Requests and answers of the expert pool, the conflict check and the assignment."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, model_validator
from sqlmodel import Field

from ladder.contracts.types import USCC, RegionCode
from ladder.review.national.schemas import Name, PersonName, Specialty, Strict, unique_ids


class ExpertFields(Strict):
    name: PersonName
    fields: list[Specialty] = Field(default_factory=list, max_length=20, description="专业领域")
    organisation: Name
    organisation_uscc: USCC | None = None
    group_uscc: USCC | None = Field(
        default=None, description="USCC of the group the organisation belongs to, if any"
    )
    region_code: RegionCode
    integrators: list[Name] = Field(
        default_factory=list, max_length=50, description="integrators the expert works for/with"
    )
    declared_conflicts: list[USCC] = Field(
        default_factory=list, max_length=200, description="enterprises the expert declared"
    )
    active: bool = True


class ExpertCreate(ExpertFields):
    account: Name = Field(description="the `sub` the expert logs in with (role expert)")


class ExpertUpdate(Strict):
    """Only the fields sent change."""

    account: Name | None = None
    name: PersonName | None = None
    fields: list[Specialty] | None = Field(default=None, max_length=20)
    organisation: Name | None = None
    organisation_uscc: USCC | None = None
    group_uscc: USCC | None = None
    region_code: RegionCode | None = None
    integrators: list[Name] | None = Field(default=None, max_length=50)
    declared_conflicts: list[USCC] | None = Field(default=None, max_length=200)
    active: bool | None = None

    @model_validator(mode="after")
    def _required_stay_set(self) -> Self:
        for name in ("account", "name", "organisation", "region_code", "active"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class ExpertRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    account: str
    name: str
    fields: list[str]
    organisation: str
    organisation_uscc: str | None
    group_uscc: str | None
    region_code: str
    integrators: list[str]
    declared_conflicts: list[str]
    active: bool
    etag: str = Field(description="send it back as If-Match to edit or delete")
    created_at: datetime
    updated_at: datetime


class ExpertBrief(BaseModel):
    id: uuid.UUID
    name: str
    organisation: str


class ExpertIds(Strict):
    expert_ids: list[uuid.UUID] = Field(min_length=1, max_length=50)

    @model_validator(mode="after")
    def _distinct(self) -> Self:
        unique_ids(self.expert_ids)
        return self


class ConflictRead(BaseModel):
    code: str
    message: str
    message_en: str
    evidence: dict[str, Any]


class ExpertConflicts(BaseModel):
    expert_id: uuid.UUID
    name: str
    active: bool
    conflicts: list[ConflictRead]


class ConflictCheckRead(BaseModel):
    experts: list[ExpertConflicts]
    clear: bool = Field(description="no expert has a conflict")
