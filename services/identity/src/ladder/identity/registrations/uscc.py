"""统一社会信用代码 (unified social credit code, GB 32100-2015): 18 characters of the code's
alphabet, the last one a check character over the first 17 (§4.2 and Annex A).

Written here rather than taken from another package: the rule is short, and the identity
service accepts a registration on it alone (the enterprise's other facts live in the
declaration service)."""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, Z, S, V (GB 32100-2015 表 1)
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)  # 3^(i-1) mod 31
LENGTH = 18
_VALUE = {c: i for i, c in enumerate(ALPHABET)}


def check_character(first17: str) -> str:
    """The check character of the first 17 characters: C18 = 31 − (Σ Ci·Wi mod 31), 31 → 0."""
    if len(first17) != LENGTH - 1:
        raise ValueError("a USCC has 17 characters before its check character")
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    code = 31 - total % 31
    return ALPHABET[0 if code == 31 else code]


def problem(code: str) -> str | None:
    """Why `code` (already upper-cased) is not a USCC, or None when it is one."""
    if len(code) != LENGTH:
        return "length"
    if any(c not in _VALUE for c in code):
        return "alphabet"
    if not code[2:8].isdigit():
        return "region"  # characters 3–8: the registering authority's GB/T 2260 code
    if check_character(code[:-1]) != code[-1]:
        return "check_character"
    return None
