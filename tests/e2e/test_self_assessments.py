"""基础级 self-assessments end to end through the gateway, against the real rules service:
the short form evaluated by the 2025 edition, a refused KPI named as the form's field, and a
province's import from the campaign's own template."""

from __future__ import annotations

import csv
import io
import uuid

import httpx
import pytest

from tests.conftest import dev_token

pytestmark = pytest.mark.crossservice

SA = "/api/declaration/v1/self-assessments"
YEAR = 2026  # the seeded demo campaign, edition 2025
ATTESTED = [
    "above_scale", "competitive", "sound_finances", "no_bad_credit", "no_major_accident",
    "no_violations", "secure_controllable", "security_risks_controlled", "organisation", "talent",
]  # fmt: skip
FORM = {
    "campaign_year": YEAR,
    "enterprise_name": "福州示范智能装备有限公司",
    "region_code": "350102",
    "factory_name": "e2e 自评工厂",
    "cmmm_level": 2,
    "segments": [{"segment": "生产作业", "built": "在线智能检测"}],
    "attestations": dict.fromkeys(ATTESTED, True),
    "kpis": {"productivity_gain": 15.0, "model_count": None},
}


def _post(gateway: httpx.Client, headers: dict[str, str], body: dict) -> httpx.Response:
    return gateway.post(SA, json=body, headers={**headers, "Idempotency-Key": uuid.uuid4().hex})


def filled(headers: list[str], values: dict[str, str]) -> bytes:
    """The template's header row and one row of `values` by column key (`表头(key)`)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerow([values.get(h.rsplit("(", 1)[1].rstrip(")"), "") for h in headers])
    return out.getvalue().encode()


def test_short_form_with_the_real_rules(gateway: httpx.Client):
    enterprise = dev_token(gateway, "enterprise")
    eligible = _post(gateway, enterprise, FORM)
    assert eligible.status_code in (200, 201), eligible.text
    assert eligible.json()["outcome"] == "eligible"
    assert eligible.json()["rules_edition"] == "2025"

    unattested = _post(gateway, enterprise, {**FORM, "attestations": None})
    assert unattested.json()["outcome"] == "incomplete"
    assert any(f["rule_id"].startswith("basic.") for f in unattested.json()["findings"])

    uncovered = _post(gateway, enterprise, {**FORM, "segments": [{"segment": "生产管理"}]})
    assert uncovered.json()["outcome"] == "ineligible"

    refused = _post(gateway, enterprise, {**FORM, "kpis": {"no_such_kpi": 1}})
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["details"]["fields"][0]["field"] == "kpis.no_such_kpi"


def test_province_imports_from_the_template(gateway: httpx.Client):
    province = dev_token(gateway, "province")
    template = gateway.get(
        f"{SA}/imports/template.csv", params={"campaign_year": YEAR}, headers=province
    )
    assert template.status_code == 200
    headers = next(csv.reader(io.StringIO(template.content.decode("utf-8-sig"))))
    assert len([h for h in headers if "(kpi." in h]) == 21  # the 2025 KPI table
    values = {
        "uscc": "91350103MA2Y000033",
        "name": "台江示范制造有限公司",
        "region": "350103",
        "cmmm_level": "3",
        "segments": "生产作业、生产管理",
        "attest.scale": "是",
        "attest.track_record": "是",
        "attest.security": "是",
        "attest.organisation": "是",
        "kpi.productivity_gain": "12",
    }
    resp = gateway.post(
        f"{SA}/imports",
        params={"campaign_year": YEAR},
        content=filled(headers, values),
        headers={**province, "Content-Type": "text/csv", "Idempotency-Key": uuid.uuid4().hex},
    )
    assert resp.status_code == 201, resp.text
    assert resp.json()["outcomes"] == {"eligible": 1}
    listing = gateway.get(
        SA,
        params={"campaign_year": YEAR, "enterprise_uscc": "91350103MA2Y000033"},
        headers=province,
    )
    assert [i["enterprise_name"] for i in listing.json()["items"]] == ["台江示范制造有限公司"]
