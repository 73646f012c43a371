"""The case state machine and its generated diagram."""

from __future__ import annotations

from ladder.review.cases.machine import (
    DIAGRAM_PATH,
    INITIAL_STATUS,
    CaseMachine,
    CaseStatus,
    diagram_markdown,
)


class _Case:
    status: str | None = None


def test_a_new_case_awaits_initial_review():
    case = _Case()
    CaseMachine(case, state_field="status")
    assert case.status == INITIAL_STATUS == "awaiting_initial_review"
    assert {
        "awaiting_initial_review",
        "awaiting_recommendation",
        "returned_for_revision",
        "not_recommended",
        "recommended",
        "recognised",
    } <= {s.value for s in CaseStatus}


def test_resubmission_returns_to_initial_review():
    case = _Case()
    case.status = "awaiting_initial_review"
    CaseMachine(case, state_field="status").send("resubmit")
    assert case.status == "awaiting_initial_review"


def test_diagram_in_docs_is_generated_from_the_machine():
    assert DIAGRAM_PATH.read_text(encoding="utf-8") == diagram_markdown(), (
        "run `python -m ladder.review.cases.machine`"
    )
