"""Routes of the issuer. `issuer_router` (the JWKS of the gateway's key) is mounted when the
gateway holds a signing key; `dev_router` (demo users) only in dev/test, so production answers
404 there. Every other token — people's, machine clients', the services' own — comes from the
identity service's `/oauth/token` and `/v1/sessions` (issue 15): the gateway holds no client
secret."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from ladder.gateway.auth.schemas import DemoUser, DevTokenRequest, TokenResponse
from ladder.gateway.auth.service import demo_users, issue_demo_token
from ladder.gateway.errors import RateLimited
from ladder.gateway.ratelimit import limit_auth_rate
from ladder.gateway.settings import GatewaySettings
from ladder.kit.errors import NotFound, declare
from ladder.kit.tokens import SigningKey

issuer_router = APIRouter(tags=["auth"])
dev_router = APIRouter(prefix="/auth", tags=["auth (dev)"], dependencies=[Depends(limit_auth_rate)])

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}  # RFC 6749 §5.1


async def _signing_key(request: Request) -> SigningKey:
    return request.app.state.signing_key


async def _settings(request: Request) -> GatewaySettings:
    return request.app.state.settings


SigningKeyDep = Annotated[SigningKey, Depends(_signing_key)]
SettingsDep = Annotated[GatewaySettings, Depends(_settings)]


@issuer_router.get("/.well-known/jwks.json", summary="Public keys that verify our tokens")
async def jwks(key: SigningKeyDep, response: Response) -> dict[str, Any]:
    response.headers["Cache-Control"] = "public, max-age=300"
    return key.jwks()


@dev_router.get("/demo-users", summary="The seeded demo users (dev only)")
async def list_demo_users() -> list[DemoUser]:
    return list(demo_users().values())


@dev_router.post(
    "/dev-token",
    summary="A token for a demo user, by name (dev only)",
    responses=declare(NotFound, RateLimited),
)
async def dev_token(
    body: DevTokenRequest, key: SigningKeyDep, settings: SettingsDep, response: Response
) -> TokenResponse:
    response.headers.update(_NO_STORE)
    return issue_demo_token(key, settings, body.username)
