"""Request and response models of sign-in, refresh and logout. The token answer has RFC 6749
§5.1's shape, with the refresh token's own lifetime beside the access token's."""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ladder.identity.sessions.store import IssuedTokens
from ladder.identity.settings import Settings

CLIENT_ID = "portal"
"""The client a person's sign-in session belongs to (the web portal; refresh tokens are bound
to it)."""


class SignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=254)
    # Longer than any password this service accepts (`passwords.MAX_LENGTH`), short enough that
    # hashing it costs nothing unusual.
    password: str = Field(min_length=1, max_length=1024, json_schema_extra={"format": "password"})
    totp: str | None = Field(
        default=None, max_length=16, description="the authenticator's 6-digit code"
    )
    recovery_code: str | None = Field(
        default=None, max_length=64, description="one of the recovery codes shown at enrolment"
    )

    @model_validator(mode="after")
    def _one_code(self) -> Self:
        if self.totp is not None and self.recovery_code is not None:
            raise ValueError("send either totp or recovery_code, not both")
        return self


class RefreshGrant(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: str = Field(min_length=1, max_length=512)


class TokenPair(BaseModel):
    access_token: str
    token_type: str = "Bearer"  # noqa: S105 (the token type, not a secret)
    expires_in: int = Field(description="seconds the access token lives (≤ 900)")
    refresh_token: str = Field(description="one use: trade it at /v1/sessions/refresh")
    refresh_expires_in: int = Field(description="seconds the refresh token lives")

    @classmethod
    def of(cls, issued: IssuedTokens, settings: Settings) -> TokenPair:
        return cls(
            access_token=issued.access_token,
            expires_in=issued.expires_in,
            refresh_token=issued.refresh_token,
            refresh_expires_in=settings.refresh_token_ttl_seconds,
        )
