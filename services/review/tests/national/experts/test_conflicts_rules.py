"""Conflicts of interest as pure functions: each type, on both sides."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from ladder.review.national.data import national
from ladder.review.national.experts.conflicts import conflicts_of, normalise

CASE_USCC = "91350100M000100Y43"
GROUP = "91110000M000900X12"
OTHER = "91440100M000300Y43"


@dataclass
class Expert:
    organisation_uscc: str | None = None
    group_uscc: str | None = None
    region_code: str = "110108"
    integrators: list[str] = field(default_factory=list)
    declared_conflicts: list[str] = field(default_factory=list)


@dataclass
class Case:
    enterprise_uscc: str = CASE_USCC
    central_soe_group: str | None = None
    region_code: str = "350102"
    details: dict[str, Any] = field(default_factory=lambda: {"integrators": ["华数智能"]})


def _codes(expert: Expert, case: Case | None = None, rules=None) -> list[str]:
    return [c.code for c in conflicts_of(expert, case or Case(), rules)]


def test_an_unrelated_expert_has_none():
    assert _codes(Expert()) == []


@pytest.mark.parametrize(
    ("expert", "case", "expected"),
    [
        (Expert(organisation_uscc=CASE_USCC), Case(), ["same_enterprise"]),
        (Expert(organisation_uscc=OTHER), Case(), []),
        (Expert(group_uscc=GROUP), Case(central_soe_group=GROUP), ["same_group"]),
        (Expert(organisation_uscc=GROUP), Case(central_soe_group=GROUP), ["same_group"]),
        (Expert(group_uscc=GROUP), Case(central_soe_group=None), []),
        (Expert(group_uscc=OTHER), Case(central_soe_group=GROUP), []),
        (Expert(region_code="350203"), Case(), ["same_region"]),  # Xiamen, same province
        (Expert(region_code="330102"), Case(), []),  # Hangzhou
        (
            Expert(integrators=["Ｈｕａｓｈｕ  Smart "]),
            Case(details={"integrators": ["huashu smart"]}),
            ["integrator_link"],
        ),
        (Expert(integrators=["华数智能"]), Case(), ["integrator_link"]),
        (Expert(integrators=["华数"]), Case(), []),
        (Expert(integrators=["华数智能"]), Case(details={}), []),
        (Expert(declared_conflicts=[CASE_USCC]), Case(), ["declared"]),
        (Expert(declared_conflicts=[OTHER]), Case(), []),
    ],
)
def test_each_type_conflicts_or_not(expert, case, expected):
    assert _codes(expert, case) == expected


def test_evidence_and_messages_come_with_each_conflict():
    (found,) = conflicts_of(Expert(integrators=["华数智能"]), Case())
    assert found.evidence == {"integrators": ["华数智能"]}
    assert found.message and found.message_en


def test_same_region_reach_is_configurable():
    city = national().conflicts.model_copy(update={"same_region_level": "city"})
    assert _codes(Expert(region_code="350203"), rules=city) == []  # Xiamen is another city
    assert _codes(Expert(region_code="350111"), rules=city) == ["same_region"]  # Fuzhou


def test_only_the_types_in_the_data_are_checked():
    rules = national().conflicts
    only_declared = rules.model_copy(
        update={"types": tuple(t for t in rules.types if t.code == "declared")}
    )
    expert = Expert(organisation_uscc=CASE_USCC, declared_conflicts=[CASE_USCC])
    assert _codes(expert, rules=only_declared) == ["declared"]
    assert _codes(expert) == ["same_enterprise", "declared"]


def test_normalise_folds_width_space_and_case():
    assert normalise("  Ａｃｍｅ　 智能 ") == normalise("acme 智能") == "acme 智能"
