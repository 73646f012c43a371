"""A 卓越级 申报书 end to end through the gateway with real processes: the declaration service
derives the facts, the real rules service judges them under the Fujian overlay, the
submission freezes a version, the review service's status comes back to the declaration, the
printed PDF carries its fingerprint, and anyone holding the paper can verify it without a
token."""

from __future__ import annotations

import io
import time
import uuid

import httpx
import pytest
from pypdf import PdfReader

from ladder.declaration.declarations.document import DeclarationFacts
from tests.conftest import dev_token, new_factory

pytestmark = pytest.mark.crossservice

DECL = "/api/declaration/v1/declarations"
FACTORY_ID = "00000000-0000-4000-8000-000000000101"  # the seeded demo factory in 350102
DEMO_YEAR = 2026  # the seeded demo campaign (演示批次), open until 2027
KPI_KEYS = [
    "key_equipment_nc_rate", "apc_usage_rate", "digital_equipment_rate", "ai_scene_share",
    "model_count", "rnd_cycle_reduction", "sales_growth", "productivity_gain",
    "resource_utilisation_gain", "defect_rate_reduction", "oee_gain", "inventory_turnover_gain",
    "supplier_on_time_gain", "order_on_time_gain", "operating_cost_reduction",
    "labour_productivity_gain", "energy_intensity_reduction", "co2_intensity_reduction",
    "solid_waste_utilisation_rate", "water_reuse_rate", "diffusion_enterprise_count",
]  # fmt: skip
ATTESTED = [
    "above_scale", "competitive", "sound_finances", "no_bad_credit", "no_major_accident",
    "no_violations", "secure_controllable", "security_risks_controlled", "organisation", "talent",
]  # fmt: skip


def _scene(segment: str, scene: str, instance: str, *, ai: bool = False) -> dict:
    return {"segment": segment, "scene": scene, "instance": instance, "ai": ai}


def _document() -> dict:
    kpis = {key: {"not_applicable": True} for key in KPI_KEYS}
    kpis["ai_scene_share"] = {"baseline": 10, "achieved": 60}
    kpis["productivity_gain"] = {"achieved": 32.5}
    return {
        "cmmm_level": 3,
        "summary": "高端装备智能工厂",
        "recognised_tier": "advanced",
        "attestations": dict.fromkeys(ATTESTED, True),
        "applicant": {
            "address": "福建省福州市鼓楼区示范路1号",
            "nature": "private",
            "industry": "C3411",
            "legal_form": "legal_person",
            "operating_regions": ["350102"],
            "contacts": [{"name": "林工", "role": "项目负责人", "mobile": "13800000000"}],
        },
        "factory_info": {
            "construction_start": "2022-01-01",
            "construction_end": "2024-12-31",
            "total_investment": 12000,
            "integrators": ["示范集成商"],
            "summary": "建设内容概述",
            "effects": "建设成效概述",
            "authenticity_commitment": True,
        },
        "scene_construction": {
            "overall": "总体情况",
            "key_segments": "重点环节",
            "system_integration": "系统集成",
        },
        "scenes": [
            _scene("工厂建设", "数字孪生工厂构建", "总装数字孪生", ai=True),
            _scene("产品研发", "产品数字化设计", "生成式设计", ai=True),
            _scene("生产作业", "在线智能检测", "焊缝视觉检测", ai=True),
            _scene("生产管理", "车间智能排产", "混流排产"),
            _scene("供应链管理", "供应链数字化管理", "协同平台"),
        ],
        "effects": {"advancement": "先进性", "results": "实施成效", "next_plans": "后续计划"},
        "kpis": kpis,
        "no_secrets_commitment": True,
    }


def test_an_excellence_declaration_is_judged_printed_and_verified(gateway: httpx.Client) -> None:
    enterprise = dev_token(gateway, "enterprise")
    created = gateway.post(
        DECL,
        json={
            "factory_id": new_factory(gateway, enterprise),
            "campaign_year": DEMO_YEAR,
            "tier": "excellence",
            "facts": _document(),
        },
        headers={**enterprise, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert created.status_code == 201, created.text
    did = created.json()["id"]

    pre = gateway.post(f"{DECL}/{did}/precheck", headers=enterprise)
    assert pre.status_code == 200, pre.text
    answer = pre.json()
    assert answer["overlays"] == ["fujian-2025"]
    # Everything the enterprise gives passes; the credit check is the county's to record.
    assert [(f["rule_id"], f["status"]) for f in answer["findings"] if not f["passed"]] == [
        ("local.credit_blacklist", "not_provided")
    ]

    submitted = gateway.post(
        f"{DECL}/{did}/submit", headers={**enterprise, "Idempotency-Key": uuid.uuid4().hex}
    )
    assert submitted.status_code == 200, submitted.text
    fingerprint = submitted.json()["current_fingerprint"]

    # The review service opens the case and says so back through its outbox.
    deadline = time.monotonic() + 20
    status = None
    while time.monotonic() < deadline:
        status = gateway.get(f"{DECL}/{did}", headers=enterprise).json()["review_status"]
        if status:
            break
        time.sleep(0.2)
    assert status is not None, "the review status never came back"
    assert (status["status"], status["event"], status["version"]) == (
        "awaiting_initial_review",
        "received",
        1,
    )

    pdf = gateway.get(f"{DECL}/{did}/versions/1/pdf", headers=enterprise)
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "福州示范智能装备有限公司" in text
    assert fingerprint in text

    verified = gateway.get(f"/api/declaration/public/v1/verifications/{fingerprint}")
    assert verified.status_code == 200, verified.text
    assert verified.json()["is_current"] is True
    assert verified.json()["enterprise_name"] == "福州示范智能装备有限公司"


def _draft(gateway: httpx.Client, enterprise: dict[str, str], document: dict) -> httpx.Response:
    """POST a 卓越级 draft of the demo factory in the demo campaign."""
    return gateway.post(
        DECL,
        json={"factory_id": new_factory(gateway, enterprise), "campaign_year": DEMO_YEAR,
              "tier": "excellence",
              "facts": document},
        headers={**enterprise, "Idempotency-Key": uuid.uuid4().hex},
    )  # fmt: skip


def test_an_unknown_scene_is_refused_before_anything_is_written(gateway: httpx.Client) -> None:
    enterprise = dev_token(gateway, "enterprise")
    document = _document()
    document["scenes"][2]["scene"] = "数字化车间"
    resp = _draft(gateway, enterprise, document)
    assert resp.status_code == 422, resp.text
    assert resp.json()["error"]["code"] == "unknown_scene"
    assert resp.json()["error"]["details"]["fields"][0]["field"] == "facts.scenes[2].scene"


def test_every_finding_points_at_a_field_of_the_declaration(gateway: httpx.Client) -> None:
    """The real rules service names the facts it evaluated; each finding's `field` is a path
    of the declaration (its document, the enterprise profile, the county's credit check, or
    the register of recognised tiers that the prerequisite is judged on),
    so a portal can show it beside what to fix (issue 14). The rules' own path is `fact`."""
    enterprise = dev_token(gateway, "enterprise")
    document = _document()
    document["attestations"]["no_bad_credit"] = False
    del document["no_secrets_commitment"]
    created = _draft(gateway, enterprise, document)
    assert created.status_code == 201, created.text
    did = created.json()["id"]
    findings = gateway.post(f"{DECL}/{did}/precheck", headers=enterprise).json()["findings"]
    for f in findings:
        field = f["field"]
        if field is None or field == "facts":  # about the document as a whole (materials)
            continue
        if field.startswith("facts."):
            section = field.removeprefix("facts.").split(".")[0].split("[")[0]
            assert section in DeclarationFacts.model_fields, f
        else:
            assert field in ("enterprise.region_code", "recognitions") or field.startswith(
                "credit_check"
            ), f
    failed = {f["fact"]: f["field"] for f in findings if not f["passed"]}
    assert failed["facts.basic_requirements.no_bad_credit"] == "facts.attestations.no_bad_credit"
    assert failed["facts.commitments.no_secrets"] == "facts.no_secrets_commitment"
    assert any(f.startswith("credit_check") for f in failed.values())
