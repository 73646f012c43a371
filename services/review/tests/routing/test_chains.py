"""Review chains as data: which chain a region takes, where a case lands, and the file's
validation (a malformed chains file stops the service at startup)."""

from __future__ import annotations

import pytest
import yaml
from pydantic import ValidationError

from ladder.kit.testing import LINGANG_ENTERPRISE, registry_with_rosters
from ladder.review.routing.chains import CHAINS_PATH, Level, chains, holder_region, parse


@pytest.mark.parametrize(
    ("region", "levels", "first_holder"),
    [
        ("350102", ["county", "city", "province"], "350102"),  # 福州市鼓楼区
        ("350203", ["county", "city", "province"], "350203"),  # 厦门市思明区 (计划单列市)
        ("310115", ["county", "province"], "310115"),  # 上海市浦东新区
        ("440106", ["province"], "440000"),  # 广州市天河区: the default
        ("440305", ["province"], "440000"),  # 深圳市南山区 (计划单列市) through Guangdong
        ("330203", ["province"], "330000"),  # 宁波市海曙区 (计划单列市) through Zhejiang
    ],
)
def test_a_region_takes_its_provinces_chain(region, levels, first_holder):
    chain = chains().for_region(region)
    assert [lv.level.value for lv in chain.levels] == levels
    first = chain.first().level
    assert holder_region(first, region) == first_holder


def test_holders_of_each_level():
    assert holder_region(Level.county, "350203") == "350203"
    assert holder_region(Level.city, "350203") == "350200"  # Xiamen's districts: city 3502
    assert holder_region(Level.province, "350203") == "350000"


def test_every_level_cites_its_source_and_fujian_counties_check_credit():
    c = chains()
    for chain in (c.default, *c.jurisdictions):
        assert all(lv.source for lv in chain.levels), chain.name
    fujian = c.for_region("350102")
    assert fujian.at(Level.county).requires_credit_check
    assert "96号" in fujian.at(Level.county).credit_check.source
    assert not fujian.at(Level.city).requires_credit_check
    assert not c.for_region("310115").at(Level.county).requires_credit_check
    assert {p.code for p in c.separately_planned_cities} == {
        "210200", "370200", "330200", "350200", "440300"
    }  # fmt: skip


def _raw() -> dict:
    return yaml.safe_load(CHAINS_PATH.read_text(encoding="utf-8"))


def _broken(mutate) -> str:
    raw = _raw()
    mutate(raw)
    return yaml.safe_dump(raw, allow_unicode=True)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda r: r["jurisdictions"][0]["levels"].pop(),  # Fujian no longer ends at province
        lambda r: r["jurisdictions"][0]["levels"].reverse(),  # goes down
        lambda r: r["jurisdictions"][0]["levels"].append(r["jurisdictions"][0]["levels"][0]),
        lambda r: r["jurisdictions"][0]["levels"][1].pop("source"),  # a level without source
        lambda r: r["jurisdictions"][0]["levels"][1].update(level="township"),
        lambda r: r["jurisdictions"].append(r["jurisdictions"][0]),  # two chains for 35
        lambda r: r["jurisdictions"][1].update(prefix="3101"),
        lambda r: r["default"].update(levels=[]),
        lambda r: r["separately_planned_cities"][0].update(code="210201"),
        lambda r: r.update(unknown_key=1),
    ],
)
def test_a_malformed_chains_file_is_refused(mutate):
    parse(CHAINS_PATH.read_text(encoding="utf-8"))  # the file in force is valid
    with pytest.raises(ValidationError):
        parse(_broken(mutate))


def _holders(route) -> list[tuple[str, str]]:
    return [(lv.level.value, route.holder(lv.level, "")) for lv in route.chain.levels]


def test_pingtan_goes_to_the_province_directly_as_a_city():
    """闽工信联函装备〔2025〕321号 addresses 平潭 beside the 设区市: its opinion is the city step
    and the province recommends, with no county step and no 福州."""
    route = chains().route("350128", "excellence", None)
    assert route.unit == "350000"
    assert _holders(route) == [("city", "350128"), ("province", "350000")]
    assert chains().route_of("350000", "350128").chain.levels == route.chain.levels


def test_a_fuzhou_county_still_climbs_county_city_province():
    route = chains().route("350102", "excellence", None)
    assert _holders(route) == [("county", "350102"), ("city", "350100"), ("province", "350000")]
    assert route.chain.at(Level.county).requires_credit_check  # the chain's data is kept


def test_a_factory_a_committee_covers_goes_through_the_committee():
    """沪经信制〔2025〕430号: the 管委会 recommends beside the districts, to the commission."""
    units = registry_with_rosters()
    route = chains().route("310115", "excellence", None, LINGANG_ENTERPRISE, units)
    assert _holders(route) == [("county", "sh-lingang"), ("province", "310000")]
    other = chains().route("310115", "excellence", None, "91310115MA1K4LYY2Y", units)
    assert _holders(other) == [("county", "310115"), ("province", "310000")]


def test_the_xpcc_and_group_hqs_keep_their_one_level():
    assert _holders(chains().route("659001", "excellence", None)) == [("province", "xpcc")]
    soe = chains().route("350102", "excellence", "91110000100000007A")
    assert soe.unit == "soe:91110000100000007A"
    assert _holders(soe) == [("central_soe_hq", "91110000100000007A")]
    # 领航级 of a central SOE goes through the province where the factory is (三(二)2).
    assert chains().route("350128", "pilot", "91110000100000007A").unit == "350000"
