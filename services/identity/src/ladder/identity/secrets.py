"""High-entropy secrets Ladder generates (refresh tokens, client secrets, one-time links,
recovery codes) and how they are stored: SHA-256, compared in constant time by lookup of the
hash. Passwords, which people choose, are hashed with argon2id instead (`passwords`)."""

from __future__ import annotations

import hashlib
import secrets as _random


def new_token(nbytes: int = 32) -> str:
    return _random.token_urlsafe(nbytes)


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()
