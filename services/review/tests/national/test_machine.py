"""The national states of the case machine: each guard refuses with its own error and leaves
the status where it was."""

from __future__ import annotations

import pytest

from ladder.kit.errors import LadderError
from ladder.review.cases.machine import NATIONAL_STATUSES, CaseMachine


class _Case:
    def __init__(self, status: str) -> None:
        self.status = status


def _send(status: str, event: str, **facts) -> str:
    case = _Case(status)
    CaseMachine(case, state_field="status").send(event, **facts)
    return case.status


def _refused(status: str, event: str, **facts) -> str:
    case = _Case(status)
    with pytest.raises(LadderError) as caught:
        CaseMachine(case, state_field="status").send(event, **facts)
    assert case.status == status  # nothing changed
    return caught.value.code


def test_recommended_is_no_longer_final_and_the_national_ends_are():
    finals = {s.value for s in CaseMachine.states if s.final}
    assert "recommended" not in finals
    assert {"formal_check_failed", "not_selected", "withdrawn", "published"} <= finals
    assert {"selected", "in_publicity", "in_expert_review"} <= NATIONAL_STATUSES


def test_formal_check_passes_to_the_expert_review_or_fails_with_reasons():
    assert _send("recommended", "pass_formal_check") == "in_expert_review"
    assert _send("recommended", "fail_formal_check", reasons="材料不全") == "formal_check_failed"
    assert _refused("recommended", "fail_formal_check", reasons=" ") == "reasons_required"


ONLY_PILOT = frozenset({"pilot"})
BOTH = frozenset({"pilot", "excellence"})


@pytest.mark.parametrize(
    ("tier", "onsite_tiers", "outcome"),
    [
        ("pilot", ONLY_PILOT, None),
        ("excellence", ONLY_PILOT, "onsite_not_for_tier"),
        ("excellence", BOTH, None),
        ("advanced", BOTH, "onsite_not_for_tier"),
    ],
)
def test_onsite_verification_is_for_the_tiers_the_edition_names(tier, onsite_tiers, outcome):
    facts = {"tier": tier, "onsite_tiers": onsite_tiers}
    if outcome is None:
        assert _send("in_expert_review", "schedule_onsite", **facts) == "onsite_verification"
    else:
        assert _refused("in_expert_review", "schedule_onsite", **facts) == outcome


def test_pilot_cases_are_verified_onsite_before_selection():
    facts = {"assigned": 5, "unscored": ()}
    assert _refused("in_expert_review", "select", tier="pilot", **facts) == (
        "onsite_verification_required"
    )
    assert _send("in_expert_review", "select", tier="excellence", **facts) == "selected"


@pytest.mark.parametrize(
    ("assigned", "unscored", "ok"), [(3, (), True), (0, (), False), (3, ("e1",), False)]
)
def test_scores_complete(assigned, unscored, ok):
    facts = {"tier": "excellence", "assigned": assigned, "unscored": unscored}
    if ok:
        assert _send("in_expert_review", "select", **facts) == "selected"
    else:
        assert _refused("in_expert_review", "select", **facts) == "scores_incomplete"


@pytest.mark.parametrize(
    ("unrecorded", "conclusion", "ok"),
    [((), "属实", True), (("kpi-1",), "属实", False), ((), None, False), ((), "  ", False)],
)
def test_onsite_findings_recorded(unrecorded, conclusion, ok):
    facts = {"tier": "pilot", "assigned": 5, "unscored": ()}
    facts |= {"unrecorded": unrecorded, "conclusion": conclusion}
    if ok:
        assert _send("onsite_verification", "select", **facts) == "selected"
    else:
        assert _refused("onsite_verification", "select", **facts) == "onsite_findings_missing"


@pytest.mark.parametrize("status", ["in_expert_review", "onsite_verification"])
def test_reject_needs_reasons(status):
    assert _send(status, "reject", reasons="评分较低") == "not_selected"
    assert _refused(status, "reject") == "reasons_required"


def test_publicity_moves():
    assert _send("selected", "announce") == "in_publicity"
    assert _send("in_publicity", "publish") == "published"
    assert _send("in_publicity", "withdraw", reasons="异议成立") == "withdrawn"
    assert _refused("in_publicity", "withdraw") == "reasons_required"


@pytest.mark.parametrize(
    ("status", "event"),
    [
        ("awaiting_recommendation", "pass_formal_check"),
        ("recommended", "select"),
        ("selected", "publish"),
        ("published", "withdraw"),
        ("not_selected", "announce"),
        ("onsite_verification", "schedule_onsite"),
    ],
)
def test_moves_from_the_wrong_status_are_not_allowed(status, event):
    from statemachine.exceptions import TransitionNotAllowed

    case = _Case(status)
    with pytest.raises(TransitionNotAllowed):
        CaseMachine(case, state_field="status").send(event, tier="pilot", reasons="r")
    assert case.status == status
