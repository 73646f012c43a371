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

from ladder.review.errors import (
    CreditBlacklisted,
    CreditCheckRequired,
    OnsiteFindingsMissing,
    OnsiteNotForTier,
    OnsiteVerificationRequired,
    ReasonsRequired,
    ScoresIncomplete,
)

PILOT = "pilot"  # 领航级 (ladder.review.vocabulary.Tier.pilot)


class CaseMachine(StateMachine):
    awaiting_initial_review = State(
        "待初审 awaiting initial review", initial=True, value="awaiting_initial_review"
    )
    awaiting_recommendation = State(
        "待推荐 awaiting recommendation", value="awaiting_recommendation"
    )
    returned_for_revision = State("退回修改 returned for revision", value="returned_for_revision")
    not_recommended = State("不予推荐 not recommended", final=True, value="not_recommended")
    recommended = State("已推荐 recommended to the ministry", value="recommended")
    recognised = State(
        "省级认定 recognised by the province (先进级)", final=True, value="recognised"
    )
    # National review (工信厅联通装函〔2025〕251号 二(二)4, 三(二)4).
    formal_check_failed = State(
        "形式审查未通过 failed the formal check", final=True, value="formal_check_failed"
    )
    in_expert_review = State("专家评审 in expert review", value="in_expert_review")
    onsite_verification = State(
        "现场核查 on-site verification (领航级)", value="onsite_verification"
    )
    selected = State("拟入选 selected", value="selected")
    not_selected = State("未入选 not selected", final=True, value="not_selected")
    in_publicity = State("公示中 in publicity", value="in_publicity")
    withdrawn = State("异议成立撤销 withdrawn (objection upheld)", final=True, value="withdrawn")
    published = State(
        "已发布 published (卓越级 list / 领航级 培育对象)", final=True, value="published"
    )
    withdrawn_by_applicant = State(
        "申报主体撤回 withdrawn by the enterprise", final=True, value="withdrawn_by_applicant"
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

    # The ministry's formal check (形式审查) of each recommended case.
    pass_formal_check = recommended.to(in_expert_review)
    fail_formal_check = recommended.to(formal_check_failed, validators="reasons_are_given")
    # The expert committee verifies on site after the material review: 领航级 always (三(二)4),
    # 卓越级 where the ministry decides (二(一)3) — the tiers are national.yaml's data.
    schedule_onsite = in_expert_review.to(
        onsite_verification, validators="onsite_verification_is_for_the_tier"
    )
    select = in_expert_review.to(
        selected, validators=["required_tiers_are_verified_onsite", "scores_complete"]
    ) | onsite_verification.to(selected, validators=["onsite_findings_recorded", "scores_complete"])
    reject = in_expert_review.to(
        not_selected, validators="reasons_are_given"
    ) | onsite_verification.to(not_selected, validators="reasons_are_given")
    # 公示: the selected are announced; an upheld objection withdraws one; at the end of the
    # period the rest are published (for 领航级 the 培育对象 list, which starts cultivation).
    announce = selected.to(in_publicity)
    withdraw = in_publicity.to(withdrawn, validators="reasons_are_given")
    publish = in_publicity.to(published)

    # The enterprise withdrew its declaration (撤回申报) before any decision on it was final:
    # the case ends wherever it is (interpretation: the notices say nothing of withdrawal; a
    # case not yet decided has nothing left to decide once its declaration is withdrawn).
    applicant_withdraws = (
        awaiting_initial_review.to(withdrawn_by_applicant)
        | returned_for_revision.to(withdrawn_by_applicant)
        | awaiting_recommendation.to(withdrawn_by_applicant)
        | recommended.to(withdrawn_by_applicant)
        | in_expert_review.to(withdrawn_by_applicant)
        | onsite_verification.to(withdrawn_by_applicant)
        | selected.to(withdrawn_by_applicant)
        | in_publicity.to(withdrawn_by_applicant)
    )

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

    def onsite_verification_is_for_the_tier(
        self,
        tier: str | None = None,
        onsite_tiers: frozenset[str] = frozenset({PILOT}),
        onsite_source: str | None = None,
    ) -> None:
        """二(一)3、三(二)4: 现场核查 for the tiers the edition verifies on site (`onsite_tiers`,
        from national.yaml: 领航级 required, 卓越级 optional)."""
        if tier not in onsite_tiers:
            raise OnsiteNotForTier(
                details={"tier": tier, "tiers": sorted(onsite_tiers), "source": onsite_source}
            )

    def required_tiers_are_verified_onsite(
        self, tier: str | None = None, onsite_required: frozenset[str] = frozenset({PILOT})
    ) -> None:
        """三(二)4: a 领航级 case is selected only after its 现场核查 (`onsite_required`)."""
        if tier in onsite_required:
            raise OnsiteVerificationRequired(details={"tier": tier})

    def onsite_findings_recorded(
        self, unrecorded: tuple[str, ...] = (), conclusion: str | None = None
    ) -> None:
        """Every checklist item has its finding and the team wrote its conclusion."""
        if unrecorded or not (conclusion or "").strip():
            raise OnsiteFindingsMissing(
                details={"unrecorded": list(unrecorded), "conclusion": bool(conclusion)}
            )

    def scores_complete(self, assigned: int = 0, unscored: tuple[str, ...] = ()) -> None:
        """A decision rests on the sheets of every assigned expert (and there are some)."""
        if assigned == 0 or unscored:
            raise ScoresIncomplete(details={"assigned": assigned, "unscored": list(unscored)})


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
PASSED_FORMAL_CHECK = "passed_formal_check"
FAILED_FORMAL_CHECK = "failed_formal_check"
ONSITE_SCHEDULED = "onsite_scheduled"
SELECTED = "selected"
NOT_SELECTED = "not_selected"
ANNOUNCED = "announced"
WITHDRAWN = "withdrawn"
PUBLISHED = "published"
WITHDRAWN_BY_APPLICANT = "withdrawn_by_applicant"

# Statuses of the national review (the ministry's side), from the recommendation on.
NATIONAL_STATUSES: frozenset[str] = frozenset(
    s.value
    for s in (
        CaseMachine.recommended,
        CaseMachine.formal_check_failed,
        CaseMachine.in_expert_review,
        CaseMachine.onsite_verification,
        CaseMachine.selected,
        CaseMachine.not_selected,
        CaseMachine.in_publicity,
        CaseMachine.withdrawn,
        CaseMachine.published,
    )
)

DIAGRAM_PATH = Path(__file__).resolve().parents[4] / "docs" / "case_machine.md"


def _guards_table() -> str:
    """The validators of each transition: the diagram shows conditions only, not the rules
    that refuse a move with an error."""
    rows = [
        f"| {s.id} | {t.event} | {t.target.id} | {', '.join(f'`{v}`' for v in t.validators)} |"
        for s in CaseMachine.states
        for t in s.transitions
        if list(t.validators)
    ]
    return "| from | event | to | guards |\n|---|---|---|---|\n" + "\n".join(rows) + "\n"


def diagram_markdown() -> str:
    mermaid = MermaidGraphMachine(CaseMachine)().rstrip()
    return (
        "# Review case lifecycle\n\n"
        "Generated from `ladder.review.cases.machine.CaseMachine` by "
        "`python -m ladder.review.cases.machine`; do not edit by hand.\n\n"
        f"```mermaid\n{mermaid}\n```\n\n"
        "## Guards\n\nEach refuses the move with its own error code (nothing changes).\n\n"
        f"{_guards_table()}"
    )


if __name__ == "__main__":
    DIAGRAM_PATH.write_text(diagram_markdown(), encoding="utf-8")
    print(f"wrote {DIAGRAM_PATH}")
