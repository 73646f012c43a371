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
