"""Users, their recovery codes, and one-time tokens (invitation, password reset, MFA enrolment).

Every secret is stored as a hash or sealed: passwords as argon2id (`ladder.identity.passwords`),
recovery codes and one-time tokens as SHA-256 of high-entropy random values, TOTP seeds sealed
with `ladder.kit.sealing`.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from sqlalchemy import BigInteger, CheckConstraint, Index, text
from sqlmodel import Field, SQLModel

from ladder.identity.settings import SCHEMA
from ladder.kit.concurrency import Versioned
from ladder.kit.db import timestamp_field


class OrgRole(StrEnum):
    admin = "admin"  # manages the organisation's users and machine clients
    member = "member"


class UserStatus(StrEnum):
    invited = "invited"  # created by an admin; sets a password through the mailed link
    active = "active"
    deactivated = "deactivated"


class User(Versioned, table=True):
    etag_kind: ClassVar[str] = "user"

    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint("org_role IN ('admin', 'member')", name="org_role_known"),
        CheckConstraint("status IN ('invited', 'active', 'deactivated')", name="status_known"),
        Index("uq_user_account_username", text("lower(username)"), unique=True),
        # A password reset looks an account up by its email, typed in any case.
        Index("ix_user_account_email_lower", text("lower(email)")),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    org_id: uuid.UUID = Field(foreign_key=f"{SCHEMA}.organisation.id", index=True)
    username: str = Field(max_length=64)
    email: str = Field(max_length=254)
    display_name: str = Field(max_length=100)
    org_role: str = Field(max_length=10)
    status: str = Field(max_length=12)
    password_hash: str | None = Field(default=None, max_length=200)
    password_changed_at: datetime | None = timestamp_field(nullable=True)
    totp_sealed: str | None = Field(default=None, description="the TOTP seed, sealed")
    totp_enrolled_at: datetime | None = timestamp_field(nullable=True)
    totp_last_step: int | None = Field(
        default=None,
        sa_type=BigInteger,
        description="the last TOTP time step accepted (a code is used once)",
    )
    failed_attempts: int = Field(default=0)
    locked_until: datetime | None = timestamp_field(nullable=True)
    last_sign_in_at: datetime | None = timestamp_field(nullable=True)
    created_by: str = Field(max_length=200)
    deactivated_by: str | None = Field(default=None, max_length=200)
    deactivated_at: datetime | None = timestamp_field(nullable=True)
    created_at: datetime | None = timestamp_field()
    updated_at: datetime | None = timestamp_field()


class RecoveryCode(SQLModel, table=True):
    """A one-use MFA recovery code (shown once at enrolment)."""

    __tablename__ = "recovery_code"
    __table_args__ = {"schema": SCHEMA}

    id: int | None = Field(default=None, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key=f"{SCHEMA}.user_account.id", index=True)
    code_hash: str = Field(max_length=64)
    used_at: datetime | None = timestamp_field(nullable=True)
    created_at: datetime | None = timestamp_field()


class Purpose(StrEnum):
    invitation = "invitation"  # set the first password of an invited user
    password_reset = "password_reset"  # noqa: S105 (a purpose, not a secret)
    mfa_enrolment = "mfa_enrolment"  # enrol TOTP after the password, before the first token


class OneTimeToken(SQLModel, table=True):
    """A link or step token: used once, expires, stored as its SHA-256."""

    __tablename__ = "one_time_token"
    __table_args__ = (
        CheckConstraint(
            "purpose IN ('invitation', 'password_reset', 'mfa_enrolment')", name="purpose_known"
        ),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    purpose: str = Field(max_length=20)
    user_id: uuid.UUID = Field(foreign_key=f"{SCHEMA}.user_account.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime = timestamp_field(nullable=False)
    used_at: datetime | None = timestamp_field(nullable=True)
    created_at: datetime | None = timestamp_field()
