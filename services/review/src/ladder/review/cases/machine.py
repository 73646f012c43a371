"""The lifecycle of a review case, as data.

For now a case has one state: it waits for the initial review (初审) of the authority whose
jurisdiction covers the factory. A resubmission (a newer version of the declaration) puts the
case back there. The recommendation chain (推荐), national review, 公示 and the 领航级
cultivation add their states and transitions here.

`python -m ladder.review.cases.machine` rewrites the Mermaid diagram in
`services/review/docs/case_machine.md` from this definition.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from statemachine import State, StateMachine
from statemachine.contrib.diagram import MermaidGraphMachine


class CaseMachine(StateMachine):
    awaiting_initial_review = State(
        "待初审 awaiting initial review", initial=True, value="awaiting_initial_review"
    )

    # A newer version of the declaration arrived: whatever was decided was about older content.
    resubmit = awaiting_initial_review.to.itself()


CaseStatus = StrEnum("CaseStatus", {s.value: s.value for s in CaseMachine.states})
"""Every status a case can have, derived from the machine (used for filters and responses)."""

INITIAL_STATUS: str = CaseMachine.awaiting_initial_review.value

# What the history records when a case is created, or when the machine fires `resubmit`.
RECEIVED = "received"
RESUBMITTED = "resubmitted"

DIAGRAM_PATH = Path(__file__).resolve().parents[4] / "docs" / "case_machine.md"


def diagram_markdown() -> str:
    mermaid = MermaidGraphMachine(CaseMachine)().rstrip()
    return (
        "# Review case lifecycle\n\n"
        "Generated from `ladder.review.cases.machine.CaseMachine` by "
        "`python -m ladder.review.cases.machine`; do not edit by hand.\n\n"
        f"```mermaid\n{mermaid}\n```\n"
    )


if __name__ == "__main__":
    DIAGRAM_PATH.write_text(diagram_markdown(), encoding="utf-8")
    print(f"wrote {DIAGRAM_PATH}")
