"""Issuing tokens: service client credentials and dev tokens for the demo users."""

from __future__ import annotations

import hmac
import json
from functools import cache
from importlib import resources

from pydantic import TypeAdapter

from ladder.gateway.auth.schemas import DemoUser, TokenResponse
from ladder.gateway.errors import InvalidClient
from ladder.gateway.settings import GatewaySettings
from ladder.kit.auth import Role
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


def issue_service_token(
    key: SigningKey, settings: GatewaySettings, client_id: str, client_secret: str
) -> TokenResponse:
    """OAuth2 client credentials for a Ladder service; one answer for any wrong credential."""
    expected = settings.service_client_secret.get_secret_value().encode()
    secret_ok = hmac.compare_digest(client_secret.encode(), expected)
    if not (secret_ok and client_id in settings.service_clients):
        raise InvalidClient()
    claims = {"sub": f"service:{client_id}", "role": Role.service.value, "name": client_id}
    return _mint(key, settings, claims)


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
