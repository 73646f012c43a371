"""Parsing the `unit` of a quota question."""

from __future__ import annotations

import pytest

from ladder.rules.quotas import units
from ladder.rules.quotas.errors import InvalidUnit
from ladder.rules.quotas.policy import policies
from ladder.rules.quotas.units import UnitKind

SOE = "911100007100000013"


@pytest.mark.parametrize(
    ("text", "kind", "code", "province"),
    [
        ("350000", UnitKind.province, "350000", "350000"),
        ("370200", UnitKind.separately_planned_city, "370200", "370000"),
        ("440300", UnitKind.separately_planned_city, "440300", "440000"),
        ("350102", UnitKind.city, "350102", "350000"),
        ("350100", UnitKind.city, "350100", "350000"),
        ("310115", UnitKind.city, "310115", "310000"),  # a district only under an overlay
        ("xpcc", UnitKind.xpcc, "xpcc", None),
        ("XPCC", UnitKind.xpcc, "xpcc", None),
        (f"soe:{SOE}", UnitKind.central_soe, SOE, None),
        (f"SOE:{SOE.lower()}", UnitKind.central_soe, SOE, None),
    ],
)
def test_parse(text: str, kind: UnitKind, code: str, province: str | None) -> None:
    unit = units.parse(text)
    assert (unit.kind, unit.code, unit.requested) == (kind, code, text)
    assert (unit.province.code if unit.province else None) == province


@pytest.mark.parametrize(
    "text",
    [
        "",
        "35000",
        "3500000",
        "abcdef",
        "710000",  # Taiwan: not a recommending unit
        "810000",
        "000000",
        "990000",
        "soe:",
        "soe:911100007100000014",  # wrong check character
        "soe:91110000710000001",
        "xpcc:1",
        "35 0000",
    ],
)
def test_invalid_units(text: str) -> None:
    with pytest.raises(InvalidUnit) as caught:
        units.parse(text)
    assert caught.value.details["fields"][0]["field"] == "unit"


def test_a_district_under_an_overlay() -> None:
    overlay = policies().get("2025").overlay_for("310000")
    unit = units.within(units.parse("310115"), overlay)
    assert (unit.kind, unit.name, unit.name_en) == (
        UnitKind.district,
        "浦东新区",
        "Pudong New Area",
    )
    assert units.within(units.parse("310000"), overlay).kind is UnitKind.province
    assert units.within(units.parse("350102"), overlay).kind is UnitKind.city
    with pytest.raises(InvalidUnit):
        units.within(units.parse("310199"), overlay)
