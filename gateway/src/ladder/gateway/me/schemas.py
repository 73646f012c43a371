"""The answer of `GET /v1/me`, and the identity service's `/v1/me` as the gateway reads it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ladder.gateway.me.capabilities import CallerKind
from ladder.kit.auth import Role


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


class IdentityUser(_Lenient):
    id: uuid.UUID
    username: str
    email: str
    display_name: str
    org_role: str
    status: str
    mfa_enrolled: bool
    last_sign_in_at: datetime | None = None


class IdentityOrganisation(_Lenient):
    id: uuid.UUID
    kind: str
    role: str
    name: str
    region: str | None = None
    uscc: str | None = None
    status: str


class IdentityMe(_Lenient):
    """The identity service's `GET /v1/me` (its accounts/schemas.py `Me`)."""

    user: IdentityUser
    organisation: IdentityOrganisation


class Account(BaseModel):
    """A person's account (the identity service's)."""

    id: uuid.UUID
    username: str
    email: str
    display_name: str
    org_role: Literal["admin", "member"] | str = Field(description="admin | member")
    status: str
    mfa_enrolled: bool
    last_sign_in_at: datetime | None


class Organisation(BaseModel):
    id: uuid.UUID
    kind: str = Field(description="enterprise | unit | central_soe_hq | ministry | expert_pool")
    role: str
    name: str
    region: str | None
    uscc: str | None = Field(description="an enterprise's or SOE group's 统一社会信用代码")
    status: str


class MachineClient(BaseModel):
    client_id: str
    name: str


class Unit(BaseModel):
    """A unit of the units registry (`ladder.kit.units`) the caller speaks for."""

    id: str
    name: str = Field(description="'' for a unit derived from its GB/T 2260 code")
    level: str
    kind: str
    source: str = Field(description="the clause that makes it a unit")


class Jurisdiction(BaseModel):
    region: str | None = Field(description="the token's region: a GB/T 2260 code or a unit id")
    org: str | None = Field(description="the token's org: an enterprise's or SOE group's USCC")
    unit: Unit | None = Field(description="the registry's unit a county, city or province is")
    recommending_unit: str | None = Field(
        description="the recommending unit it speaks for (a province's code, `xpcc`, "
        "`soe:<USCC>`), if any"
    )
    nationwide: bool = Field(description="the ministry: every case")
    covers_regions: list[str] = Field(description="GB/T 2260 prefixes of the cases it sees")
    covers_enterprises: list[str] = Field(description="enterprises listed by USCC (管委会)")
    excluded_regions: list[str] = Field(description="prefixes carved out (福州 less 平潭)")


class CapabilityRead(BaseModel):
    name: str
    summary: str
    summary_zh: str
    method: str
    path: str = Field(description="a route that does it, through the gateway")
    scope: str = Field(description="the scope a machine client needs for it")
    source: str = Field(description="the clause it comes from, or Ladder's reading")


class Me(BaseModel):
    sub: str
    kind: CallerKind
    name: str
    role: Role
    roles: list[str] = Field(
        description="the caller's Ladder role, and `org_admin` for an organisation's admin"
    )
    account: Account | None = Field(
        description="a person's account (null: a machine client, a Ladder service, a token "
        "of no account such as an external issuer's)"
    )
    organisation: Organisation | None
    client: MachineClient | None = Field(description="a machine client: which one")
    jurisdiction: Jurisdiction
    scopes: list[str] | None = Field(
        description="a machine client's scopes; null for people and services"
    )
    capabilities: list[CapabilityRead] = Field(
        description="what the caller may do at all (each service still decides per object)"
    )
