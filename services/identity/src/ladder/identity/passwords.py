"""Passwords: argon2id through pwdlib, and the NIST SP 800-63B §3.1.1.2 rules — at least 8
characters (64 allowed, more refused as a denial-of-service guard), no composition rules, and
a check against a list of commonly used passwords (zxcvbn's list, the 30,000 most frequent in
leaked corpora, plus the names of this service), with the username and email refused too."""

from __future__ import annotations

import unicodedata
from functools import cache

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from ladder.kit.errors import ValidationFailed

MIN_LENGTH = 8
MAX_LENGTH = 128
_CONTEXT_WORDS = ("ladder", "smartfactory", "miit", "gongxinbu", "zhinenggongchang")


@cache
def hasher() -> PasswordHash:
    return PasswordHash((Argon2Hasher(),))  # argon2id, pwdlib's parameters (RFC 9106)


@cache
def common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(w.lower() for w in FREQUENCY_LISTS["passwords"]) | frozenset(_CONTEXT_WORDS)


def normalise(password: str) -> str:
    """NFKC (SP 800-63B: normalise before hashing, so the same password typed on another
    keyboard matches)."""
    return unicodedata.normalize("NFKC", password)


def problems(password: str, *, username: str = "", email: str = "") -> list[str]:
    """Why a new password is refused (empty when acceptable)."""
    pw = normalise(password)
    found: list[str] = []
    if len(pw) < MIN_LENGTH:
        found.append("too_short")
    if len(pw) > MAX_LENGTH:
        found.append("too_long")
    lowered = pw.lower()
    if lowered in common_passwords():
        found.append("common_password")
    context = {username.lower(), email.lower(), email.lower().split("@")[0]} - {""}
    if lowered in context:
        found.append("matches_account")
    return found


def check_new(password: str, *, username: str = "", email: str = "") -> None:
    bad = problems(password, username=username, email=email)
    if bad:
        raise ValidationFailed(
            "密码不符合要求：至少 8 个字符，且不能是常见密码或账号名",
            "The password is not acceptable: at least 8 characters, not a common password "
            "and not the account name",
            details={"field": "password", "problems": bad, "min_length": MIN_LENGTH},
        )


def hash_password(password: str) -> str:
    return hasher().hash(normalise(password))


def verify(password: str, stored: str | None) -> tuple[bool, str | None]:
    """(matches, a new hash when the stored one uses outdated parameters). Without a stored
    hash, a dummy verification still runs, so timing does not tell that the account lacks one."""
    if stored is None:
        hasher().verify(normalise(password), _dummy_hash())
        return False, None
    return hasher().verify_and_update(normalise(password), stored)


@cache
def _dummy_hash() -> str:
    return hasher().hash("not a password of anyone")
