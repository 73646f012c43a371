"""Signing side of the tokens: RSA keys, the JWKS document, and token minting.

Used by the gateway (the dev issuer) and by tests. Production may replace the issuer with an
external one; the services only ever need its JWKS URL.
"""

from __future__ import annotations

import base64
import hashlib
import time
import uuid
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jose import jwt


def _b64(n: int) -> str:
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def generate_private_key_pem(bits: int = 2048) -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


class SigningKey:
    """An RS256 key with a stable key id (a hash of its public part)."""

    algorithm = "RS256"

    def __init__(self, private_pem: bytes) -> None:
        self._pem = private_pem
        key = serialization.load_pem_private_key(private_pem, password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError("the signing key must be an RSA private key")
        public = key.public_key().public_numbers()
        self._public_jwk = {
            "kty": "RSA",
            "use": "sig",
            "alg": self.algorithm,
            "n": _b64(public.n),
            "e": _b64(public.e),
        }
        digest = hashlib.sha256(f"{public.n}:{public.e}".encode()).hexdigest()
        self.kid = digest[:16]
        self._public_jwk["kid"] = self.kid

    @classmethod
    def from_file(cls, path: Path) -> SigningKey:
        return cls(path.read_bytes())

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(generate_private_key_pem())

    def public_jwk(self) -> dict[str, Any]:
        return dict(self._public_jwk)

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.public_jwk()]}

    def mint(
        self,
        claims: dict[str, Any],
        *,
        issuer: str,
        audience: str,
        ttl_seconds: int = 3600,
        now: float | None = None,
    ) -> str:
        issued = int(now if now is not None else time.time())
        body = {
            "iss": issuer,
            "aud": audience,
            "iat": issued,
            "nbf": issued,
            "exp": issued + ttl_seconds,
            "jti": uuid.uuid4().hex,
            **claims,
        }
        return jwt.encode(
            body, self._pem.decode(), algorithm=self.algorithm, headers={"kid": self.kid}
        )
