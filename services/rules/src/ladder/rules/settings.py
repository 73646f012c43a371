"""Settings of the rules service (env prefix `LADDER_`)."""

from __future__ import annotations

from ladder.kit.settings import KitSettings

SCHEMA = "rules"


class Settings(KitSettings):
    service_name: str = "rules"
