"""The token endpoint for Ladder's own services (per-service secrets, hashes only in the
issuer's settings), discovery, and a signing-key rollover publishing two keys."""

from __future__ import annotations

import hashlib

import httpx
from jose import jwt

from ladder.identity.keys import KeyRing
from ladder.identity.main import create_app
from ladder.kit.auth import Role, TokenVerifier
from ladder.kit.tokens import generate_private_key_pem

SECRETS = {"declaration": "declaration-secret-0001", "review": "review-secret-0002"}


def _hashes() -> dict[str, str]:
    return {k: hashlib.sha256(v.encode()).hexdigest() for k, v in SECRETS.items()}


async def test_each_service_gets_a_service_token_with_its_own_secret(identity_settings):
    app = create_app(identity_settings(service_client_hashes=_hashes()))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://identity") as c:
            ok = await c.post(
                "/oauth/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": "declaration",
                    "client_secret": SECRETS["declaration"],
                },
            )
            assert ok.status_code == 200, ok.text
            claims = jwt.get_unverified_claims(ok.json()["access_token"])
            assert (claims["sub"], claims["role"]) == ("service:declaration", "service")
            assert "scope" not in claims  # a service is governed by its role
            verifier = TokenVerifier(
                jwks_url="http://identity/.well-known/jwks.json",
                issuer=app.state.settings.jwt_issuer,
                audience=app.state.settings.jwt_audience,
                algorithms=["RS256"],
                http=httpx.AsyncClient(transport=transport),
            )
            principal = await verifier.verify(ok.json()["access_token"])
            assert principal.role is Role.service and principal.scopes is None
            await verifier.aclose()

            # Another service's secret does not authenticate this one.
            crossed = await c.post(
                "/oauth/token",
                data={"grant_type": "client_credentials"},
                auth=("declaration", SECRETS["review"]),
            )
            assert crossed.status_code == 401
            assert crossed.json()["error"] == "invalid_client"
            unknown = await c.post(
                "/oauth/token",
                data={"grant_type": "client_credentials"},
                auth=("rules", "anything"),
            )
            assert unknown.status_code == 401


async def test_discovery_names_the_token_endpoint_and_the_key_set(client):
    got = await client.get("/.well-known/openid-configuration")
    assert got.status_code == 200
    doc = got.json()
    assert doc["token_endpoint"].endswith("/api/identity/oauth/token")
    assert doc["jwks_uri"].endswith("/api/identity/.well-known/jwks.json")
    assert doc["grant_types_supported"] == ["client_credentials"]
    assert set(doc["token_endpoint_auth_methods_supported"]) == {
        "client_secret_basic",
        "client_secret_post",
    }
    assert "review:write" in doc["scopes_supported"]
    assert (await client.get("/.well-known/oauth-authorization-server")).json() == doc


async def test_a_rollover_publishes_both_keys_and_the_newest_signs(identity_settings, tmp_path):
    """Adding a key file (named after the old one) and restarting: the JWKS has both; tokens of
    the old key still verify, new tokens are signed by the new one."""
    folder = tmp_path / "rollover"
    folder.mkdir()
    (folder / "2026-01-01.pem").write_bytes(generate_private_key_pem())
    settings = identity_settings(signing_keys_dir=folder, service_client_hashes=_hashes())
    old_ring = KeyRing.load(folder, create=False)
    old_token = old_ring.current.mint(
        {"sub": "service:declaration", "role": "service"},
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        ttl_seconds=600,
    )
    (folder / "2026-12-06.pem").write_bytes(generate_private_key_pem())
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://identity") as c:
            jwks = (await c.get("/.well-known/jwks.json")).json()
            kids = [k["kid"] for k in jwks["keys"]]
            assert len(kids) == 2 and old_ring.current.kid in kids
            fresh = await c.post(
                "/oauth/token",
                data={"grant_type": "client_credentials"},
                auth=("declaration", SECRETS["declaration"]),
            )
            new_kid = jwt.get_unverified_header(fresh.json()["access_token"])["kid"]
            assert new_kid != old_ring.current.kid and new_kid in kids
            verifier = TokenVerifier(
                jwks_url="http://identity/.well-known/jwks.json",
                issuer=settings.jwt_issuer,
                audience=settings.jwt_audience,
                algorithms=["RS256"],
                http=httpx.AsyncClient(transport=transport),
            )
            assert (await verifier.verify(old_token)).sub == "service:declaration"
            assert (await verifier.verify(fresh.json()["access_token"])).role is Role.service
            await verifier.aclose()
