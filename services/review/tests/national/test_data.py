"""national.yaml as data: what the notice sets carries its clause, what Ladder chooses says so,
and a malformed file is refused (the service validates it at startup)."""

from __future__ import annotations

import pytest
import yaml
from pydantic import ValidationError

from ladder.review.national.data import NATIONAL_PATH, National, NationalTier, national, parse


def _raw() -> dict:
    return yaml.safe_load(NATIONAL_PATH.read_text(encoding="utf-8"))


def _parse(raw: dict) -> National:
    return parse(yaml.safe_dump(raw, allow_unicode=True))


def test_the_shipped_file_is_valid_and_cites_the_notice():
    data = national()
    assert "三(二)4" in data.clauses.pilot_review.source
    assert "二(二)4" in data.clauses.excellence_review.source
    for tier in NationalTier:
        criteria = data.criteria.for_tier(tier)
        assert all(c.source for c in criteria)
        assert len({c.key for c in criteria}) == len(criteria)
    assert all(t.source for t in data.onsite_template)


def test_values_the_notice_does_not_set_are_marked_as_ladders():
    data = national()
    for choice in (
        data.experts_per_case,
        data.onsite_team,
        data.publicity,
        data.conflicts,
        data.criteria,
    ):
        assert choice.basis == "ladder"
        assert choice.note


def test_the_pilot_criteria_read_the_cultivation_plan():
    keys = {c.key for c in national().criteria.for_tier(NationalTier.pilot)}
    assert "cultivation_plan" in keys
    assert "cultivation_plan" not in {
        c.key for c in national().criteria.for_tier(NationalTier.excellence)
    }


def _without_basis(raw: dict) -> dict:
    del raw["publicity"]["basis"]
    return raw


def _duplicate_criterion(raw: dict) -> dict:
    raw["criteria"]["excellence"].append(dict(raw["criteria"]["excellence"][0]))
    return raw


def _unknown_conflict(raw: dict) -> dict:
    raw["conflicts"]["types"].append({"code": "same_hobby", "message": "同好", "message_en": "x"})
    return raw


def _too_long(raw: dict) -> dict:
    raw["publicity"]["days"] = raw["publicity"]["max_days"] + 1
    return raw


def _zero_weight(raw: dict) -> dict:
    raw["criteria"]["pilot"][0]["weight"] = 0
    return raw


def _min_above_max(raw: dict) -> dict:
    raw["experts_per_case"]["pilot"] = {"min": 9, "max": 3}
    return raw


def _bad_region_level(raw: dict) -> dict:
    raw["conflicts"]["same_region_level"] = "county"
    return raw


@pytest.mark.parametrize(
    "breaks",
    [
        _without_basis,
        _duplicate_criterion,
        _unknown_conflict,
        _too_long,
        _zero_weight,
        _min_above_max,
        _bad_region_level,
    ],
)
def test_a_malformed_file_is_refused(breaks):
    assert _parse(_raw())  # the unbroken file parses
    with pytest.raises(ValidationError):
        _parse(breaks(_raw()))
