"""The audit of sign-ins and token grants (等保 2.0 三级: 安全审计). Never a secret: no password,
code, token or seed is written here, only who, from where, what and the outcome."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from ladder.identity.settings import SCHEMA
from ladder.kit.db import timestamp_field


class AuthEvent(SQLModel, table=True):
    __tablename__ = "auth_event"
    __table_args__ = (
        Index("ix_auth_event_ip_at", "ip", "at"),
        Index("ix_auth_event_user_at", "user_id", "at"),
        {"schema": SCHEMA},
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime | None = timestamp_field()
    event: str = Field(max_length=40, description="sign_in, sign_in_failed, locked, refresh …")
    outcome: str = Field(max_length=10, description="success | failure")
    reason: str | None = Field(default=None, max_length=60, description="the error code")
    subject: str | None = Field(default=None, max_length=200, description="username or client id")
    user_id: uuid.UUID | None = Field(default=None)
    org_id: uuid.UUID | None = Field(default=None)
    client_id: str | None = Field(default=None, max_length=100)
    ip: str | None = Field(default=None, max_length=64)
    user_agent: str | None = Field(default=None, max_length=300)
    request_id: str | None = Field(default=None, max_length=64)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
