"""Settings of the rules service (env prefix `LADDER_`)."""

from __future__ import annotations

from ladder.kit.settings import KitSettings

SCHEMA = "rules"


class Settings(KitSettings):
    service_name: str = "rules"
    # A batch evaluation carries up to 5,000 factories' facts (a few KiB each).
    max_body_bytes: int = 16 * 1024 * 1024
