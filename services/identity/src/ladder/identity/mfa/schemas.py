"""Request and response models of TOTP enrolment."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

ENROLMENT_TOKEN = Field(
    default=None,
    min_length=1,
    max_length=128,
    description="the `details.enrolment_token` of sign-in's 403 `mfa_enrolment_required`; "
    "leave out when calling with a bearer token instead",
)


class EnrolStart(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enrolment_token: str | None = ENROLMENT_TOKEN
    password: str | None = Field(
        default=None,
        min_length=1,
        max_length=128,
        description="the account's password, required with a bearer token: a stolen access "
        "token alone must not bind a second factor its holder controls",
    )


class EnrolStarted(BaseModel):
    secret: str = Field(description="the TOTP seed (base32), for typing in by hand")
    otpauth_uri: str = Field(description="the same as an `otpauth://totp/…` URI (a QR code)")


class EnrolConfirm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enrolment_token: str | None = ENROLMENT_TOKEN
    code: str = Field(min_length=1, max_length=16, description="the authenticator's code")


class EnrolConfirmed(BaseModel):
    recovery_codes: list[str] = Field(
        description="10 one-use codes for when the authenticator is lost: shown this once"
    )
    # With an enrolment token, the sign-in it completes (the same as POST /v1/sessions).
    access_token: str | None = None
    token_type: str | None = None
    expires_in: int | None = None
    refresh_token: str | None = None
    refresh_expires_in: int | None = None
