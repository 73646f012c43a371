"""The issuer's public documents: the JWKS (every published key) and OIDC discovery."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from ladder.identity.keys import KeyRing

router = APIRouter(tags=["issuer"])


def keyring(request: Request) -> KeyRing:
    return request.app.state.keys


@router.get("/.well-known/jwks.json", summary="Public keys that verify Ladder's tokens")
async def jwks(request: Request, response: Response) -> dict[str, Any]:
    response.headers["Cache-Control"] = "public, max-age=300"
    return keyring(request).jwks()
