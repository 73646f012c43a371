"""The lifecycle of a recommendation list (推荐汇总表), as data.

A list is edited while `open` (cases added, removed, reordered: the `edit` self-transition),
`locked` for sign-off (no change; unlocking reopens it), and `submitted` to the ministry once,
by the deadline (工信厅联通装函〔2025〕251号 二(二)3、三(二)3: 推荐单位应于…前完成线上审核，
按推荐项目优先顺序填写推荐汇总表…报送工业和信息化部). Submission is final: the cases on it are
recommended (卓越级, 领航级) or recognised by the province (先进级), and the table is frozen.

`python -m ladder.review.recommendations.machine` rewrites the Mermaid diagram in
`services/review/docs/list_machine.md` from this definition.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from statemachine import State, StateMachine
from statemachine.contrib.diagram import MermaidGraphMachine

from ladder.review.errors import DeadlinePassed, ListEmpty


class ListMachine(StateMachine):
    open = State("编辑中 open", initial=True, value="open")
    locked = State("已锁定 locked", value="locked")
    submitted = State("已报送 submitted", final=True, value="submitted")

    edit = open.to.itself()
    # A case whose declaration its enterprise withdrew (or that the district holding it
    # returned or refused) leaves the list even while it is locked for sign-off: nobody can
    # recommend it any more.
    drop_withdrawn = open.to.itself() | locked.to.itself()
    lock = open.to(locked)
    unlock = locked.to(open)
    submit = locked.to(
        submitted, validators=["a_list_has_entries", "submitted_before_the_deadline"]
    )

    def a_list_has_entries(self, entries: int = 0) -> None:
        """An empty table recommends nothing: there is nothing to submit."""
        if entries < 1:
            raise ListEmpty()

    def submitted_before_the_deadline(
        self, deadline: Any = None, now: datetime | None = None
    ) -> None:
        """By the recommending unit's deadline (`ladder.review.deadlines.due_for_list`)."""
        if deadline is not None and now is not None and now >= deadline.closes_at:
            raise DeadlinePassed(details=deadline.details())


DIAGRAM_PATH = Path(__file__).resolve().parents[4] / "docs" / "list_machine.md"


def diagram_markdown() -> str:
    mermaid = MermaidGraphMachine(ListMachine)().rstrip()
    return (
        "# Recommendation list lifecycle\n\n"
        "Generated from `ladder.review.recommendations.machine.ListMachine` by "
        "`python -m ladder.review.recommendations.machine`; do not edit by hand.\n\n"
        f"```mermaid\n{mermaid}\n```\n"
    )


if __name__ == "__main__":
    DIAGRAM_PATH.write_text(diagram_markdown(), encoding="utf-8")
    print(f"wrote {DIAGRAM_PATH}")
