"""Request and response models of enterprise registration (企业注册).

A registration is the enterprise's organisation while its authority decides on it. Its
`status` is named for the registration, from the organisation's status:

| organisation | registration |                                                      |
|--------------|--------------|------------------------------------------------------|
| pending      | `pending`    | filed, awaiting the authority                        |
| active       | `approved`   | approved; the enterprise's users may sign in         |
| rejected     | `rejected`   | rejected with a reason; the USCC may be filed again  |
| deactivated  | `deactivated`| approved once, deactivated since                     |
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from ladder.identity.organisations.models import OrgStatus
from ladder.identity.registrations import uscc as uscc_rule


class RegistrationStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"
    deactivated = "deactivated"


ORG_STATUS = {
    OrgStatus.pending: RegistrationStatus.pending,
    OrgStatus.active: RegistrationStatus.approved,
    OrgStatus.rejected: RegistrationStatus.rejected,
    OrgStatus.deactivated: RegistrationStatus.deactivated,
}
"""The organisation's status → the registration's (the one mapping, both ways)."""
REGISTRATION_STATUS = {v: k for k, v in ORG_STATUS.items()}

STATUS_DESCRIPTION = (
    "pending (awaiting the authority) · approved (the organisation is active) · rejected (with "
    "`status_reason`; the USCC may be filed again) · deactivated (approved once, deactivated "
    "since)"
)

_USCC_PROBLEMS = {
    "length": ("须为 18 位", "must be 18 characters"),
    "alphabet": (
        "含有不允许的字符（不使用 I、O、Z、S、V）",
        "has a character outside 0-9A-HJ-NPQRTUWXY",
    ),
    "region": (
        "第 3–8 位须为行政区划代码（数字）",
        "characters 3–8 must be a region code (digits)",
    ),
    "check_character": ("校验码错误", "the check character is wrong"),
}


def _valid_uscc(value: str) -> str:
    problem = uscc_rule.problem(value)
    if problem is not None:
        zh, en = _USCC_PROBLEMS[problem]
        raise ValueError(f"invalid unified social credit code: {en} (统一社会信用代码{zh})")
    return value


Uscc = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_upper=True, min_length=18, max_length=18),
    AfterValidator(_valid_uscc),
    Field(
        description="统一社会信用代码 (GB 32100-2015), its check character validated",
        examples=["91350102MA2Y00001E"],
    ),
]


def _county_level(value: str) -> str:
    if value.endswith("00"):
        raise ValueError(
            "a city's or province's code; give the county's or district's (须为区县级行政区划代码)"
        )
    return value


CountyCode = Annotated[
    str,
    StringConstraints(pattern=r"^[1-9][0-9]{5}$"),
    AfterValidator(_county_level),
    Field(
        description="GB/T 2260 six-digit code of the enterprise's county or district (not a "
        "city's or province's code ending in 00); it decides the approving authority",
        examples=["350102"],
    ),
]

# One @, something on each side, a dot in the domain, no spaces: the address is checked by
# the mail sent to it, not by a grammar of RFC 5322.
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s.]+(?:\.[^@\s.]+)+$")


def _valid_email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError("not an email address (邮箱地址格式不正确)")
    return value


Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=254),
    AfterValidator(_valid_email),
    Field(examples=["zhang.san@example.com"]),
]
Phone = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9][0-9 -]{4,28}$"),
    Field(examples=["0591-87654321", "13800000000"]),
]
Username = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$"),
    Field(description="3–64 of A-Z a-z 0-9 . _ -; unique, case-insensitive"),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class RegistrationCreate(BaseModel):
    """An enterprise files its registration (no token). The first user is its admin."""

    model_config = ConfigDict(extra="forbid")

    uscc: Uscc
    name: Annotated[Text, Field(max_length=200, description="the enterprise's registered name")]
    region: CountyCode
    contact_name: Annotated[Text, Field(max_length=100)]
    contact_email: Email = Field(description="the contact's mail, and the first user's")
    contact_phone: Phone | None = None
    username: Username
    display_name: Annotated[Text, Field(max_length=100)] | None = Field(
        default=None, description="the first user's name as shown; the contact's name if absent"
    )
    password: str = Field(
        max_length=1024,
        description="at least 8 characters, not a common password nor the username (NIST "
        "SP 800-63B); never stored, only its argon2id hash",
        json_schema_extra={"format": "password", "writeOnly": True},
    )


class RegistrationReject(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[Text, Field(max_length=500, description="told to the enterprise")]


class AuthorityRead(BaseModel):
    """The authority organisation that decides on the registration."""

    id: uuid.UUID
    name: str
    region: str | None = Field(description="its unit's id (350102; 平潭 350128; xpcc)")


class RegistrationRead(BaseModel):
    id: uuid.UUID
    status: RegistrationStatus = Field(description=STATUS_DESCRIPTION)
    status_reason: str | None = Field(default=None, description="why it was rejected")
    uscc: str
    name: str
    region: str
    authority: AuthorityRead
    contact_name: str
    contact_email: str
    contact_phone: str | None = None
    created_at: datetime
    decided_at: datetime | None = None
    decided_by: str | None = Field(default=None, description="user:<id> of who decided")
    etag: str = Field(description="send as If-Match to approve or reject")
