"""The declaration's transition table says exactly what its state machine does."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from statemachine.exceptions import TransitionNotAllowed

from ladder.declaration.declarations.machine import DeclarationMachine, next_status

STATUSES = [s.value for s in DeclarationMachine.states]
EVENTS = sorted(
    {str(e) for s in DeclarationMachine.states for t in s.transitions for e in t.events}
)


@pytest.mark.parametrize("event", EVENTS)
@pytest.mark.parametrize("status", STATUSES)
def test_the_table_agrees_with_the_machine(status, event):
    model = SimpleNamespace(status=status)
    try:
        DeclarationMachine(model, state_field="status").send(event)
        expected = model.status
    except TransitionNotAllowed:
        expected = None
    assert next_status(status, event) == expected


def test_the_table_knows_the_lifecycle():
    assert next_status("draft", "submit") == "submitted"
    assert next_status("returned", "submit") == "submitted"
    assert next_status("submitted", "submit") is None
    assert next_status("withdrawn", "withdraw") is None
