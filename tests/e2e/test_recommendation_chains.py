"""卓越级 declarations through three real chains to the recommendation list, end to end
through the gateway with the real processes: Fujian (county → city → province), Shanghai
(the district's ranked table → municipal) and a central SOE (its group HQ). Each unit opens
its list with the quota from the rules service, adds the case, locks and submits the list by
the deadline the declaration service holds; the case is then recommended, the enterprise sees
it, and the 推荐汇总表 opens as a workbook with 附件3's columns.

The national review, 公示 and publication continue in `test_national_and_cultivation.py`.
"""

from __future__ import annotations

import io
import uuid
from datetime import date

import httpx
import pytest
from openpyxl import load_workbook

from tests.conftest import dev_token, new_factory
from tests.e2e.test_declaration_document import DECL, DEMO_YEAR, _document
from tests.e2e.test_review_chain import _held_case, _opine, _until

pytestmark = pytest.mark.crossservice

LISTS = "/api/review/v1/recommendation-lists"
CLEAR = {"gsxt": "clear", "zxgk": "clear", "checked_on": date.today().isoformat()}
FACTORIES = {
    "enterprise": "00000000-0000-4000-8000-000000000101",  # 福州市鼓楼区
    "enterprise-sh": "00000000-0000-4000-8000-000000000102",  # 上海市浦东新区
    "enterprise-soe": "00000000-0000-4000-8000-000000000103",  # 福州市马尾区, a central SOE's
}


def submit_declaration(
    gateway: httpx.Client,
    user: str,
    tier: str = "excellence",
    facts: dict | None = None,
    region: str | None = None,
) -> tuple[str, dict[str, str]]:
    """A complete declaration of the demo enterprise `user` (for a factory in `region`, where
    it also operates, if given), submitted; its id and headers."""
    enterprise = dev_token(gateway, user)
    doc = facts or _document()
    if region is not None:
        doc["applicant"] = {**doc["applicant"], "operating_regions": [region]}
    if user == "enterprise-sh":
        doc["applicant"] = {**doc["applicant"], "operating_regions": ["310115"]}
        doc["applicant"]["address"] = "上海市浦东新区示范路1号"
    if user == "enterprise-soe":
        doc["applicant"] = {**doc["applicant"], "operating_regions": ["350105"]}
    created = gateway.post(
        DECL,
        json={
            "factory_id": new_factory(gateway, enterprise, user, region),
            "campaign_year": DEMO_YEAR,
            "tier": tier,
            "facts": doc,
        },
        headers={**enterprise, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert created.status_code == 201, created.text
    did = created.json()["id"]
    submitted = gateway.post(
        f"{DECL}/{did}/submit", headers={**enterprise, "Idempotency-Key": uuid.uuid4().hex}
    )
    assert submitted.status_code == 200, submitted.text
    return did, enterprise


def recommend(
    gateway: httpx.Client, headers: dict[str, str], tier: str, unit: str, did: str
) -> dict:
    """Open the unit's list (quota from the rules service), add the case, lock, submit."""
    url = f"{LISTS}/{DEMO_YEAR}/{tier}/{unit}"
    opened = gateway.put(url, headers=headers)
    assert opened.status_code in (200, 201), opened.text
    assert opened.json()["limit"] is None or opened.json()["limit"] >= 1
    added = gateway.post(
        f"{url}/entries",
        json={"declaration_id": did},
        headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert added.status_code == 201, added.text
    locked = gateway.post(f"{url}/lock", headers={**headers, "If-Match": added.headers["ETag"]})
    assert locked.status_code == 200, locked.text
    submitted = gateway.post(
        f"{url}/submit",
        headers={
            **headers,
            "If-Match": locked.headers["ETag"],
            "Idempotency-Key": uuid.uuid4().hex,
        },
    )
    assert submitted.status_code == 200, submitted.text
    body = submitted.json()
    assert body["status"] == "submitted"
    # The national deadline of the demo campaign (2027-08-01) was the one in force.
    table = gateway.get(f"{url}/summary-table.xlsx", headers=headers)
    assert table.status_code == 200, table.text
    rows = list(load_workbook(io.BytesIO(table.content)).active.iter_rows(values_only=True))
    assert rows[2][:3] == ("序号", "申报单位名称", f"{_TIER_ZH[tier]}智能工厂项目名称")
    ranked = [r for r in rows[3:] if r[0] is not None]
    assert ranked[-1][3].startswith("1.")  # the scene instances, listed
    return body


_TIER_ZH = {"excellence": "卓越级", "pilot": "领航级"}


def wait_for_status(gateway: httpx.Client, enterprise: dict[str, str], did: str, status: str):
    def probe():
        d = gateway.get(f"{DECL}/{did}", headers=enterprise).json()
        return d if (d.get("review_status") or {}).get("status") == status else None

    return _until(f"the enterprise to see {status}", probe)


def fujian_chain(gateway: httpx.Client, tier: str = "excellence", facts: dict | None = None):
    """Submit as `enterprise` (福州市鼓楼区) and forward county → city → province."""
    did, enterprise = submit_declaration(gateway, "enterprise", tier, facts)
    county, city, province = (dev_token(gateway, u) for u in ("county", "city", "province"))
    forward_up_fujian(gateway, did, county, city, province)
    return did, enterprise, province


def forward_up_fujian(gateway: httpx.Client, did: str, county, city, province) -> None:
    """The county (with the credit check), the city and the province forward a submitted
    Fuzhou declaration: it then awaits the province's recommendation."""
    _held_case(gateway, county, did, level="county")
    _opine(gateway, county, did, {"decision": "forward", "credit_check": CLEAR})
    _held_case(gateway, city, did, level="city")
    _opine(gateway, city, did, {"decision": "forward"})
    _held_case(gateway, province, did, level="province", status="awaiting_initial_review")
    _opine(gateway, province, did, {"decision": "forward"})


def shanghai_chain(gateway: httpx.Client, tier: str = "excellence", facts: dict | None = None):
    """Submit as `enterprise-sh` (浦东新区): the district ranks it on its own 推荐汇总表 and
    submits that (沪经信制〔2025〕430号 一(二)2; the table is capped, 一(二)4), which forwards it
    to the municipal unit, whose initial review forwards it to its recommendation."""
    did, enterprise = submit_declaration(gateway, "enterprise-sh", tier, facts)
    district, municipal = dev_token(gateway, "county-sh"), dev_token(gateway, "province-sh")
    held = _held_case(gateway, district, did, level="county")
    assert held["holder_region"] == "310115"
    recommend(gateway, district, tier, "310115", did)
    _held_case(gateway, municipal, did, level="province", status="awaiting_initial_review")
    _opine(gateway, municipal, did, {"decision": "forward"})
    return did, enterprise, municipal


def soe_chain(gateway: httpx.Client):
    """Submit as `enterprise-soe` (a central SOE's subsidiary): its group HQ forwards."""
    did, enterprise = submit_declaration(gateway, "enterprise-soe")
    hq = dev_token(gateway, "central-soe")
    held = _held_case(gateway, hq, did, level="central_soe_hq")
    assert held["recommending_unit"] == SOE_UNIT
    # The Fuzhou authorities neither hold nor see it.
    county = dev_token(gateway, "county")
    assert gateway.get(f"/api/review/v1/cases/{did}", headers=county).status_code == 404
    _opine(gateway, hq, did, {"decision": "forward"})
    return did, enterprise, hq


SOE_UNIT = "soe:91110000100000007F"


def test_fujian_county_city_province_to_the_recommendation(gateway):
    did, enterprise, province = fujian_chain(gateway)
    recommend(gateway, province, "excellence", "350000", did)
    wait_for_status(gateway, enterprise, did, "recommended")


def test_shanghai_district_municipal_to_the_recommendation(gateway):
    did, enterprise, municipal = shanghai_chain(gateway)
    recommend(gateway, municipal, "excellence", "310000", did)
    wait_for_status(gateway, enterprise, did, "recommended")


def test_a_central_soe_through_its_group_hq(gateway):
    did, enterprise, hq = soe_chain(gateway)
    recommend(gateway, hq, "excellence", SOE_UNIT, did)
    wait_for_status(gateway, enterprise, did, "recommended")
