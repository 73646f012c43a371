"""The lifecycle of a review case, as data.

A case waits for the initial review (初审) of the authority holding it, at one level of its
jurisdiction's chain (`ladder.review.routing.chains`). An opinion (初审意见) either forwards it
one level up (after the top level it awaits the province's recommendation, 推荐), returns it to
the enterprise for revision, or ends it as not recommended. A resubmission (a newer version of
the declaration) brings the case back to the first level of its chain. The recommendation,
national review, 公示 and the 领航级 cultivation add their states and transitions here.

The level is not a state: moving up the chain keeps the status `awaiting_initial_review` and
changes the case's `level`; the guard `a_higher_level_remains` chooses between climbing and
reaching the top. The service passes `next_level` and `credit_rule` (does this level have to
check credit) with the event.

`python -m ladder.review.cases.machine` rewrites the Mermaid diagram in
`services/review/docs/case_machine.md` from this definition.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any

from statemachine import State, StateMachine
from statemachine.contrib.diagram import MermaidGraphMachine

from ladder.review.errors import CreditBlacklisted, CreditCheckRequired, ReasonsRequired


class CaseMachine(StateMachine):
    awaiting_initial_review = State(
        "待初审 awaiting initial review", initial=True, value="awaiting_initial_review"
    )
    awaiting_recommendation = State(
        "待推荐 awaiting recommendation", value="awaiting_recommendation"
    )
    returned_for_revision = State("退回修改 returned for revision", value="returned_for_revision")
    not_recommended = State("不予推荐 not recommended", final=True, value="not_recommended")
    recommended = State("已推荐 recommended to the ministry", final=True, value="recommended")
    recognised = State(
        "省级认定 recognised by the province (先进级)", final=True, value="recognised"
    )

    forward = awaiting_initial_review.to.itself(
        cond="a_higher_level_remains",
        validators=["credit_checked_where_the_chain_requires_it", "blacklisted_are_not_forwarded"],
    ) | awaiting_initial_review.to(
        awaiting_recommendation,
        unless="a_higher_level_remains",
        validators=["credit_checked_where_the_chain_requires_it", "blacklisted_are_not_forwarded"],
    )
    return_for_revision = awaiting_initial_review.to(
        returned_for_revision, validators="reasons_are_given"
    )
    not_recommend = awaiting_initial_review.to(not_recommended, validators="reasons_are_given")

    # The province submitted the list the case is on (工信厅联通装函〔2025〕251号 二(二)2).
    recommend = awaiting_recommendation.to(recommended)
    recognise = awaiting_recommendation.to(recognised)

    # A newer version of the declaration arrived: whatever was decided was about older content.
    resubmit = (
        awaiting_initial_review.to.itself()
        | returned_for_revision.to(awaiting_initial_review)
        | awaiting_recommendation.to(awaiting_initial_review)
    )

    def a_higher_level_remains(self, next_level: Any = None) -> bool:
        return next_level is not None

    def credit_checked_where_the_chain_requires_it(
        self, credit_rule: str | None = None, credit_check: Any = None
    ) -> None:
        """榕工信装备〔2025〕96号 第2条: a Fujian county checks 国家企业信用信息公示系统 and
        中国执行信息公开网 before it forwards (the level's `credit_check` in chains.yaml)."""
        if credit_rule is not None and credit_check is None:
            raise CreditCheckRequired(details={"source": credit_rule})

    def blacklisted_are_not_forwarded(self, credit_check: Any = None) -> None:
        """An enterprise listed on either system (失信黑名单) is excluded, never forwarded: the
        authority gives `not_recommended` instead."""
        if credit_check is not None and credit_check.listed():
            raise CreditBlacklisted(details={"listed_in": credit_check.listed()})

    def reasons_are_given(self, reasons: str | None = None) -> None:
        """A return or a refusal tells the enterprise why."""
        if not (reasons or "").strip():
            raise ReasonsRequired()


CaseStatus = StrEnum("CaseStatus", {s.value: s.value for s in CaseMachine.states})
"""Every status a case can have, derived from the machine (used for filters and responses)."""

INITIAL_STATUS: str = CaseMachine.awaiting_initial_review.value

# Statuses in which an authority (the one at the case's level) has the next move.
HELD_STATUSES: frozenset[str] = frozenset(
    {CaseMachine.awaiting_initial_review.value, CaseMachine.awaiting_recommendation.value}
)

# What the history (and the event to the declaration service) calls each thing that happened.
RECEIVED = "received"
RESUBMITTED = "resubmitted"
FORWARDED = "forwarded"
RETURNED = "returned_for_revision"  # the declaration service reopens the declaration on this
NOT_RECOMMENDED = "not_recommended"
RECOMMENDED = "recommended"
RECOGNISED = "recognised"

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
