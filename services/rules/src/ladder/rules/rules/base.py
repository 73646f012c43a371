"""What every rule takes and gives: the context and facts of a factory in, one finding out.

Each rule module has a `build(ctx)` that reads the rule's numbers and clause from the edition
or overlay data and returns `RuleSpec`s: the rule's id, clause and severity, and a `check`
closure from facts to a finding. A rule that does not apply to the tier or edition is simply
not built. So the law lives in the data files, the code only says how to compare, and the
strings every finding repeats are composed once per (edition, tier) rather than per
evaluation. Findings are slotted dataclasses rather than pydantic models: a batch of
thousands of evaluations builds tens of thousands of them, always from trusted code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypedDict

from ladder.rules.editions.models import Edition, TierRequirements
from ladder.rules.evaluations.facts import FactsIn
from ladder.rules.overlays.models import Overlay
from ladder.rules.vocabulary import Severity, Status, Tier


@dataclass(frozen=True, slots=True)
class Context:
    """Which edition, tier and local overlays an evaluation runs under."""

    edition: Edition
    tier: Tier
    overlays: tuple[Overlay, ...] = ()
    jurisdiction: str | None = None  # the recommending unit the overlays were chosen for

    @property
    def requirements(self) -> TierRequirements:
        return self.edition.tiers[self.tier]


@dataclass(frozen=True, slots=True)
class Facts:
    """The facts of a factory, already checked against the edition's catalogues.

    `given` is the validated input; the rest is derived once so that rules stay cheap.
    """

    given: FactsIn
    segments: frozenset[str]  # 要素条件 segments covered, declared or via a declared scene
    scene_count: int
    ai_scene_count: int

    @property
    def cmmm_level(self) -> int:
        return self.given.cmmm_level


class Finding(TypedDict):
    """The outcome of one rule for one factory, with the clause it enforces (the wire shape:
    a batch of thousands of evaluations builds tens of thousands of these, so they are built
    as plain dicts once, not as objects converted later)."""

    rule_id: str  # stable id of the rule, e.g. cmmm.level
    edition: str
    clause: str  # e.g. 要素条件(2025) 四(二)1
    severity: Severity
    status: Status
    passed: bool
    expected: Any
    actual: Any
    field: str | None  # the fact the finding is about, e.g. facts.kpis.ai_scene_share
    overlay: str | None  # the local overlay the rule comes from
    message: str
    message_en: str


_PASSED = Status.passed

Check = Callable[[Facts], Finding | None]  # None: nothing to judge in these facts


@dataclass(frozen=True, slots=True)
class Emit:
    """Builds the findings of one rule: what is fixed per rule is bound once."""

    rule_id: str
    edition: str
    clause: str
    severity: Severity
    overlay: str | None = None

    def __call__(
        self,
        status: Status,
        message: str,
        message_en: str,
        *,
        expected: Any = None,
        actual: Any = None,
        field: str | None = None,
    ) -> Finding:
        return {
            "rule_id": self.rule_id,
            "edition": self.edition,
            "clause": self.clause,
            "severity": self.severity,
            "status": status,
            "passed": status is _PASSED,
            "expected": expected,
            "actual": actual,
            "field": field,
            "overlay": self.overlay,
            "message": message,
            "message_en": message_en,
        }

    def constant(
        self,
        status: Status,
        message: str,
        message_en: str,
        *,
        expected: Any = None,
        actual: Any = None,
        field: str | None = None,
    ) -> Callable[[], Finding]:
        """A finding that does not depend on the facts, built once: each call returns a copy.

        Most findings of an eligible factory are such (`basic.scale` passed, …), and a batch
        builds tens of thousands of them.
        """
        template = self(status, message, message_en, expected=expected, actual=actual, field=field)
        return template.copy  # type: ignore[return-value]

    def missing(self, field: str, what: str, what_en: str, *, expected: Any = None) -> Finding:
        """The finding when the facts the rule needs were not given."""
        return self(
            Status.not_provided,
            f"未填报{what}，无法判断是否符合要求",
            f"{what_en} not provided; the requirement cannot be checked",
            expected=expected,
            field=field,
        )


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """One rule as built for an (edition, tier, overlays): its identity and its check."""

    rule_id: str
    clause: str
    severity: Severity
    text: str  # the words of the clause it enforces
    check: Check
    overlay: str | None = None

    def describe(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "clause": self.clause,
            "severity": self.severity,
            "text": self.text,
            "overlay": self.overlay,
        }


_ZH_LEVEL = {1: "一级", 2: "二级", 3: "三级", 4: "四级", 5: "五级"}


def zh_level(level: int) -> str:
    """A CMMM level as the notices write it (三级)."""
    return _ZH_LEVEL.get(level, f"{level}级")


def attested(values: Mapping[str, bool] | None, key: str) -> bool | None:
    """An attestation's value: True, False, or None when the applicant has not answered."""
    if values is None:
        return None
    return values.get(key)
