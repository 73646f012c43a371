"""TOTP (RFC 6238, pyotp) and recovery codes.

The seed is 160 random bits (RFC 4226 §4's recommended length), sealed at rest
(`ladder.kit.sealing`). A code is accepted for the current 30-second step or one either
side (clock drift), and only for a step later than the last one accepted: a code is used once,
and an older one seen over a shoulder is no use. The caller stores the step it was given.

Recovery codes are 60 random bits each, shown once at enrolment, stored as SHA-256 of their
canonical form (`XXXX-XXXX-XXXX`, Crockford-like alphabet, case and dashes ignored on input)
and usable once.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime

import pyotp
from pyotp.exceptions import OTPVerificationError

from ladder.identity.secrets import digest

ISSUER = "Ladder"
SEAL_PURPOSE = "totp"
DRIFT_STEPS = 1
RECOVERY_CODES = 10
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud, typed from paper
_GROUP, _GROUPS = 4, 3
_CODE = re.compile(r"^[0-9]{6}$")


def new_seed() -> str:
    return pyotp.random_base32()


def provisioning_uri(seed: str, account: str) -> str:
    """The `otpauth://` URI an authenticator app reads (as a QR code)."""
    return pyotp.TOTP(seed).provisioning_uri(name=account, issuer_name=ISSUER)


def accepted_step(seed: str, code: str, at: datetime, last_step: int | None) -> int | None:
    """The time step `code` is the code of, if it is acceptable at `at`: within the drift
    window and after `last_step`. None otherwise."""
    code = "".join(code.split())
    if not _CODE.match(code):
        return None
    try:
        step = pyotp.TOTP(seed).verify_and_get_timecode(code, for_time=at, valid_window=DRIFT_STEPS)
    except OTPVerificationError:
        return None
    if last_step is not None and step <= last_step:
        return None
    return step


def new_recovery_codes(n: int = RECOVERY_CODES) -> list[str]:
    return [
        "-".join("".join(secrets.choice(_ALPHABET) for _ in range(_GROUP)) for _ in range(_GROUPS))
        for _ in range(n)
    ]


def canonical_recovery_code(typed: str) -> str | None:
    """`abcd efgh-jkmn` → `ABCD-EFGH-JKMN`; None when it cannot be a recovery code."""
    bare = re.sub(r"[\s-]", "", typed).upper()
    if len(bare) != _GROUP * _GROUPS or any(c not in _ALPHABET for c in bare):
        return None
    return "-".join(bare[i : i + _GROUP] for i in range(0, len(bare), _GROUP))


def recovery_code_hash(canonical: str) -> str:
    return digest(canonical)
