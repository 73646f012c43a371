"""Request and response models of user accounts, invitations and `/v1/me`."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ladder.identity.accounts.models import OrgRole, UserStatus
from ladder.identity.organisations.models import OrgKind, OrgStatus

Username = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_lower=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$"
    ),
    Field(
        description="3–64 of a-z 0-9 . _ - (stored lower-case; unique without regard to case)",
        examples=["gulou-li"],
    ),
]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
    Field(description="where the invitation goes", examples=["li@gulou.example.gov.cn"]),
]
DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class AdminCreate(BaseModel):
    """The first admin of a new organisation."""

    model_config = ConfigDict(extra="forbid")

    username: Username
    email: Email
    display_name: DisplayName


class UserCreate(AdminCreate):
    """A colleague invited into the caller's organisation."""

    org_role: OrgRole = Field(default=OrgRole.member, description="member | admin")


class UserBrief(BaseModel):
    id: uuid.UUID
    username: str
    email: str
    status: UserStatus


class UserRead(BaseModel):
    id: uuid.UUID
    org_id: uuid.UUID
    username: str
    email: str
    display_name: str
    org_role: OrgRole
    status: UserStatus
    mfa_enrolled: bool = Field(description="a TOTP is enrolled")
    last_sign_in_at: datetime | None
    created_at: datetime
    deactivated_at: datetime | None = None
    etag: str


class UserPage(BaseModel):
    items: list[UserRead]
    total: int
    page: int
    page_size: int


class InvitationSent(BaseModel):
    user_id: uuid.UUID
    username: str
    status: UserStatus
    expires_at: datetime = Field(description="the link works once, until then")


class InvitationAccept(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=16, max_length=200, description="the link's `#token=`")
    password: str = Field(
        min_length=1,
        max_length=1024,
        description="the first password (NIST SP 800-63B: ≥ 8 characters, not a common one)",
    )


class InvitationAccepted(BaseModel):
    username: str
    status: UserStatus


class MeUser(BaseModel):
    id: uuid.UUID
    username: str
    email: str
    display_name: str
    org_role: OrgRole
    status: UserStatus
    mfa_enrolled: bool
    last_sign_in_at: datetime | None


class MeOrganisation(BaseModel):
    id: uuid.UUID
    kind: OrgKind
    role: str
    name: str
    region: str | None
    uscc: str | None
    status: OrgStatus


class Claims(BaseModel):
    """What the caller's tokens carry, derived from the organisation (never typed by a user)."""

    role: str
    org: str | None = None
    region: str | None = None


class Me(BaseModel):
    user: MeUser
    organisation: MeOrganisation
    claims: Claims
