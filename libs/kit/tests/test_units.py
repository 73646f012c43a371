"""The registry of units as data: the file in force is a valid tree with sources, and the paths
it gives (平潭 at city level under the province, Fuzhou's counties under 福州, a 管委会's
enterprises through the 管委会, the XPCC) are the notices'."""

from __future__ import annotations

import pytest
import yaml
from pydantic import ValidationError

from ladder.kit.testing import LINGANG_ENTERPRISE as LINGANG_FACTORY
from ladder.kit.testing import registry_with_rosters as with_lingang_enterprise
from ladder.kit.units import UNITS_PATH, Kind, Level, parse, registry


def _path(code: str, enterprise: str | None = None, units=None) -> list[tuple[str, str]]:
    return [(u.id, u.level.value) for u in (units or registry()).path(code, enterprise)]


def test_every_listed_unit_has_a_source_and_a_parent_chain_to_a_province():
    units = registry()
    assert len([u for u in units.listed if u.level is Level.province]) == 32  # 31 + the XPCC
    for unit in units.listed:
        assert len(unit.source) >= 4, unit.id
        seen, here = {unit.id}, unit
        while here.parent is not None:
            here = units.get(here.parent)
            assert here is not None and here.id not in seen
            seen.add(here.id)
        assert here.level is Level.province, unit.id
    interpreted = {u.id for u in units.listed if u.note}
    assert {"350128", "fz-hitech", "sh-lingang", "sh-scip", "sh-changxing", "xpcc"} <= interpreted


def test_pingtan_sits_at_city_level_under_the_province():
    assert _path("350128") == [("350128", "city"), ("350000", "province")]
    pingtan = registry().get("350128")
    assert pingtan.kind is Kind.special_zone and "321号" in pingtan.source


def test_a_fuzhou_county_climbs_through_fuzhou():
    assert _path("350102") == [("350102", "county"), ("350100", "city"), ("350000", "province")]
    assert registry().get("350102").derived and registry().get("350102").parent == "350100"
    # Xiamen (计划单列市) and any other code: arithmetic, up to its listed province.
    assert _path("350203") == [("350203", "county"), ("350200", "city"), ("350000", "province")]


def test_shanghai_districts_and_committees_report_to_the_municipal_commission():
    assert _path("310115") == [("310115", "county"), ("310000", "province")]
    for committee in ("sh-lingang", "sh-scip", "sh-changxing"):
        unit = registry().get(committee)
        assert (unit.kind, unit.level, unit.parent) == (
            Kind.management_committee,
            Level.county,
            "310000",
        )
        assert "430号" in unit.source
    assert registry().get("fz-hitech").parent == "350100"


def test_an_enterprise_a_committee_covers_goes_through_it_not_its_district():
    units = with_lingang_enterprise()
    assert _path("310115", LINGANG_FACTORY, units) == [
        ("sh-lingang", "county"),
        ("310000", "province"),
    ]
    assert _path("310115", "91310115MA1K4LYY2Y", units) == [
        ("310115", "county"),
        ("310000", "province"),
    ]
    # 浦东 does not hold (nor see) the 管委会's enterprise; the province does.
    assert units.carved_out(units.get("310115")) == ((), (LINGANG_FACTORY,))
    assert units.carved_out(units.get("310000")) == ((), ())


def test_the_xpcc_holds_its_cities_alone():
    assert _path("659001") == [("xpcc", "province")]
    assert registry().chain_prefixes("659001") == {""}  # the national deadlines
    assert _path("650102")[-1] == ("650000", "province")


def test_fuzhou_does_not_cover_pingtan_and_the_deadline_jurisdictions_follow_the_path():
    units = registry()
    assert units.carved_out(units.get("350100")) == (("350128",), ())
    assert units.carved_out(units.get("350000")) == ((), ())
    assert units.chain_prefixes("350128") == {"350128", "35", ""}
    assert units.chain_prefixes("350102") == {"350102", "3501", "35", ""}


@pytest.mark.parametrize(
    ("level", "region", "expected"),
    [
        (Level.city, "350128", "350128"),  # 平潭's official: a city token with its code
        (Level.county, "350128", None),  # 平潭 has no county level
        (Level.city, "350100", "350100"),
        (Level.city, "350102", "350100"),  # a city token carrying a county code of its city
        (Level.county, "350102", "350102"),
        (Level.province, "350102", "350000"),
        (Level.province, "xpcc", "xpcc"),
        (Level.county, "sh-lingang", "sh-lingang"),
        (Level.city, "sh-lingang", None),
        (Level.city, "310115", None),  # Shanghai's chain has no city level
        (Level.county, "xp0000", None),
    ],
)
def test_the_unit_an_authority_token_speaks_for(level, region, expected):
    unit = registry().authority(level, region)
    assert (unit.id if unit else None) == expected


def test_derived_units_by_id():
    units = registry()
    assert units.get("440300").level is Level.city and units.get("440300").derived
    assert units.get("soe:91110000100000007A").kind is Kind.central_soe_hq
    assert units.get("350128").level is Level.city  # listed wins over arithmetic
    for unknown in ("soe:nope", "nowhere", "35012", "xp"):
        assert units.get(unknown) is None


def _raw() -> dict:
    return yaml.safe_load(UNITS_PATH.read_text(encoding="utf-8"))


def _mutated(mutate) -> str:
    raw = _raw()
    mutate(raw)
    return yaml.safe_dump(raw, allow_unicode=True)


def _unit(raw: dict, unit_id: str) -> dict:
    return next(u for u in raw["units"] if u["id"] == unit_id)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda r: _unit(r, "350128").pop("source"),  # a unit without its clause
        lambda r: _unit(r, "350128").update(source=""),
        lambda r: _unit(r, "350128").update(parent="359900"),  # a parent that is no unit
        lambda r: _unit(r, "350100").update(parent="350128"),  # a parent at the same level
        lambda r: _unit(r, "fz-hitech").update(parent="fz-hitech"),  # its own parent
        lambda r: (  # a loop between two units
            _unit(r, "fz-hitech").update(level="city", parent="sh-scip"),
            _unit(r, "sh-scip").update(level="city", parent="fz-hitech"),
        ),
        lambda r: r["units"].append(dict(_unit(r, "350128"))),  # listed twice
        lambda r: r["units"].append(  # a chain that stops below a province
            {
                "id": "fz-orphan",
                "name": "x",
                "kind": "management_committee",
                "level": "county",
                "source": "nowhere at all",
            }
        ),
        lambda r: _unit(r, "350100").update(covers={"regions": ["3502"]}),  # not its own code
        lambda r: _unit(r, "350128").update(covers={}),  # a zone that covers nothing
        lambda r: _unit(r, "sh-lingang").update(covers={"enterprises": ["not-a-uscc"]}),
        lambda r: _unit(r, "350128").update(level="township"),
        lambda r: _unit(r, "350100").update(parent="310000"),  # 福州 under Shanghai
        lambda r: r["provinces"]["units"][0].pop("name"),
        lambda r: r["provinces"]["units"][0].update(id="110100"),  # not a province code
        lambda r: r.update(unknown_key=1),
    ],
)
def test_a_malformed_registry_is_refused(mutate):
    parse(UNITS_PATH.read_text(encoding="utf-8"))  # the file in force is valid
    with pytest.raises(ValidationError):
        parse(_mutated(mutate))
