"""Defence in depth: the gateway refuses bad tokens before anything reaches a service."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicNumbers
from jose import jwt

from ladder.kit.tokens import SigningKey, generate_private_key_pem

PRIVATE_PATH = "/api/declaration/v1/declarations"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(**overrides: object) -> dict[str, object]:
    now = int(time.time())
    claims = {
        "iss": "ladder-gateway",
        "aud": "ladder",
        "sub": "demo:ministry",
        "role": "ministry",
        "iat": now,
        "exp": now + 600,
    }
    claims.update(overrides)
    return claims


def _unsigned(header: dict[str, object], claims: dict[str, object], signature: bytes) -> str:
    head = _b64(json.dumps(header).encode())
    body = _b64(json.dumps(claims).encode())
    return f"{head}.{body}.{_b64(signature)}"


def forged_with_another_key(key: SigningKey) -> str:
    """Signed by an attacker's key but naming our key id."""
    return jwt.encode(
        _claims(), generate_private_key_pem().decode(), algorithm="RS256", headers={"kid": key.kid}
    )


def expired(key: SigningKey) -> str:
    return key.mint(
        {"sub": "demo:ministry", "role": "ministry"},
        issuer="ladder-gateway",
        audience="ladder",
        now=time.time() - 7200,
    )


def alg_none(key: SigningKey) -> str:
    return _unsigned({"alg": "none", "typ": "JWT", "kid": key.kid}, _claims(), b"")


def hs256_with_public_key_as_secret(key: SigningKey) -> str:
    """The classic key-confusion attack: HMAC keyed with the published public key."""
    jwk = key.public_jwk()
    n = int.from_bytes(base64.urlsafe_b64decode(jwk["n"] + "=="), "big")
    e = int.from_bytes(base64.urlsafe_b64decode(jwk["e"] + "=="), "big")
    public_pem = (
        RSAPublicNumbers(e, n)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    header = {"alg": "HS256", "typ": "JWT", "kid": key.kid}
    head = _b64(json.dumps(header).encode())
    body = _b64(json.dumps(_claims()).encode())
    signature = hmac.new(public_pem, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{_b64(signature)}"


def oversized(key: SigningKey) -> str:
    return key.mint(
        {"sub": "demo:ministry", "role": "ministry", "padding": "x" * 10_000},
        issuer="ladder-gateway",
        audience="ladder",
    )


def wrong_audience(key: SigningKey) -> str:
    return key.mint({"sub": "x", "role": "ministry"}, issuer="ladder-gateway", audience="other")


def wrong_issuer(key: SigningKey) -> str:
    return key.mint({"sub": "x", "role": "ministry"}, issuer="someone-else", audience="ladder")


def unknown_role(key: SigningKey) -> str:
    return key.mint({"sub": "x", "role": "root"}, issuer="ladder-gateway", audience="ladder")


@pytest.mark.parametrize(
    ("make_token", "reason"),
    [
        (forged_with_another_key, "signature"),
        (expired, "expired"),
        (alg_none, "algorithm_not_allowed"),
        (hs256_with_public_key_as_secret, "algorithm_not_allowed"),
        (oversized, "token_too_large"),
        (wrong_audience, "claims"),
        (wrong_issuer, "claims"),
        (unknown_role, "claims"),
        (lambda _key: "not-a-jwt", "malformed"),
    ],
    ids=lambda v: getattr(v, "__name__", v),
)
async def test_bad_tokens_are_refused_before_the_service(gateway, make_token, reason):
    token = make_token(gateway.app.state.signing_key)

    resp = await gateway.client.get(PRIVATE_PATH, headers={"Authorization": f"Bearer {token}"})

    assert resp.status_code == 401
    error = resp.json()["error"]
    assert error["code"] == "unauthenticated"
    assert error["details"]["reason"] == reason
    assert resp.headers["www-authenticate"].startswith("Bearer")
    assert gateway.seen("declaration") == []


async def test_a_bad_token_is_refused_on_a_public_path_too(gateway):
    resp = await gateway.client.get(
        "/api/review/public/announcements", headers={"Authorization": "Bearer not-a-jwt"}
    )

    assert resp.status_code == 401
    assert gateway.seen("review") == []


async def test_a_non_bearer_authorization_header_is_refused(gateway):
    resp = await gateway.client.get(PRIVATE_PATH, headers={"Authorization": "Basic dXNlcjpwdw=="})

    assert resp.status_code == 401
    assert resp.json()["error"]["details"]["reason"] == "malformed_header"


async def test_a_good_token_passes(gateway):
    resp = await gateway.client.get(PRIVATE_PATH, headers=await gateway.bearer("ministry"))

    assert resp.status_code == 200
    assert len(gateway.seen("declaration")) == 1
