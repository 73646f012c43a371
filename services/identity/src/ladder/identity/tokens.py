"""What goes into an access token, and minting one. Claims (documented in the README):

`sub` (user:<id> | client:<id> | service:<name>), `role`, `name`, `org` (an enterprise's or SOE
group's USCC), `region` (the unit or the enterprise's county), `scope` (machine clients: the
space-separated scopes), `client_id`, `sid` (the sign-in's refresh family), `amr`, and
`iss`/`aud`/`iat`/`nbf`/`exp`/`jti`. A user's role, org and region come from the organisation."""

from __future__ import annotations

from typing import Any

from ladder.identity.accounts.models import User
from ladder.identity.keys import KeyRing
from ladder.identity.organisations.models import Organisation
from ladder.identity.settings import Settings


def org_claims(org: Organisation) -> dict[str, Any]:
    claims: dict[str, Any] = {"role": org.role}
    if org.uscc is not None:
        claims["org"] = org.uscc
    if org.region is not None:
        claims["region"] = org.region
    return claims


def user_claims(user: User, org: Organisation) -> dict[str, Any]:
    return {"sub": f"user:{user.id}", "name": user.display_name, **org_claims(org)}


def mint(keys: KeyRing, settings: Settings, claims: dict[str, Any], ttl_seconds: int) -> str:
    return keys.current.mint(
        claims,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        ttl_seconds=ttl_seconds,
    )
