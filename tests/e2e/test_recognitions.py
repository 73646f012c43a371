"""The register of recognised tiers (认定记录) end to end, through the gateway with the real
processes: the prerequisite of 251号 二(一)2 ("已……获评先进级智能工厂") and 三(一)3 ("须已获评
卓越级智能工厂") is judged by the rules service on the register that the declaration service
supplies, never on the applicant's own claim. An enterprise new to the register is refused at
卓越级 with the missing 先进级 named; after the ministry imports a 2024 先进级 list containing
it, the same declaration submits. 领航级 needs a recognised 卓越级 the same way."""

from __future__ import annotations

import random
import uuid

import httpx
import pytest
from stdnum.cn import uscc as uscc_std

from ladder.kit.tokens import SigningKey
from tests.conftest import import_recognitions, minted
from tests.e2e.test_declaration_document import DEMO_YEAR, _document
from tests.e2e.test_national_and_cultivation import pilot_document
from tests.e2e.test_recommendation_chains import LISTS, forward_up_fujian
from tests.e2e.test_review_chain import _until
from tests.e2e.test_self_assessments import FORM
from tests.e2e.test_thread import FACTS

pytestmark = pytest.mark.crossservice

DECL = "/api/declaration/v1/declarations"
PUBLIC = "/api/declaration/public/v1/recognitions"
REGION = "350102"


def _new_enterprise(gateway: httpx.Client, key: SigningKey) -> tuple[str, dict[str, str]]:
    """An enterprise Ladder has never seen: a fresh USCC, registered now; (USCC, headers)."""
    base = f"91{REGION}MA{random.randrange(10**7):07d}"
    code = base + uscc_std.calc_check_digit(base)
    headers = minted(key, f"e2e:{code}", "enterprise", org=code, region=REGION)
    resp = gateway.post(
        "/api/declaration/v1/enterprises",
        json={"uscc": code, "name": "福州新晋智能制造有限公司", "region_code": REGION},
        headers=headers,
    )
    assert resp.status_code == 201, resp.text
    return code, headers


def _factory(gateway: httpx.Client, headers: dict, uscc: str, factory: str) -> str:
    made = gateway.post(
        f"/api/declaration/v1/enterprises/{uscc}/factories",
        json={"name": factory, "region_code": REGION},
        headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert made.status_code == 201, made.text
    return made.json()["id"]


def _draft(
    gateway: httpx.Client,
    headers: dict,
    uscc: str,
    factory: str,
    tier: str,
    factory_id: str | None = None,
) -> str:
    factory_id = factory_id or _factory(gateway, headers, uscc, factory)
    doc = {"pilot": pilot_document, "advanced": lambda: dict(FACTS)}.get(tier, _document)()
    doc["recognised_tier"] = "pilot"  # the applicant's claim: kept, never judged
    created = gateway.post(
        DECL,
        json={"factory_id": factory_id, "campaign_year": DEMO_YEAR, "tier": tier, "facts": doc},
        headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert created.status_code == 201, created.text
    return created.json()["id"]


def _submit(gateway: httpx.Client, headers: dict, did: str) -> httpx.Response:
    return gateway.post(
        f"{DECL}/{did}/submit", headers={**headers, "Idempotency-Key": uuid.uuid4().hex}
    )


def _refused_for_want_of(resp: httpx.Response, tier_zh: str) -> dict:
    assert resp.status_code in (409, 422), resp.text
    error = resp.json()["error"]
    assert error["code"] == "precheck_failed", error
    (finding,) = [f for f in error["details"]["findings"] if f["rule_id"] == "prerequisite.tier"]
    assert finding["status"] == "failed"
    assert f"认定记录中没有该工厂的{tier_zh}记录" in finding["message"], finding
    assert finding["field"] == "recognitions"
    return finding


def _ministry(key: SigningKey) -> dict[str, str]:
    return minted(key, "e2e:ministry", "ministry")


def _row(uscc: str, factory: str, tier: str) -> dict:
    return {"uscc": uscc, "enterprise_name": "福州新晋智能制造有限公司", "factory_name": factory,
            "region_code": REGION, "tier": tier, "year": 2024}  # fmt: skip


def test_excellence_needs_a_recognised_advanced(gateway: httpx.Client, signing_key) -> None:
    uscc, enterprise = _new_enterprise(gateway, signing_key)
    did = _draft(gateway, enterprise, uscc, "新晋智能工厂", "excellence")
    finding = _refused_for_want_of(_submit(gateway, enterprise, did), "先进级")
    assert "先进级名单" in finding["message"]  # where it would come from
    assert gateway.get(f"{PUBLIC}/{uscc}").json()["items"] == []

    imported = import_recognitions(
        gateway, _ministry(signing_key), [_row(uscc, "新晋智能工厂", "先进级")],
        "闽工信函〔2024〕示例号（e2e）",
    )  # fmt: skip
    assert imported.status_code == 201, imported.text
    assert imported.json()["written"] == 1

    submitted = _submit(gateway, enterprise, did)
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "submitted"
    passed = [f for f in submitted.json()["last_precheck"]["findings"]
              if f["rule_id"] == "prerequisite.tier"]  # fmt: skip
    assert passed[0]["passed"] and passed[0]["actual"] == "advanced"
    public = gateway.get(f"{PUBLIC}/{uscc}").json()["items"]
    assert [(e["tier"], e["year"], e["authority"], e["source_kind"]) for e in public] == [
        ("advanced", 2024, "350000", "import")
    ]


def test_pilot_needs_a_recognised_excellence(gateway: httpx.Client, signing_key) -> None:
    uscc, enterprise = _new_enterprise(gateway, signing_key)
    did = _draft(gateway, enterprise, uscc, "新晋领航工厂", "pilot")
    # 先进级 alone does not back a 领航级 declaration.
    ministry = _ministry(signing_key)
    advanced = [_row(uscc, "新晋领航工厂", "advanced")]
    assert import_recognitions(gateway, ministry, advanced, "2024年先进级名单").status_code == 201
    _refused_for_want_of(_submit(gateway, enterprise, did), "卓越级")

    # A province imports only its own region; the ministry any.
    shanghai = [_row(uscc, "新晋领航工厂", "excellence") | {"region_code": "310115"}]
    fujian = minted(signing_key, "e2e:province", "province", region="350000")
    refused = import_recognitions(gateway, fujian, shanghai, "2024年卓越级名单（e2e）")
    assert refused.status_code == 422, refused.text
    (problem,) = refused.json()["error"]["details"]["errors"]
    assert (problem["row"], problem["column"], problem["code"]) == (
        1,
        "region_code",
        "outside_jurisdiction",
    )
    imported = import_recognitions(
        gateway,
        ministry,
        [_row(uscc, "新晋领航工厂", "卓越级")],
        "工信厅联通装函〔2024〕示例号（e2e）",
    )
    assert imported.status_code == 201, imported.text
    submitted = _submit(gateway, enterprise, did)
    assert submitted.status_code == 200, submitted.text

    # The enterprise reads its own history; the ministry the same through the register.
    own = gateway.get(
        "/api/declaration/v1/recognitions", params={"enterprise_uscc": uscc}, headers=enterprise
    )
    assert {(e["tier"], e["authority"]) for e in own.json()["items"]} == {
        ("advanced", "350000"),
        ("excellence", "ministry"),
    }


def test_the_province_recognises_advanced_by_submitting_its_list(
    gateway: httpx.Client, signing_key
) -> None:
    """Without an import: the enterprise's 基础级 self-assessment backs its 先进级 declaration,
    Fujian forwards it and submits its 先进级 list (the province's recognition, 251号 一(二)),
    the review service's `review.list_submitted` writes the register, and a 卓越级 declaration
    of the same factory then submits."""
    uscc, enterprise = _new_enterprise(gateway, signing_key)
    factory_id = _factory(gateway, enterprise, uscc, "自评起步工厂")
    advanced = _draft(gateway, enterprise, uscc, "", "advanced", factory_id)
    _refused_for_want_of(_submit(gateway, enterprise, advanced), "基础级")
    assessed = gateway.post(
        "/api/declaration/v1/self-assessments",
        json={
            **FORM,
            "enterprise_name": "福州新晋智能制造有限公司",
            "factory_name": "自评起步工厂",
        },
        headers={**enterprise, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert assessed.status_code == 201 and assessed.json()["outcome"] == "eligible", assessed.text
    assert _submit(gateway, enterprise, advanced).status_code == 200

    county, city, province = (
        minted(signing_key, f"e2e:{role}", role, region=region)
        for role, region in (("county", "350102"), ("city", "350100"), ("province", "350000"))
    )
    forward_up_fujian(gateway, advanced, county, city, province)
    url = f"{LISTS}/{DEMO_YEAR}/advanced/350000"
    assert gateway.put(url, headers=province).status_code in (200, 201)
    added = gateway.post(
        f"{url}/entries",
        json={"declaration_id": advanced},
        headers={**province, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert added.status_code == 201, added.text
    locked = gateway.post(f"{url}/lock", headers={**province, "If-Match": added.headers["ETag"]})
    assert locked.status_code == 200, locked.text
    listed = gateway.post(
        f"{url}/submit",
        headers={**province, "If-Match": locked.headers["ETag"],
                 "Idempotency-Key": uuid.uuid4().hex},
    )  # fmt: skip
    assert listed.status_code == 200, listed.text

    def recognised():
        items = gateway.get(f"{PUBLIC}/{uscc}").json()["items"]
        return items or None

    (entry,) = _until("the 先进级 list to reach the register", recognised)
    assert (entry["tier"], entry["year"], entry["authority"], entry["source_kind"]) == (
        "advanced",
        DEMO_YEAR,
        "350000",
        "list_submission",
    )
    excellence = _draft(gateway, enterprise, uscc, "", "excellence", factory_id)
    submitted = _submit(gateway, enterprise, excellence)
    assert submitted.status_code == 200, submitted.text
