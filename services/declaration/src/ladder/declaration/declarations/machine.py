"""The declaration's own lifecycle (the enterprise side).

draft → submitted → (returned for revision → submitted again) → withdrawn. Later statuses of
the review path come from the review service as events; they are not transitions here.
"""

from __future__ import annotations

from statemachine import State, StateMachine


class DeclarationMachine(StateMachine):
    draft = State("草稿 draft", initial=True, value="draft")
    submitted = State("已提交 submitted", value="submitted")
    returned = State("退回修改 returned for revision", value="returned")
    withdrawn = State("已撤回 withdrawn", final=True, value="withdrawn")

    submit = draft.to(submitted) | returned.to(submitted)
    return_for_revision = submitted.to(returned)
    withdraw = draft.to(withdrawn) | submitted.to(withdrawn) | returned.to(withdrawn)


EDITABLE = frozenset({"draft", "returned"})


def _transition_table() -> dict[tuple[str, str], str]:
    """(status, event) → next status, read once from the machine above. The machine has no
    guards or callbacks, so the table is the whole of its behaviour; building the machine
    object on every request cost more than the rest of a transition (measured on submit)."""
    return {
        (t.source.value, str(event)): t.target.value
        for state in DeclarationMachine.states
        for t in state.transitions
        for event in t.events
    }


TRANSITIONS = _transition_table()


def next_status(status: str, event: str) -> str | None:
    """Where `event` takes a declaration in `status`; None when the machine does not allow
    it."""
    return TRANSITIONS.get((status, event))
