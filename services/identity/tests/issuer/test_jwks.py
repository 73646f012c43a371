"""The JWKS publishes the keys of the key folder, and the service verifies what it signs."""

from __future__ import annotations

from ladder.identity.keys import KeyRing


async def test_jwks_publishes_the_signing_key(client, identity_app) -> None:
    resp = await client.get("/.well-known/jwks.json")
    assert resp.status_code == 200
    keys = resp.json()["keys"]
    ring: KeyRing = identity_app.state.keys
    assert [k["kid"] for k in keys] == [ring.current.kid]
    assert keys[0]["kty"] == "RSA" and "d" not in keys[0]


async def test_own_tokens_verify_in_process(identity_app) -> None:
    ring: KeyRing = identity_app.state.keys
    settings = identity_app.state.settings
    token = ring.current.mint(
        {"sub": "user:x", "role": "ministry"},
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
    )
    principal = await identity_app.state.verifier.verify(token)
    assert principal.role.value == "ministry"
