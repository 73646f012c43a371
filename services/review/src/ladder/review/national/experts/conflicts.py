"""Conflicts of interest (回避) between an expert and a case: pure functions.

Each type in `national.yaml` (`conflicts.types`: code and messages) has one check here, keyed by
its code; the data says which types are in force and how far `same_region` reaches. A check
answers the evidence (which fields matched) or None."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from ladder.review.national.data import Conflicts, national


class ExpertFacts(Protocol):
    organisation_uscc: str | None
    group_uscc: str | None
    region_code: str
    integrators: Sequence[str]
    declared_conflicts: Sequence[str]


class CaseFacts(Protocol):
    enterprise_uscc: str
    central_soe_group: str | None
    region_code: str
    details: Mapping[str, Any]


@dataclass(frozen=True)
class Conflict:
    code: str
    message: str
    message_en: str
    evidence: dict[str, Any] = field(default_factory=dict)


Evidence = dict[str, Any] | None


Check = Callable[[ExpertFacts, CaseFacts, Conflicts], Evidence]


# GB/T 2260: the first two digits name the province, the first four the city.
_REGION_DIGITS = {"province": 2, "city": 4}


def normalise(name: str) -> str:
    """How integrator names are compared: NFKC (full-width → half-width), whitespace collapsed,
    case folded. `Ａｃｍｅ　智能 ` and `acme 智能` are the same integrator."""
    return " ".join(unicodedata.normalize("NFKC", name).split()).casefold()


def _same_enterprise(expert: ExpertFacts, case: CaseFacts, _: Conflicts) -> Evidence:
    if expert.organisation_uscc and expert.organisation_uscc == case.enterprise_uscc:
        return {"organisation_uscc": expert.organisation_uscc}
    return None


def _same_group(expert: ExpertFacts, case: CaseFacts, _: Conflicts) -> Evidence:
    group = case.central_soe_group
    if not group:
        return None
    if expert.group_uscc == group:
        return {"group_uscc": group}
    if expert.organisation_uscc == group:
        return {"organisation_uscc": group}
    return None


def _same_region(expert: ExpertFacts, case: CaseFacts, rules: Conflicts) -> Evidence:
    digits = _REGION_DIGITS[rules.same_region_level]
    if expert.region_code[:digits] == case.region_code[:digits]:
        return {
            "level": rules.same_region_level,
            "expert_region": expert.region_code,
            "case_region": case.region_code,
        }
    return None


def _integrator_link(expert: ExpertFacts, case: CaseFacts, _: Conflicts) -> Evidence:
    declared = {normalise(n): n for n in case.details.get("integrators") or []}
    matched = sorted(n for n in expert.integrators if normalise(n) in declared)
    return {"integrators": matched} if matched else None


def _declared(expert: ExpertFacts, case: CaseFacts, _: Conflicts) -> Evidence:
    if case.enterprise_uscc in expert.declared_conflicts:
        return {"enterprise_uscc": case.enterprise_uscc}
    return None


CHECKS: dict[str, Check] = {
    "same_enterprise": _same_enterprise,
    "same_group": _same_group,
    "same_region": _same_region,
    "integrator_link": _integrator_link,
    "declared": _declared,
}


def conflicts_of(
    expert: ExpertFacts, case: CaseFacts, rules: Conflicts | None = None
) -> list[Conflict]:
    """Every conflict in force between the expert and the case, in the data's order."""
    rules = rules or national().conflicts
    found = []
    for kind in rules.types:
        evidence = CHECKS[kind.code](expert, case, rules)
        if evidence is not None:
            found.append(Conflict(kind.code, kind.message, kind.message_en, evidence))
    return found


def conflicts_by_expert(
    experts: Iterable[tuple[str, ExpertFacts]], case: CaseFacts
) -> dict[str, list[Conflict]]:
    """`{expert id: conflicts}` for the experts that have any."""
    found = {key: conflicts_of(e, case) for key, e in experts}
    return {key: c for key, c in found.items() if c}
