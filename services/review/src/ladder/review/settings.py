"""Settings of the review service (env prefix `LADDER_`)."""

from __future__ import annotations

from ladder.kit.settings import KitSettings

SCHEMA = "review"


class Settings(KitSettings):
    service_name: str = "review"
    rules_url: str = "http://127.0.0.1:8002"
    declaration_url: str = "http://127.0.0.1:8001"
    # The cultivation sweeper (培育期届满, reminders): how often it looks, how much per batch.
    cultivation_sweep_seconds: float = 30.0
    cultivation_sweep_batch_size: int = 100
