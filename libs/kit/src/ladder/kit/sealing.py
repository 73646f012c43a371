"""Sealing values that must be read back (identity's TOTP seeds, review's webhook signing
secrets): Fernet with a key derived per purpose from `LADDER_SEALING_SECRET`, so a reader of
the database or a backup learns nothing."""

from __future__ import annotations

import base64
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


@cache
def _fernet(secret: str, purpose: str) -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=f"ladder {purpose}".encode()
    ).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret: str, purpose: str, value: str) -> str:
    return _fernet(secret, purpose).encrypt(value.encode()).decode()


def unseal(secret: str, purpose: str, sealed: str) -> str | None:
    try:
        return _fernet(secret, purpose).decrypt(sealed.encode()).decode()
    except InvalidToken:
        return None
