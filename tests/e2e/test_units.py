"""平潭综合实验区 through the real processes: 闽工信联函装备〔2025〕321号 addresses 平潭 beside the
设区市, so a declaration of a factory in 350128 is held first by 平潭's own city-level official
(the demo user `city-pingtan`, a city token with region 350128), then by the Fujian province —
no county step and no 福州 (whose prefix 3501 the code has: 福州 does not even see it) — and
the declaration service applies Fujian's chain ("35") to it, not Fuzhou's ("3501")."""

from __future__ import annotations

import pytest

from tests.conftest import dev_token
from tests.e2e.test_declaration_document import DECL, DEMO_YEAR
from tests.e2e.test_recommendation_chains import submit_declaration
from tests.e2e.test_review_chain import _held_case, _opine, _until

pytestmark = pytest.mark.crossservice

PINGTAN = "350128"


def test_pingtan_goes_to_the_province_directly_as_a_city(gateway):
    # The deadlines: Fujian's chain, as a 设区市 (its city step is due by the province's receipt).
    enterprise = dev_token(gateway, "enterprise")
    chain = gateway.get(
        f"/api/declaration/v1/campaigns/{DEMO_YEAR}/deadlines",
        params={"region": PINGTAN, "tier": "excellence"},
        headers=enterprise,
    )
    assert chain.status_code == 200, chain.text
    assert chain.json()["jurisdiction"] == "35"
    assert "county" not in {d["level"] for d in chain.json()["deadlines"]}

    did, enterprise = submit_declaration(gateway, "enterprise", region=PINGTAN)
    pingtan, city, county = (dev_token(gateway, u) for u in ("city-pingtan", "city", "county"))
    province = dev_token(gateway, "province")
    held = _held_case(gateway, pingtan, did, level="city")
    assert (held["holder_region"], held["recommending_unit"]) == (PINGTAN, "350000")
    # 平潭 reads the 申报书 in the declaration service too, once the review service's event has
    # told it the unit (the same reach, from the registry) ...
    _until(
        "the declaration service to let 平潭 read it",
        lambda: gateway.get(f"{DECL}/{did}", headers=pingtan).status_code == 200 or None,
    )
    # ... and 福州 and its county neither hold nor see it, in either service.
    for fuzhou in (city, county):
        assert gateway.get(f"/api/review/v1/cases/{did}", headers=fuzhou).status_code == 404
        assert gateway.get(f"{DECL}/{did}", headers=fuzhou).status_code == 404

    outcome = _opine(gateway, pingtan, did, {"decision": "forward"})
    assert (outcome["opinion"]["level"], outcome["opinion"]["region"]) == ("city", PINGTAN)
    _held_case(gateway, province, did, level="province", status="awaiting_initial_review")
    # The province forwards it to its recommendation (推荐). The list itself is left alone: a
    # stack has one Fujian 2026 卓越级 list, which test_recommendation_chains submits.
    outcome = _opine(gateway, province, did, {"decision": "forward"})
    assert outcome["opinion"]["level"] == "province"
    assert outcome["case"]["recommending_unit"] == "350000"

    # The registry says why, over HTTP.
    unit = gateway.get("/api/review/v1/units/350128", headers=pingtan)
    assert unit.status_code == 200, unit.text
    assert (unit.json()["level"], unit.json()["parent"]) == ("city", "350000")
