"""Who sees a case, from the registry of units: 福州 does not see 平潭's, 平潭's official does;
a 管委会 sees its enterprises and their district does not; the XPCC by its unit, not by a
prefix of `xpcc`."""

from __future__ import annotations

import pytest

from ladder.kit.auth import Principal, Role
from ladder.kit.jurisdiction import NOTHING, reach, unit_of
from ladder.kit.testing import LINGANG_ENTERPRISE as LINGANG_FACTORY
from ladder.kit.testing import registry_with_rosters as with_lingang_enterprise

FUJIAN = "350000"
PINGTAN_FACTORY = "350128"
GULOU_FACTORY = "350102"


def _p(role: str, region: str | None = None, org: str | None = None) -> Principal:
    return Principal(sub=f"{role}-{region}", role=Role(role), region=region, org=org)


@pytest.mark.parametrize(
    ("who", "sees_pingtan", "sees_gulou"),
    [
        (_p("city", "350128"), True, False),  # 平潭综合实验区经发局
        (_p("city", "350100"), False, True),  # 福州: 350128 starts with 3501, yet not its own
        (_p("county", "350102"), False, True),
        (_p("county", "350128"), False, False),  # no county level in 平潭
        (_p("province", "350000"), True, True),
        (_p("province", "310000"), False, False),
        (_p("ministry"), True, True),
    ],
)
def test_pingtan_is_not_fuzhous(who, sees_pingtan, sees_gulou):
    scope = reach(who)
    assert scope.covers(FUJIAN, PINGTAN_FACTORY) is sees_pingtan
    assert scope.covers(FUJIAN, GULOU_FACTORY) is sees_gulou
    assert who.covers_region(PINGTAN_FACTORY) is sees_pingtan  # enterprise profiles alike


def test_holders_are_unit_ids():
    assert reach(_p("city", "350128")).holds_as("350128")
    assert not reach(_p("city", "350100")).holds_as("350128")
    assert reach(_p("city", "350102")).holds_as("350100")  # a city token with a county code
    assert not reach(_p("ministry")).holds_as("350100")


def test_the_xpcc_reaches_by_its_unit_not_by_a_prefix_of_its_name():
    xpcc = _p("province", "xpcc")
    assert xpcc.region_prefix() is None  # was "xp": the accident cultivation relied on
    scope = reach(xpcc)
    assert scope.unit == "xpcc" and scope.holds_as("xpcc")
    assert scope.covers("xpcc", "659001") and not scope.covers("650000", "650102")
    assert not xpcc.covers_region("659001")  # a case routed to it, not a region it holds
    assert unit_of(xpcc) == "xpcc"
    assert not reach(_p("province", "650000")).covers("xpcc", "659001")
    assert reach(_p("province", "xpcc-east")) == NOTHING
    assert reach(_p("county", "xpcc")) == NOTHING


def test_cases_routed_to_a_group_hq_or_the_xpcc_are_not_the_regions():
    assert not reach(_p("province", "350000")).covers("soe:91110000100000007A", GULOU_FACTORY)
    soe = reach(_p("central_soe_hq", org="91110000100000007A"))
    assert soe.covers("soe:91110000100000007A", GULOU_FACTORY)
    assert not soe.covers(FUJIAN, GULOU_FACTORY)


def test_a_committee_sees_its_enterprises_and_their_district_does_not():
    units = with_lingang_enterprise()
    lingang = reach(_p("county", "sh-lingang"), units)
    pudong = reach(_p("county", "310115"), units)
    shanghai = reach(_p("province", "310000"), units)
    assert lingang.covers("310000", "310115", LINGANG_FACTORY)
    assert not lingang.covers("310000", "310115", "91310115MA1K4LYY2Y")
    assert not pudong.covers("310000", "310115", LINGANG_FACTORY)
    assert pudong.covers("310000", "310115", "91310115MA1K4LYY2Y")
    assert shanghai.covers("310000", "310115", LINGANG_FACTORY)
    assert lingang.holds_as("sh-lingang")


def test_unit_of_names_the_recommending_unit():
    assert unit_of(_p("province", "350102")) == "350000"
    assert unit_of(_p("city", "350128")) is None  # 平潭 reviews; the province recommends
    assert unit_of(_p("central_soe_hq", org="91110000100000007A")) == "soe:91110000100000007A"
