"""Request and response models of the issuer endpoints."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from ladder.kit.auth import Role


class TokenResponse(BaseModel):
    """RFC 6749 §5.1 access token response."""

    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 (a scheme name, not a secret)
    expires_in: int = Field(description="seconds until the token expires")


class DemoUser(BaseModel):
    """A seeded user of the dev issuer (no password: dev tokens are handed out by name)."""

    username: str
    sub: str
    role: Role
    name: str = Field(description="display name (Chinese)")
    org: str | None = Field(default=None, description="enterprise USCC or SOE group id")
    region: str | None = Field(default=None, description="GB/T 2260 code of the jurisdiction")


class DevTokenRequest(BaseModel):
    username: str = Field(max_length=64, examples=["enterprise", "county", "province"])
