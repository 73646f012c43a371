"""The hierarchy as data: every rule names its clause, and a file that breaks the rules'
shape does not load."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml
from pydantic import ValidationError

from ladder.identity.organisations.hierarchy import hierarchy, parse
from ladder.kit.units import Level


def _raw() -> dict:
    text = resources.files("ladder.identity.organisations").joinpath("hierarchy.yaml")
    return yaml.safe_load(text.read_text("utf-8"))


def test_every_rule_names_its_clause_and_silent_seeds_are_marked() -> None:
    rules = hierarchy().rules
    assert {r.id for r in rules} >= {
        "ministry-creates-province-units",
        "ministry-creates-central-soe-hqs",
        "ministry-creates-expert-pools",
        "province-creates-city-units",
        "province-creates-county-units-reporting-to-it",
        "city-creates-county-units",
    }
    for rule in rules:
        assert "〔2025〕" in rule.source, rule.id
        assert rule.note and "Ladder's reading" in rule.note, rule.id
    assert "251号" in next(r for r in rules if r.id == "ministry-creates-province-units").source


def test_the_roles_of_the_kinds() -> None:
    h = hierarchy()
    assert [h.role_of("unit", lv) for lv in (Level.county, Level.city, Level.province)] == [
        "county",
        "city",
        "province",
    ]
    assert (h.role_of("central_soe_hq"), h.role_of("expert_pool"), h.role_of("ministry")) == (
        "central_soe_hq",
        "expert",
        "ministry",
    )
    assert h.creatable("county") == []


@pytest.mark.parametrize(
    "breakage",
    [
        lambda raw: raw["rules"].append(dict(raw["rules"][0])),  # a rule listed twice
        lambda raw: raw["rules"][0]["creates"].pop("level"),  # a unit without its level
        lambda raw: raw["rules"][0].update(source=""),  # no clause
        lambda raw: raw["rules"][0].update(creates={"kind": "enterprise"}),
        lambda raw: raw["rules"][3].update(creator="enterprise"),  # units reporting to it
        lambda raw: raw["roles"]["unit"].pop("city"),
    ],
)
def test_a_broken_hierarchy_does_not_load(breakage) -> None:
    raw = _raw()
    parse(yaml.safe_dump(raw, allow_unicode=True))  # the shipped one does
    breakage(raw)
    with pytest.raises(ValidationError):
        parse(yaml.safe_dump(raw, allow_unicode=True))
