"""Refresh tokens: a family per sign-in, rotated on every use (RFC 9700 §4.14.2). A token that
was rotated and is presented again is stolen or replayed: the whole family is revoked."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from ladder.identity.settings import SCHEMA
from ladder.kit.db import timestamp_field


class RefreshToken(SQLModel, table=True):
    __tablename__ = "refresh_token"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    family_id: uuid.UUID = Field(index=True, description="the sign-in this token descends from")
    user_id: uuid.UUID = Field(foreign_key=f"{SCHEMA}.user_account.id", index=True)
    client_id: str = Field(max_length=100, description="the OAuth2 client it was issued to")
    token_hash: str = Field(max_length=64, unique=True)
    amr: str = Field(max_length=50, description="how the sign-in authenticated: pwd, pwd otp …")
    expires_at: datetime = timestamp_field(nullable=False)
    rotated_at: datetime | None = timestamp_field(nullable=True)
    revoked_at: datetime | None = timestamp_field(nullable=True)
    revoke_reason: str | None = Field(default=None, max_length=40)
    created_at: datetime | None = timestamp_field()
