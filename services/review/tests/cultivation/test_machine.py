"""The cultivation machine's guards, its generated diagram, and the data file's rules (each
fact with its clause; a chain must end with the initial review)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import yaml
from pydantic import ValidationError
from statemachine.exceptions import TransitionNotAllowed

from ladder.review.cultivation.data import DATA_PATH, UnitChain, cultivation_data, parse
from ladder.review.cultivation.errors import (
    CultivationPeriodOver,
    ReasonsRequired,
    ReturnReservedForInitialReview,
)
from ladder.review.cultivation.machine import (
    DIAGRAM_PATH,
    EXPIRABLE_STATUSES,
    FINAL_STATUSES,
    INITIAL_STATUS,
    CultivationMachine,
    CultivationStatus,
    diagram_markdown,
)

DEADLINE = datetime(2027, 12, 31, 16, tzinfo=UTC)
BEFORE, AFTER = DEADLINE - timedelta(seconds=1), DEADLINE


class _Record:
    status: str | None = None


def _at(status: str) -> tuple[_Record, CultivationMachine]:
    record = _Record()
    record.status = status
    return record, CultivationMachine(record, state_field="status")


def test_the_states():
    record = _Record()
    CultivationMachine(record, state_field="status")
    assert record.status == INITIAL_STATUS == "cultivating"
    assert {s.value for s in CultivationStatus} == {
        "cultivating",
        "acceptance_initial_review",
        "expert_acceptance",
        "accepted",
        "failed",
        "expired",
    }
    assert FINAL_STATUSES == {"accepted", "failed", "expired"}
    assert EXPIRABLE_STATUSES == {"cultivating"}


def test_diagram_in_docs_is_generated_from_the_machine():
    assert DIAGRAM_PATH.read_text(encoding="utf-8") == diagram_markdown(), (
        "run `python -m ladder.review.cultivation.machine`"
    )


def test_applied_within_the_period():
    record, m = _at("cultivating")
    with pytest.raises(CultivationPeriodOver):
        m.send("apply_for_acceptance", now=AFTER, deadline=DEADLINE)
    assert record.status == "cultivating"
    m.send("apply_for_acceptance", now=BEFORE, deadline=DEADLINE)
    assert record.status == "acceptance_initial_review"


def test_expire_only_once_the_period_is_over_and_only_while_cultivating():
    record, m = _at("cultivating")
    with pytest.raises(TransitionNotAllowed):
        m.send("expire", now=BEFORE, deadline=DEADLINE)
    m.send("expire", now=AFTER, deadline=DEADLINE)
    assert record.status == "expired"
    for status in ("acceptance_initial_review", "expert_acceptance", "accepted", "failed"):
        record, m = _at(status)
        with pytest.raises(TransitionNotAllowed):
            m.send("expire", now=AFTER, deadline=DEADLINE)
        assert record.status == status


def test_a_higher_level_remains():
    record, m = _at("acceptance_initial_review")
    m.send("pass_initial_review", next_level="province")
    assert record.status == "acceptance_initial_review"
    m.send("pass_initial_review", next_level=None)
    assert record.status == "expert_acceptance"


def test_return_is_the_initial_reviews_with_reasons_and_expires_after_the_deadline():
    record, m = _at("acceptance_initial_review")
    with pytest.raises(ReturnReservedForInitialReview):
        m.send("return_application", now=BEFORE, deadline=DEADLINE, duty="receive", reasons="x")
    with pytest.raises(ReasonsRequired):
        m.send("return_application", now=BEFORE, deadline=DEADLINE, duty="initial_review")
    assert record.status == "acceptance_initial_review"
    m.send("return_application", now=BEFORE, deadline=DEADLINE, duty="initial_review", reasons="x")
    assert record.status == "cultivating"
    record, m = _at("acceptance_initial_review")
    m.send("return_application", now=AFTER, deadline=DEADLINE, duty="initial_review", reasons="x")
    assert record.status == "expired"


def test_the_committee_concludes_only_at_expert_acceptance():
    record, m = _at("expert_acceptance")
    with pytest.raises(ReasonsRequired):
        m.send("fail", reasons=" ")
    m.send("fail", reasons="未达标")
    assert record.status == "failed"
    for status in ("cultivating", "acceptance_initial_review", "accepted", "expired"):
        record, m = _at(status)
        with pytest.raises(TransitionNotAllowed):
            m.send("accept")


# --- the data file --------------------------------------------------------------------------


def _raw() -> dict:
    return yaml.safe_load(DATA_PATH.read_text(encoding="utf-8"))


def test_the_shipped_data_cites_its_clauses():
    data = cultivation_data()
    assert data.period.max_months == 24
    assert "251号 三(二)5" in data.period.source and "不超过2年" in data.period.source
    assert data.reminders.days_before == (90, 30)
    assert "Ladder" in data.reminders.source  # a choice, not a notice clause
    fujian = data.chain_for("350000", "350102")
    assert [(lv.level.value, lv.duty.value) for lv in fujian.levels] == [
        ("city", "receive"),
        ("province", "initial_review"),
    ]
    assert all("321号 四(六)" in lv.source for lv in fujian.levels)
    assert [lv.level.value for lv in data.chain_for("440000", "440106").levels] == ["province"]
    xpcc = data.chain_for("xpcc", "659001")
    assert isinstance(xpcc, UnitChain) and [lv.level.value for lv in xpcc.levels] == ["province"]
    assert data.chain_for("soe:91110000100000000X", "110105") is None


@pytest.mark.parametrize(
    "breaks",
    [
        lambda d: d["period"].update(max_months=0),
        lambda d: d["period"].update(timezone="Mars/Olympus"),
        lambda d: d["period"].update(source=""),
        lambda d: d["reminders"].update(days_before=[30, 30]),
        lambda d: d["reminders"].update(days_before=[0]),
        # The top level must do the initial review, and only it.
        lambda d: d["acceptance"]["jurisdictions"][0]["levels"][1].update(duty="receive"),
        lambda d: d["acceptance"]["jurisdictions"][0]["levels"][0].update(duty="initial_review"),
        # Levels go up to the province.
        lambda d: d["acceptance"]["jurisdictions"][0]["levels"].reverse(),
        lambda d: d["acceptance"]["units"].append(dict(d["acceptance"]["units"][0])),
        lambda d: d["acceptance"]["default"]["levels"][0].pop("source"),
    ],
)
def test_a_broken_data_file_is_refused(breaks):
    raw = _raw()
    parse(yaml.safe_dump(raw, allow_unicode=True))  # the shipped file parses
    breaks(raw)
    with pytest.raises(ValidationError):
        parse(yaml.safe_dump(raw, allow_unicode=True))
