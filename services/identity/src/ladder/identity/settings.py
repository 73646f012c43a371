"""Settings of the identity service (env prefix `LADDER_`).

The identity service is the token issuer: it holds the signing keys whose public halves every
service trusts through `/.well-known/jwks.json`, and the hashes of every client secret (the
services' own included). It never holds a plaintext secret it did not generate itself.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Self

from pydantic import Field, SecretStr, field_validator, model_validator

from ladder.kit.settings import KitSettings

SCHEMA = "identity"


class Settings(KitSettings):
    service_name: str = "identity"
    # Where its events go (a revoked machine client → the review service's subscriptions).
    review_url: str = "http://127.0.0.1:8003"

    # The issuer.
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="where users reach Ladder (the gateway): the issuer's URLs in discovery, "
        "and the links in mails",
    )
    signing_keys_dir: Path = Field(
        default=Path(".data/identity-keys"),
        description="PEM files of the RS256 signing keys; a key is generated (mode 600) in "
        "dev when the folder is empty",
    )
    access_token_ttl_seconds: int = Field(default=900, ge=5, le=900, description="≤ 15 min")
    refresh_token_ttl_seconds: int = Field(default=14 * 24 * 3600, ge=60)
    service_token_ttl_seconds: int = Field(default=900, ge=120, le=3600)

    # The Ladder services' own OAuth2 clients: client id → SHA-256 of its secret (hex). Each
    # service holds its own secret; this service only the hashes (`tools.stack` makes them).
    service_client_hashes: dict[str, str] = Field(default_factory=dict)

    # Sealing TOTP seeds at rest (Fernet key material; derived per purpose).
    sealing_secret: SecretStr = Field(min_length=16)

    # Sign-in limits (等保 2.0 三级: 登录失败处理).
    lockout_threshold: int = Field(default=5, ge=1, description="failures before a lockout")
    lockout_seconds: int = Field(default=900, ge=1)
    ip_failure_threshold: int = Field(default=50, ge=1, description="failures per IP per window")
    ip_failure_window_seconds: int = Field(default=900, ge=1)

    # Mail (password reset, invitations).
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    mail_from: str = "Ladder <no-reply@ladder.invalid>"
    one_time_link_ttl_seconds: int = Field(default=3600, ge=60)

    # Dev: seed the demo users as accounts (known password, TOTP off).
    dev_password: SecretStr = SecretStr("ladder-demo-2026")
    dev_mfa_off: bool = Field(
        default=False, description="dev only (`make run`): officials sign in without TOTP"
    )

    @model_validator(mode="after")
    def _dev_only(self) -> Self:
        if self.dev_mfa_off and not self.is_dev:
            raise ValueError("dev_mfa_off is for dev and test environments only")
        return self

    @field_validator("service_client_hashes", mode="before")
    @classmethod
    def _json(cls, value: object) -> object:
        return json.loads(value) if isinstance(value, str) else value
