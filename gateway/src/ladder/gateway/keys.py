"""The signing key the gateway issues tokens with, and the verifier it checks tokens with.

The gateway verifies with the same kit `TokenVerifier` every service uses. When it is the
issuer, the verifier reads our own key set in-process (no HTTP round trip to ourselves); with
`external_jwks_url` it fetches the external issuer's key set like any service does.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import httpx

from ladder.gateway.settings import GatewaySettings
from ladder.kit.auth import TokenVerifier
from ladder.kit.tokens import SigningKey, generate_private_key_pem

log = logging.getLogger("ladder.gateway.keys")


class SigningKeyMissing(RuntimeError):
    pass


def load_signing_key(settings: GatewaySettings) -> SigningKey | None:
    """Our signing key, or None when an external issuer issues every token."""
    path = settings.jwt_private_key_file
    if path is None:
        return None
    if not path.exists():
        if not settings.is_dev:
            raise SigningKeyMissing(
                f"signing key {path} does not exist (production never makes one)"
            )
        _write_new_key(path)
    return SigningKey.from_file(path)


def _write_new_key(path: Path) -> None:
    """Write a fresh key readable by the owner only; the first of racing workers wins."""
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(generate_private_key_pem())
    os.chmod(scratch, 0o600)  # whatever the umask was
    try:
        os.link(scratch, path)  # atomic and never overwrites a key another worker wrote
        log.warning("generated a new dev signing key at %s", path)
    except FileExistsError:
        pass
    finally:
        scratch.unlink()


class _OwnKeySet(httpx.AsyncBaseTransport):
    """Answers the verifier's JWKS fetch with our own public key set, in-process."""

    def __init__(self, key: SigningKey) -> None:
        self._jwks = key.jwks()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=self._jwks, request=request)


def make_verifier(
    settings: GatewaySettings, signing_key: SigningKey | None
) -> tuple[TokenVerifier, httpx.AsyncClient]:
    """The verifier, and the HTTP client it fetches key sets with (the readiness probe uses it)."""
    if settings.external_jwks_url is not None:
        jwks_url = settings.external_jwks_url
        http = httpx.AsyncClient(timeout=httpx.Timeout(5.0, connect=2.0))
    elif signing_key is not None:
        jwks_url = "http://gateway.internal/.well-known/jwks.json"  # served by _OwnKeySet
        http = httpx.AsyncClient(transport=_OwnKeySet(signing_key))
    else:  # GatewaySettings refuses this combination
        raise SigningKeyMissing("neither a signing key nor an external JWKS URL is configured")
    verifier = TokenVerifier(
        jwks_url=jwks_url,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        algorithms=settings.jwt_algorithms,
        max_token_bytes=settings.jwt_max_token_bytes,
        leeway_seconds=settings.jwt_leeway_seconds,
        cache_seconds=settings.jwks_cache_seconds,
        http=http,
        claim_map=settings.jwt_claim_map,
    )
    return verifier, http
