"""Issuing dev tokens for the demo users (dev and test only)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from pydantic import TypeAdapter

from ladder.gateway.auth.schemas import DemoUser, TokenResponse
from ladder.gateway.settings import GatewaySettings
from ladder.kit.errors import NotFound
from ladder.kit.tokens import SigningKey


@cache
def demo_users() -> dict[str, DemoUser]:
    """The seeded demo users by username (`demo_users.json` beside this module)."""
    raw = json.loads(resources.files(__package__).joinpath("demo_users.json").read_text("utf-8"))
    users = TypeAdapter(list[DemoUser]).validate_python(raw)
    return {u.username: u for u in users}


def _mint(key: SigningKey, settings: GatewaySettings, claims: dict[str, str]) -> TokenResponse:
    token = key.mint(
        claims,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        ttl_seconds=settings.token_ttl_seconds,
    )
    return TokenResponse(access_token=token, expires_in=settings.token_ttl_seconds)


def issue_demo_token(key: SigningKey, settings: GatewaySettings, username: str) -> TokenResponse:
    user = demo_users().get(username)
    if user is None:
        raise NotFound("没有该示范用户", "No such demo user", details={"username": username})
    claims = {"sub": user.sub, "role": user.role.value, "name": user.name}
    if user.org is not None:
        claims["org"] = user.org
    if user.region is not None:
        claims["region"] = user.region
    return _mint(key, settings, claims)
