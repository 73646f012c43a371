"""The lifecycle of a 领航级 cultivation object (培育对象), as data.

工信厅联通装函〔2025〕251号 三(二)5: the object cultivates for at most 2 years under the national
expert committee's guidance; once its goals are met the enterprise applies for acceptance
(验收申请) to its recommending unit, whose initial review (初审) comes before the committee's
acceptance (验收认定) organised by the six ministries, who publish the list. Fujian (闽工信联函
装备〔2025〕321号 四(六)): the application goes to the city, which forwards it to the province's
initial review.

The level is not a state: climbing the chain keeps `acceptance_initial_review` and changes the
record's `level`/`holder`; the guard `a_higher_level_remains` chooses between climbing and
reaching the committee. The service passes `next_level`, the level's `duty`, `now` and the
record's `deadline` with the event.

The period's end (its deadline, 00:00 China time of `period_end`):
- a record still `cultivating` at the deadline expires (the sweeper fires `expire`);
- an application submitted before the deadline and still under review (initial review or the
  committee) at the deadline is carried through: it is not expired, and the review goes on;
- if such an application is returned after the deadline, the record expires in that same
  transition (`return_application` → `expired`), since no new application is possible then;
- an application is refused once the deadline has passed (`applied_within_the_period`).

`python -m ladder.review.cultivation.machine` rewrites the Mermaid diagram in
`services/review/docs/cultivation_machine.md` from this definition.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from statemachine import State, StateMachine
from statemachine.contrib.diagram import MermaidGraphMachine

from ladder.review.cultivation.errors import (
    CultivationPeriodOver,
    ReasonsRequired,
    ReturnReservedForInitialReview,
)


class CultivationMachine(StateMachine):
    cultivating = State("培育中 cultivating", initial=True, value="cultivating")
    acceptance_initial_review = State(
        "验收申请初审 acceptance: initial review", value="acceptance_initial_review"
    )
    expert_acceptance = State("专家委验收 expert committee acceptance", value="expert_acceptance")
    accepted = State("验收通过 accepted (领航级)", final=True, value="accepted")
    failed = State("验收不通过 failed", final=True, value="failed")
    expired = State("培育期满未通过 expired", final=True, value="expired")

    apply_for_acceptance = cultivating.to(
        acceptance_initial_review, validators="applied_within_the_period"
    )
    pass_initial_review = acceptance_initial_review.to.itself(
        cond="a_higher_level_remains"
    ) | acceptance_initial_review.to(expert_acceptance, unless="a_higher_level_remains")
    return_application = acceptance_initial_review.to(
        cultivating,
        cond="the_period_is_running",
        validators=["returned_by_the_initial_review", "reasons_are_given"],
    ) | acceptance_initial_review.to(
        expired,
        unless="the_period_is_running",
        validators=["returned_by_the_initial_review", "reasons_are_given"],
    )
    accept = expert_acceptance.to(accepted)
    fail = expert_acceptance.to(failed, validators="reasons_are_given")
    expire = cultivating.to(expired, unless="the_period_is_running")

    def the_period_is_running(self, now: datetime, deadline: datetime) -> bool:
        """培育期不超过2年: the period runs until its deadline (exclusive)."""
        return now < deadline

    def applied_within_the_period(self, now: datetime, deadline: datetime) -> None:
        """An application must reach the recommending unit within the period (四(六): 在2年
        培育期内达到培育目标后…提交验收申请)."""
        if not self.the_period_is_running(now, deadline):
            raise CultivationPeriodOver(details={"deadline": deadline.isoformat()})

    def a_higher_level_remains(self, next_level: Any = None) -> bool:
        return next_level is not None

    def returned_by_the_initial_review(self, duty: str | None = None) -> None:
        """A receiving level (Fujian: the city) forwards; only the initial review returns."""
        if duty != "initial_review":
            raise ReturnReservedForInitialReview(details={"duty": duty})

    def reasons_are_given(self, reasons: str | None = None) -> None:
        """A return or a failed acceptance tells the enterprise why."""
        if not (reasons or "").strip():
            raise ReasonsRequired()


CultivationStatus = StrEnum(
    "CultivationStatus", {s.value: s.value for s in CultivationMachine.states}
)
"""Every status a record can have, derived from the machine (filters and responses)."""

INITIAL_STATUS: str = CultivationMachine.cultivating.value
FINAL_STATUSES: frozenset[str] = frozenset(s.value for s in CultivationMachine.states if s.final)
# Records the sweeper expires when their deadline passes; an application under review is
# carried through (see the module docstring).
EXPIRABLE_STATUSES: frozenset[str] = frozenset({CultivationMachine.cultivating.value})

# What the history (and the events) call each thing that happened.
STARTED = "started"
EXPERTS_ASSIGNED = "experts_assigned"
ACCEPTANCE_APPLIED = "acceptance_applied"
FORWARDED = "forwarded"  # a receiving level passed it up the chain
INITIAL_REVIEW_PASSED = "initial_review_passed"  # to the expert committee
APPLICATION_RETURNED = "application_returned"
ACCEPTED = "accepted"
FAILED = "failed"
EXPIRED = "expired"

DIAGRAM_PATH = Path(__file__).resolve().parents[4] / "docs" / "cultivation_machine.md"


def diagram_markdown() -> str:
    mermaid = MermaidGraphMachine(CultivationMachine)().rstrip()
    return (
        "# 领航级 cultivation (培育) and acceptance (验收) lifecycle\n\n"
        "Generated from `ladder.review.cultivation.machine.CultivationMachine` by "
        "`python -m ladder.review.cultivation.machine`; do not edit by hand.\n\n"
        f"```mermaid\n{mermaid}\n```\n"
    )


if __name__ == "__main__":
    DIAGRAM_PATH.write_text(diagram_markdown(), encoding="utf-8")
    print(f"wrote {DIAGRAM_PATH}")
