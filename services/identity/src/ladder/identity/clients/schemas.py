"""Bodies and answers of machine-client management."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from ladder.identity.clients.scopes import SCOPES

Scope = Literal[SCOPES]  # type: ignore[valid-type]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class ClientCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name = Field(description="what the client is, e.g. 福建省工信厅申报对接系统")
    scopes: list[Scope] = Field(min_length=1, max_length=len(SCOPES))

    @field_validator("scopes")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        return sorted(set(value))


class SecretRotate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    overlap_seconds: int = Field(
        default=86_400,
        ge=0,
        le=7 * 86_400,
        description="how long the previous secret keeps working (0: stops at once; ≤ 7 days)",
    )


class OrganisationRef(BaseModel):
    id: uuid.UUID
    name: str
    role: str
    region: str | None


class ClientRead(BaseModel):
    client_id: str
    name: str
    scopes: list[str]
    status: Literal["active", "revoked"]
    organisation: OrganisationRef
    created_by: str
    created_at: datetime
    revoked_at: datetime | None
    secrets_valid: int = Field(description="secrets that work now (2 during an overlap)")
    etag: str


class ClientCreated(ClientRead):
    client_secret: str | None = Field(
        description="shown once, in the first answer; a replay of the request answers null"
    )


class SecretIssued(BaseModel):
    client_id: str
    client_secret: str | None = Field(description="shown once; a replay answers null")
    previous_valid_until: datetime | None = Field(
        description="when the secrets issued before stop working (the overlap's end)"
    )
    etag: str


class ClientPage(BaseModel):
    items: list[ClientRead]
    total: int
    page: int
    page_size: int
