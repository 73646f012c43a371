"""Review chains as data: which chain a region takes, where a case lands, and the file's
validation (a malformed chains file stops the service at startup)."""

from __future__ import annotations

import pytest
import yaml
from pydantic import ValidationError

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
