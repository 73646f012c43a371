"""The USCC check character (GB 32100-2015): the demo enterprises' codes pass, one changed
character fails, and the rule agrees with python-stdnum's over random codes."""

from __future__ import annotations

import random

import pytest

from ladder.identity.registrations.uscc import ALPHABET, check_character, problem

KNOWN = ["91350102MA2Y00001E", "91110000100000007F", "91310115MA1H000024", "91350105MA2Y000030"]


@pytest.mark.parametrize("code", KNOWN)
def test_known_codes_pass(code: str) -> None:
    assert problem(code) is None


def test_a_changed_check_character_fails() -> None:
    code = KNOWN[0]
    wrong = code[:-1] + ("F" if code[-1] != "F" else "G")
    assert problem(wrong) == "check_character"


def test_code_31_is_written_0() -> None:
    """31 − (Σ mod 31) is 31 when the sum is a multiple of 31: the check character is 0."""
    assert check_character("0" * 17) == "0"


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("91350102MA2Y0001E", "length"),
        ("91350102MA2Y0000IE", "alphabet"),  # no I
        ("91A50102MA2Y00001E", "region"),
    ],
)
def test_other_problems(code: str, why: str) -> None:
    assert problem(code) == why


def test_agrees_with_stdnum() -> None:
    stdnum = pytest.importorskip("stdnum.cn.uscc")
    rng = random.Random(32100)
    for _ in range(2000):
        first17 = "".join(rng.choice(ALPHABET) for _ in range(17))
        assert check_character(first17) == stdnum.calc_check_digit(first17)
