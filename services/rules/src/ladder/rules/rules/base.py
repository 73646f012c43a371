"""What every rule takes and gives: the facts of a factory in, one finding out.

A rule is a plain function `(edition, tier, facts) -> Finding | None` (None: the rule does
not apply to that edition or tier). It reads its numbers and its clause from the edition, so
the law lives in the data files and the code only says how to compare.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from ladder.rules.editions.catalogue import Edition
from ladder.rules.vocabulary import Severity, Tier


@dataclass(frozen=True)
class Facts:
    """What is known about the factory being evaluated (already checked against the edition)."""

    cmmm_level: int
    segments: frozenset[str]


class Finding(BaseModel):
    """The outcome of one rule for one factory, with the clause it enforces."""

    model_config = ConfigDict(frozen=True)

    rule_id: str = Field(description="stable id of the rule, e.g. cmmm.level")
    edition: str
    clause: str = Field(description="the clause the rule implements, e.g. 要素条件(2025) 一5")
    severity: Severity
    passed: bool
    expected: JsonValue = None
    actual: JsonValue = None
    message: str
    message_en: str


Rule = Callable[[Edition, Tier, Facts], Finding | None]

_ZH_LEVEL = {1: "一级", 2: "二级", 3: "三级", 4: "四级", 5: "五级"}


def zh_level(level: int) -> str:
    """A CMMM level as the notices write it (三级)."""
    return _ZH_LEVEL.get(level, f"{level}级")
