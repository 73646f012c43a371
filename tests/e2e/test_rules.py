"""The rules service through the gateway with real processes: editions, an evaluation under a
local overlay, a batch, quotas from the seeded SAMPLE reference data, and a ministry upload
that the next quota answer uses."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest
import yaml

from tests.conftest import dev_token

pytestmark = pytest.mark.crossservice

RULES = "/api/rules/v1"
CASES = Path(__file__).parents[2] / "services" / "rules" / "tests" / "cases" / "2025.yaml"


def _excellence_facts() -> dict:
    facts = yaml.safe_load(CASES.read_text(encoding="utf-8"))["bases"]["excellence"]
    facts["credit_check"]["checked_on"] = str(facts["credit_check"]["checked_on"])
    return facts


def test_editions_and_an_evaluation_under_an_overlay(gateway: httpx.Client) -> None:
    county = dev_token(gateway, "county")
    editions = gateway.get(f"{RULES}/editions", headers=county)
    assert editions.status_code == 200, editions.text
    assert [e["id"] for e in editions.json()] == ["2024", "2025"]

    body = {"tier": "excellence", "jurisdiction": "350102", "facts": _excellence_facts()}
    body["facts"]["credit_check"]["zxgk"] = "listed"
    resp = gateway.post(f"{RULES}/evaluations", json=body, headers=county)
    assert resp.status_code == 200, resp.text
    answer = resp.json()
    assert answer["overlays"] == ["fujian-2025"] and answer["outcome"] == "ineligible"
    assert [(f["rule_id"], f["clause"]) for f in answer["findings"]] == [
        ("local.credit_blacklist", "榕工信装备〔2025〕96号 2")
    ]


def test_a_batch_through_the_gateway(gateway: httpx.Client) -> None:
    province = dev_token(gateway, "province")
    facts = _excellence_facts()
    items = [{"ref": f"f{i}", "tier": "excellence", "facts": facts} for i in range(300)]
    items.append({"ref": "bad", "tier": "excellence", "facts": {"cmmm_level": 9}})
    resp = gateway.post(
        f"{RULES}/evaluations/batch", json={"edition": "2025", "items": items}, headers=province
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["summary"] == {
        "eligible": 300,
        "ineligible": 0,
        "incomplete": 0,
        "invalid": 1,
    }


def test_quotas_from_sample_reference_data_and_a_ministry_upload(gateway: httpx.Client) -> None:
    province = dev_token(gateway, "province-sh")
    district = gateway.get(
        f"{RULES}/campaigns/2025/quotas",
        params={"tier": "excellence", "unit": "310115"},
        headers=province,
    )
    assert district.status_code == 200, district.text
    assert (district.json()["limit"], district.json()["level"]) == (6, "local")

    qingdao = gateway.get(
        f"{RULES}/campaigns/2025/quotas",
        params={"tier": "excellence", "unit": "370200"},
        headers=province,
    ).json()
    assert qingdao["quota_unit"]["code"] == "370000"
    assert qingdao["reference"]["sample"] is True

    # The ministry loads a table that ranks Shandong 11th: its quota drops to 30.
    ministry = dev_token(gateway, "ministry")
    provinces = [
        "440000", "320000", "330000", "350000", "410000", "420000", "510000", "130000",
        "430000", "340000", "370000", "310000", "360000", "610000", "210000", "150000",
        "140000", "110000", "500000", "450000", "530000", "650000", "120000", "230000",
        "520000", "220000", "620000", "640000", "630000", "460000", "540000",
    ]  # fmt: skip
    csv = "region,value\n" + "".join(f"{code},{rank}\n" for rank, code in enumerate(provinces, 1))
    params = {"kind": "industrial_value_added_rank", "year": 2024, "source_note": "e2e 测试数据"}
    refused = gateway.post(
        f"{RULES}/reference-datasets",
        content=csv.encode(),
        params=params,
        headers={**province, "Content-Type": "text/csv", "Idempotency-Key": uuid.uuid4().hex},
    )
    assert refused.status_code == 403
    stored = gateway.post(
        f"{RULES}/reference-datasets",
        content=csv.encode(),
        params=params,
        headers={**ministry, "Content-Type": "text/csv", "Idempotency-Key": uuid.uuid4().hex},
    )
    assert stored.status_code == 201, stored.text
    assert stored.json()["sample"] is False
    after = gateway.get(
        f"{RULES}/campaigns/2025/quotas",
        params={"tier": "excellence", "unit": "370000"},
        headers=province,
    ).json()
    assert after["limit"] == 30
    assert after["reference"]["dataset_id"] == stored.json()["id"]
    assert after["reference"]["sample"] is False
