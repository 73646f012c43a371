"""What the routes of every area read off a request: the service's settings, and the scope of
an Idempotency-Key sent without a token (registration, password reset)."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import Depends, Request

from ladder.identity.audit.record import client_ip
from ladder.identity.settings import Settings


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(settings_of)]


def anonymous_scope(request: Request, purpose: str) -> str:
    """The Idempotency-Key scope of a caller without a token: its address (the gateway's
    X-Forwarded-For, believed from the gateway only), hashed — so nobody elsewhere can squat a
    key or replay another's answer (which a replay would need the same body to get anyway)."""
    address = client_ip(request) or "unknown"
    return f"{purpose}:" + hashlib.sha256(address.encode()).hexdigest()[:32]
