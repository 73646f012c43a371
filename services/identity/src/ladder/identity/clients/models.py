"""OAuth2 clients: machine clients of an organisation (a province's system, a national
platform), the Ladder services' own clients, and the public portal client (refresh grant).

Client secrets are 256-bit random values shown once; they are stored as SHA-256 (a slow hash
buys nothing against a secret nobody chose, and every token request would pay for it). A
rotation keeps the old secret valid until `not_after` (the overlap window)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import CheckConstraint, Column
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from ladder.identity.settings import SCHEMA
from ladder.kit.concurrency import Versioned
from ladder.kit.db import timestamp_field


class ClientKind(StrEnum):
    machine = "machine"  # acts for an organisation, within its jurisdiction and scopes
    service = "service"  # a Ladder service (role `service`)
    public = "public"  # the portal: no secret, refresh grant only


class Client(Versioned, table=True):
    etag_kind: ClassVar[str] = "client"

    __tablename__ = "oauth_client"
    __table_args__ = (
        CheckConstraint("kind IN ('machine', 'service', 'public')", name="kind_known"),
        CheckConstraint("status IN ('active', 'revoked')", name="status_known"),
        {"schema": SCHEMA},
    )

    client_id: str = Field(primary_key=True, max_length=100)
    kind: str = Field(max_length=10)
    name: str = Field(max_length=200)
    org_id: uuid.UUID | None = Field(
        default=None, foreign_key=f"{SCHEMA}.organisation.id", index=True
    )
    scopes: list[Any] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
    status: str = Field(max_length=10)
    created_by: str = Field(max_length=200)
    revoked_by: str | None = Field(default=None, max_length=200)
    revoked_at: datetime | None = timestamp_field(nullable=True)
    created_at: datetime | None = timestamp_field()
    updated_at: datetime | None = timestamp_field()

    def etag_ident(self) -> object:
        return self.client_id

    @property
    def subject(self) -> str:
        """The `sub` of the client's tokens: what other services know it by."""
        return f"client:{self.client_id}"


class ClientSecret(SQLModel, table=True):
    __tablename__ = "oauth_client_secret"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    client_id: str = Field(foreign_key=f"{SCHEMA}.oauth_client.client_id", index=True)
    secret_hash: str = Field(max_length=64)
    not_after: datetime | None = timestamp_field(nullable=True)
    revoked_at: datetime | None = timestamp_field(nullable=True)
    created_by: str = Field(max_length=200)
    created_at: datetime | None = timestamp_field()
