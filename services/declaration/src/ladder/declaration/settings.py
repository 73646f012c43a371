"""Settings of the declaration service (env prefix `LADDER_`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ladder.kit.settings import KitSettings

SCHEMA = "declaration"


class Settings(KitSettings):
    service_name: str = "declaration"
    rules_url: str = "http://127.0.0.1:8002"
    review_url: str = "http://127.0.0.1:8003"
    # How long a submission waits for the rules service before answering 503
    # `rules_unavailable` (its evaluation runs with no database connection held).
    rules_evaluation_timeout_seconds: float = 5.0
    # Where the public reaches this service (through the gateway): the QR code on a printed
    # 申报书 points at `<public_base_url>/public/v1/verifications/<fingerprint>`.
    public_base_url: str = "http://localhost:8000/api/declaration"
    # The body cap of the self-assessment import route only (a CSV of ~350,000 rows at the
    # ~180 bytes a row takes); the file is spooled to a temporary file and read row by row.
    import_max_body_bytes: int = 64 * 1024 * 1024


async def _settings(request: Request) -> Settings:
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(_settings)]
"""This process's settings, for routes that need one (the rules' wait, the public address)."""
