"""Settings of the review service (env prefix `LADDER_`)."""

from __future__ import annotations

from pydantic import Field, SecretStr, model_validator

from ladder.kit.settings import KitSettings

SCHEMA = "review"
DEV_SEALING_SECRET = "ladder-dev-only-webhook-sealing-key"  # noqa: S105  (dev and test only)


class Settings(KitSettings):
    service_name: str = "review"
    rules_url: str = "http://127.0.0.1:8002"
    declaration_url: str = "http://127.0.0.1:8001"
    # The cultivation sweeper (培育期届满, reminders): how often it looks, how much per batch.
    cultivation_sweep_seconds: float = 30.0
    cultivation_sweep_batch_size: int = 100
    # Webhooks to other platforms (issue 16): the key that seals their signing secrets (in
    # production required, at least 32 characters; dev and test fall back to a fixed one), the
    # retry schedule (exponential with jitter, capped), and after how many tries a delivery
    # is dead-lettered (~1 day of tries at the cap by default).
    sealing_secret: SecretStr = SecretStr("")
    webhook_max_attempts: int = Field(default=30, ge=1, le=1000)
    webhook_max_backoff_seconds: float = Field(default=3600.0, ge=0.0, le=86400.0)
    webhook_subscriptions_per_client: int = Field(default=20, ge=1, le=1000)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0.0, le=60.0)

    @model_validator(mode="after")
    def _sealing_secret_in_production(self) -> Settings:
        if not self.is_dev and len(self.sealing_secret.get_secret_value()) < 32:
            raise ValueError("LADDER_SEALING_SECRET (≥ 32 characters) is required in production")
        return self

    def webhook_sealing_key(self) -> str:
        return self.sealing_secret.get_secret_value() or DEV_SEALING_SECRET
