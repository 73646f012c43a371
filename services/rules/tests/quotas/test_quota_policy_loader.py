"""The quota policy loader refuses malformed files (so a bad file stops the start)."""

from __future__ import annotations

import copy
from importlib import resources
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from ladder.rules.quotas.policy import ExemptionKey, Policies, load_policy, policies
from ladder.rules.quotas.schemas import CandidateIn
from ladder.rules.quotas.service import REGISTRIES


def _shipped() -> dict[str, Any]:
    folder = resources.files("ladder.rules.quotas").joinpath("policies")
    return yaml.safe_load(folder.joinpath("2025.yaml").read_text(encoding="utf-8"))


def _load(data: dict[str, Any], **kw: Any):
    return load_policy(yaml.safe_dump(data, allow_unicode=True), **kw)


def _bands(data: dict[str, Any], tier: str) -> list[dict[str, Any]]:
    return data["national"]["tiers"][tier]["basis"]["bands"]


def test_the_shipped_policies_load() -> None:
    assert policies().campaigns == ["2025"]
    policy = policies().get("2025")
    assert policy is not None
    assert [b.limit for b in policy.national.tiers["excellence"].basis.bands] == [40, 30, 20]
    assert [b.limit for b in policy.national.tiers["pilot"].basis.bands] == [1, 2, 3]
    assert policy.overlay_for("310000").id == "shanghai-2025"
    assert _load(_shipped(), expected_campaign="2025") == policy


def _overlapping(d):
    _bands(d, "excellence")[1]["min"] = 10


def _gap(d):
    _bands(d, "excellence")[1]["min"] = 12


def _gap_at_start(d):
    _bands(d, "excellence")[0]["min"] = 2


def _count_bands_from_one(d):
    _bands(d, "pilot")[0]["min"] = 1


def _closed_top(d):
    _bands(d, "excellence")[2]["max"] = 40


def _open_middle(d):
    del _bands(d, "excellence")[1]["max"]


def _empty_band(d):
    _bands(d, "excellence")[0]["max"] = 0


def _out_of_order(d):
    bands = _bands(d, "pilot")
    bands.reverse()


def _unknown_tier(d):
    d["national"]["tiers"]["platinum"] = d["national"]["tiers"]["pilot"]


def _unknown_local_tier(d):
    d["local"][0]["tiers"]["gold"] = d["local"][0]["tiers"]["pilot"]


def _unknown_kind(d):
    d["national"]["tiers"]["pilot"]["basis"]["kind"] = "gdp_rank"


def _unknown_exemption(d):
    d["local"][0]["tiers"]["excellence"]["exemptions"][0]["key"] = "friend_of_the_mayor"


def _exemption_twice(d):
    ex = d["local"][0]["tiers"]["excellence"]["exemptions"]
    ex.append(copy.deepcopy(ex[0]))


def _extra_field(d):
    d["national"]["tiers"]["excellence"]["bonus"] = 3


def _own_quota_without_limit(d):
    del d["national"]["tiers"]["excellence"]["xpcc"]["limit"]


def _via_province_with_limit(d):
    d["national"]["tiers"]["pilot"]["central_soe"]["limit"] = 2


def _soe_as_province(d):
    soe = d["national"]["tiers"]["pilot"]["central_soe"]
    soe["treatment"] = "as_province"


def _district_outside_province(d):
    d["local"][0]["units"].append({"code": "320102", "name": "玄武区", "name_en": "Xuanwu"})


def _district_twice(d):
    d["local"][0]["units"].append(dict(d["local"][0]["units"][0]))


def _overlay_on_a_city(d):
    d["local"][0]["province"] = "310100"


def _overlay_tier_without_national_rule(d):
    del d["national"]["tiers"]["pilot"]


def _missing_clause(d):
    del d["national"]["tiers"]["excellence"]["clause"]


def _negative_limit(d):
    _bands(d, "pilot")[0]["limit"] = -1


MALFORMED = [
    _overlapping,
    _gap,
    _gap_at_start,
    _count_bands_from_one,
    _closed_top,
    _open_middle,
    _empty_band,
    _out_of_order,
    _unknown_tier,
    _unknown_local_tier,
    _unknown_kind,
    _unknown_exemption,
    _exemption_twice,
    _extra_field,
    _own_quota_without_limit,
    _via_province_with_limit,
    _soe_as_province,
    _district_outside_province,
    _district_twice,
    _overlay_on_a_city,
    _overlay_tier_without_national_rule,
    _missing_clause,
    _negative_limit,
]


@pytest.mark.parametrize("breakage", MALFORMED, ids=lambda f: f.__name__.strip("_"))
def test_a_malformed_policy_is_refused(breakage) -> None:
    data = _shipped()
    breakage(data)
    with pytest.raises(ValidationError):
        _load(data)


def test_the_file_name_must_match_the_campaign() -> None:
    with pytest.raises(ValueError, match="declares"):
        _load(_shipped(), expected_campaign="2026")


def test_two_files_for_one_campaign_are_refused() -> None:
    policy = _load(_shipped())
    with pytest.raises(ValueError, match="repeat"):
        Policies([policy, policy])


def test_the_messages_name_the_problem() -> None:
    data = _shipped()
    _overlapping(data)
    with pytest.raises(ValidationError, match="overlap"):
        _load(data)
    data = _shipped()
    _gap(data)
    with pytest.raises(ValidationError, match="gap between bands 1-10 and 12-20"):
        _load(data)


def test_every_exemption_key_is_read_from_a_registry() -> None:
    """A policy may only name exemptions whose holders a registry answers; a candidate
    carries no exemption fact of its own (only its enterprise's USCC)."""
    assert set(ExemptionKey) == set(REGISTRIES)
    assert set(CandidateIn.model_fields) == {"id", "enterprise_uscc"}


def test_the_demo_campaign_repeats_2025_and_says_so():
    from ladder.rules.quotas.policy import policies

    shipped = policies()
    assert shipped.campaigns == ["2025"]  # demo campaigns are not listed as known
    demo = shipped.get("2026")
    assert demo is not None and shipped.is_demo("2026") and not shipped.is_demo("2025")
    assert demo.campaign == "2026" and "演示" in demo.title
    assert demo.national == shipped.get("2025").national


def test_a_demo_of_an_unknown_campaign_stops_the_load():
    from ladder.rules.quotas.policy import DemoCampaign, Policies

    with pytest.raises(ValueError, match="repeats"):
        Policies([], [DemoCampaign(campaign="2026", repeats="2025", title="x")])
