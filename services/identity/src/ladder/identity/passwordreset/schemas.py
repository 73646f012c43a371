"""Request and response models of password reset and change. Passwords and links are
write-only: no answer ever carries one."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

_RULES_HELP = (
    "at least 8 characters, not a common password nor the username or email (NIST SP "
    "800-63B); never stored, only its argon2id hash"
)
_WRITE_ONLY = {"format": "password", "writeOnly": True}


class ResetRequest(BaseModel):
    """Ask for a reset link (no token)."""

    model_config = ConfigDict(extra="forbid")

    username_or_email: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=254)
    ] = Field(
        description="the username, or the account's email (both case-insensitive); every "
        "account with that email is mailed a link of its own",
        examples=["ent-admin-1", "zhang.san@example.com"],
    )


class ResetRequested(BaseModel):
    """Always empty, whether or not an account matched (no answer tells who has an account)."""


class ResetComplete(BaseModel):
    """Set a new password with the link's token (the `#token=` of the mailed link)."""

    model_config = ConfigDict(extra="forbid")

    token: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    password: str = Field(max_length=1024, description=_RULES_HELP, json_schema_extra=_WRITE_ONLY)


class PasswordChange(BaseModel):
    """A signed-in user changes their password."""

    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(max_length=1024, json_schema_extra=_WRITE_ONLY)
    new_password: str = Field(
        max_length=1024, description=_RULES_HELP, json_schema_extra=_WRITE_ONLY
    )
