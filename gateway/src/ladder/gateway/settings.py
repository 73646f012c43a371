"""The gateway's settings, read from the environment (prefix `LADDER_`).

The gateway has no database, so it does not use `ladder.kit.settings.KitSettings`. It is the
issuer of dev tokens (`/auth/dev-token`): it holds the RS256 signing key the identity service
shares in dev, whose public half is published at `/.well-known/jwks.json`. Every other token
comes from the identity service; in production the verifier trusts its JWKS
(`external_jwks_url`). The gateway holds no client secret.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Algorithms whose verification key is public: HS* would let anyone holding the JWKS forge.
ASYMMETRIC_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256"})

# The origins a browser app may call Ladder from in dev and test when `cors_origins` is not
# set: Ladder's choice of where a portal's dev server usually runs (Vite's 5173, and 3000 of
# most others), not anything a standard names. Production allows none unless set.
DEV_CORS_ORIGINS = ("http://localhost:5173", "http://127.0.0.1:5173", "http://localhost:3000")
_DEFAULT_PORTS = {"http": 80, "https": 443}


class GatewaySettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="LADDER_",
        env_file=None,
        extra="ignore",
        frozen=True,
        validate_by_name=True,
        validate_by_alias=True,
    )

    environment: Literal["production", "dev", "test"] = Field(
        default="production", description="dev features (demo users, GraphiQL) only in dev/test"
    )

    # Upstream base URLs; the defaults are the dev ports of tools/services.py.
    declaration_url: str = "http://127.0.0.1:8001"
    rules_url: str = "http://127.0.0.1:8002"
    review_url: str = "http://127.0.0.1:8003"
    identity_url: str = "http://127.0.0.1:8004"
    upstream_connect_timeout: float = 2.0
    upstream_read_timeout: float = 30.0

    # Issuing tokens.
    jwt_private_key_file: Path | None = Field(
        default=None,
        description="PEM of the RS256 signing key; generated (mode 600) in dev if missing",
    )
    jwt_issuer: str = "ladder-gateway"
    jwt_audience: str = "ladder"
    token_ttl_seconds: int = Field(default=3600, ge=60, le=24 * 3600)

    # Verifying tokens.
    jwt_algorithms: list[str] = ["RS256"]
    external_jwks_url: str | None = Field(
        default=None, description="trust an external issuer's JWKS instead of our own key"
    )
    jwt_max_token_bytes: int = 8192
    jwt_leeway_seconds: int = 30
    jwks_cache_seconds: int = 300
    jwt_claim_map: dict[str, str] = Field(
        default_factory=dict,
        description="an external OIDC issuer: the claim carrying each of Ladder's (as the "
        "services' LADDER_JWT_CLAIM_MAP)",
    )

    trusted_proxies: list[str] = Field(
        default=[],
        description=(
            "addresses or CIDRs of the reverse proxies in front of the gateway (the ingress "
            "controller): X-Forwarded-For is believed only across these hops"
        ),
    )
    auth_rate_per_minute: int = Field(default=30, ge=1, description="per client IP on /auth/*")
    public_write_rate_per_minute: int = Field(
        default=10, ge=1, description="per client IP: writes without a token to public paths"
    )
    cors_origins: list[str] | None = Field(
        default=None,
        description=(
            "origins (`https://portal.example`, scheme, host and port only) whose browser "
            "apps may call Ladder (CORS, `ladder.gateway.cors`); unset: none in production, "
            "the dev portal's in dev/test (`DEV_CORS_ORIGINS`)"
        ),
    )
    # Large enough for a batch evaluation (up to 5,000 factories) passed on to the rules service.
    max_body_bytes: int = 16 * 1024 * 1024
    log_level: str = "INFO"
    log_json: bool = True

    @field_validator("jwt_algorithms")
    @classmethod
    def _asymmetric_only(cls, value: list[str]) -> list[str]:
        bad = [a for a in value if a not in ASYMMETRIC_ALGORITHMS]
        if bad or not value:
            raise ValueError(f"only asymmetric JWT algorithms may be allowed, not {bad}")
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for entry in value:
            ipaddress.ip_network(entry.strip(), strict=False)  # ValueError names the bad one
        return value

    @field_validator("cors_origins")
    @classmethod
    def _origins(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else [_origin(entry) for entry in value]

    @model_validator(mode="after")
    def _someone_issues_tokens(self) -> GatewaySettings:
        if self.jwt_private_key_file is None and self.external_jwks_url is None:
            raise ValueError(
                "set LADDER_JWT_PRIVATE_KEY_FILE (the gateway issues tokens) "
                "or LADDER_EXTERNAL_JWKS_URL (an external issuer does)"
            )
        if self.jwt_private_key_file is not None and "RS256" not in self.jwt_algorithms:
            raise ValueError("the gateway signs with RS256, so jwt_algorithms must allow it")
        return self

    @property
    def is_dev(self) -> bool:
        return self.environment in ("dev", "test")

    @property
    def cors_allowed_origins(self) -> tuple[str, ...]:
        if self.cors_origins is not None:
            return tuple(self.cors_origins)
        return DEV_CORS_ORIGINS if self.is_dev else ()

    @property
    def issues_tokens(self) -> bool:
        return self.jwt_private_key_file is not None

    @property
    def upstream_urls(self) -> dict[str, str]:
        """Service name → base URL; the names are the first segment after `/api/`."""
        return {
            "declaration": self.declaration_url,
            "rules": self.rules_url,
            "review": self.review_url,
            "identity": self.identity_url,
        }


def _origin(entry: str) -> str:
    """An origin as a browser serializes it in `Origin` (lower-case scheme and host, no
    default port, no path): `HTTPS://Portal.example:443/` → `https://portal.example`."""
    parts = urlsplit(entry.strip())
    try:
        port = parts.port
    except ValueError:
        port = -1
    if (
        parts.scheme.lower() not in _DEFAULT_PORTS
        or not parts.hostname
        or port == -1
        or parts.username is not None
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
    ):
        raise ValueError(f"not an origin (scheme://host[:port], http or https; no `*`): {entry!r}")
    scheme = parts.scheme.lower()
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    default = port is None or port == _DEFAULT_PORTS[scheme]
    return f"{scheme}://{host}" if default else f"{scheme}://{host}:{port}"
