"""Settings every service shares, read from the environment (prefix `LADDER_`).

Secrets (the service client secret, the database URL) have no defaults: a process that lacks
them refuses to start rather than running with a guessable value.
"""

from __future__ import annotations

from functools import cached_property
from typing import Self

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class KitSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="LADDER_",
        env_file=None,
        extra="ignore",
        frozen=True,
        validate_by_name=True,
        validate_by_alias=True,
    )

    service_name: str = "ladder"
    environment: str = Field(default="production", description="production | dev | test")

    database_url: str = Field(
        validation_alias=AliasChoices("LADDER_DATABASE_URL", "DATABASE_URL"),
        description="PostgreSQL URL; postgresql:// is upgraded to the asyncpg driver",
    )
    db_pool_size: int = 10
    db_max_overflow: int = 10
    db_statement_timeout_ms: int = 30_000

    # Token verification: every service verifies tokens itself against the issuer's JWKS.
    jwks_url: str = Field(description="JWKS of the token issuer (the gateway in dev)")
    jwt_issuer: str = "ladder-gateway"
    jwt_audience: str = "ladder"
    jwt_algorithms: list[str] = ["RS256"]
    jwt_max_token_bytes: int = 8192
    jwt_leeway_seconds: int = 30
    jwks_cache_seconds: int = 300
    jwt_claim_map: dict[str, str] = Field(
        default_factory=dict,
        description="an external OIDC issuer: the claim carrying each of Ladder's (role, name, "
        'org, region, scope), e.g. {"role": "ladder_role"}; unmapped claims keep their name',
    )

    # Service-to-service calls: OAuth2 client credentials at the issuer's token endpoint.
    token_url: str = Field(description="token endpoint for client_credentials")
    service_client_secret: str = Field(
        validation_alias=AliasChoices("LADDER_SERVICE_CLIENT_SECRET", "LADDER_SERVICE_SECRET"),
        repr=False,
    )

    http_connect_timeout: float = 2.0
    http_read_timeout: float = 15.0

    outbox_poll_seconds: float = 0.5
    # After startup, move what startup built out of the garbage collector's sight (gc.freeze):
    # full collections under load stop walking it (the p99 of the list push fell from 173 to
    # 42 ms, tests/bench/bench_list_push.py). Off in in-process tests, which start many apps
    # in one process: objects frozen there would never be collected.
    freeze_startup_heap: bool = True
    outbox_batch_size: int = 100
    outbox_max_backoff_seconds: float = 30.0
    # Bytes of JSON per batch request (below the consumers' 2 MiB `max_body_bytes`), and the
    # dead-letter bounds: permanent failures (4xx, rejected) vs transient ones (down, 5xx).
    outbox_max_batch_bytes: int = Field(default=1024 * 1024, ge=1024)
    outbox_max_permanent_attempts: int = Field(default=5, ge=1)
    outbox_max_transient_attempts: int = Field(default=2880, ge=1)

    # How often expired Idempotency-Keys are deleted (they live 24 hours).
    idempotency_sweep_seconds: float = Field(default=3600.0, gt=0)

    max_body_bytes: int = 2 * 1024 * 1024
    log_level: str = "INFO"
    log_json: bool = True

    # A clock that `POST /internal/clock` may move (cross-service tests of 公示 periods and
    # cultivation deadlines). Refused outside dev/test: production time is the system's.
    clock_control: bool = False

    @field_validator("jwt_algorithms")
    @classmethod
    def _asymmetric_only(cls, value: list[str]) -> list[str]:
        allowed = {"RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256"}
        bad = [a for a in value if a not in allowed]
        if bad or not value:
            raise ValueError(f"only asymmetric JWT algorithms may be allowed, not {bad}")
        return value

    @model_validator(mode="after")
    def _clock_control_only_in_dev(self) -> Self:
        if self.clock_control and self.environment not in ("dev", "test"):
            raise ValueError("clock_control is for dev and test environments only")
        return self

    @cached_property
    def async_database_url(self) -> str:
        return to_async_url(self.database_url)

    @property
    def is_dev(self) -> bool:
        return self.environment in ("dev", "test")


def to_async_url(url: str) -> str:
    """`postgresql://…` and `postgres://…` → `postgresql+asyncpg://…` (SQLAlchemy dialect)."""
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    raise ValueError("DATABASE_URL must be a postgresql:// URL")
