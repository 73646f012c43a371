"""The evaluations route over HTTP: the contract the declaration service relies on."""

from __future__ import annotations

from datetime import date

import pytest

from ladder.rules.editions import service as editions_service

GOOD = {"cmmm_level": 3, "segments": ["生产作业", "生产管理", "运营管理"]}
KPI_KEYS_2025 = [
    "key_equipment_nc_rate", "apc_usage_rate", "digital_equipment_rate", "ai_scene_share",
    "model_count", "rnd_cycle_reduction", "sales_growth", "productivity_gain",
    "resource_utilisation_gain", "defect_rate_reduction", "oee_gain", "inventory_turnover_gain",
    "supplier_on_time_gain", "order_on_time_gain", "operating_cost_reduction",
    "labour_productivity_gain", "energy_intensity_reduction", "co2_intensity_reduction",
    "solid_waste_utilisation_rate", "water_reuse_rate", "diffusion_enterprise_count",
]  # fmt: skip
BASIC_ATTESTED = dict.fromkeys(
    [
        "above_scale", "competitive", "sound_finances", "no_bad_credit", "no_major_accident",
        "no_violations", "secure_controllable", "security_risks_controlled", "organisation",
        "talent",
    ],
    True,
)  # fmt: skip
# Complete facts for 先进级 (2025): every rule of the tier can be checked and passes.
COMPLETE = {
    **GOOD,
    "basic_requirements": BASIC_ATTESTED,
    "recognitions": [
        {"tier": "basic", "year": 2025, "authority": "self", "source": "self_assessment"}
    ],
    "kpis": dict.fromkeys(KPI_KEYS_2025, None) | {"productivity_gain": 25.0},
}


def _body(**overrides) -> dict:
    return {"edition": "2025", "tier": "advanced", "facts": GOOD, **overrides}


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/v1/editions"), ("GET", "/v1/editions/2025"), ("POST", "/v1/evaluations")],
)
async def test_no_token_is_401(client, method, path) -> None:
    resp = await client.request(method, path, json=_body() if method == "POST" else None)
    assert resp.status_code == 401
    assert resp.json()["error"]["code"] == "unauthenticated"


async def test_eligible_answer_lists_no_findings_by_default(client, enterprise) -> None:
    resp = await client.post("/v1/evaluations", json=_body(facts=COMPLETE), headers=enterprise)
    assert resp.status_code == 200
    assert resp.json() == {
        "edition": "2025",
        "tier": "advanced",
        "jurisdiction": None,
        "overlays": [],
        "outcome": "eligible",
        "eligible": True,
        "complete": True,
        "counts": {"passed": 9, "failed": 0, "not_provided": 0},
        "findings": [],
    }


async def test_a_draft_with_few_facts_is_incomplete_not_ineligible(client, enterprise) -> None:
    resp = await client.post("/v1/evaluations", json=_body(), headers=enterprise)
    answer = resp.json()
    assert (answer["outcome"], answer["eligible"], answer["complete"]) == (
        "incomplete",
        False,
        False,
    )
    missing = {f["rule_id"] for f in answer["findings"] if f["status"] == "not_provided"}
    assert missing == {
        "basic.scale",
        "basic.track_record",
        "basic.security",
        "basic.organisation",
        "prerequisite.tier",
        "kpi.completeness",
    }
    assert all(f["message"].startswith("未填报") for f in answer["findings"])


async def test_failures_lists_only_findings_that_did_not_pass(client, enterprise) -> None:
    facts = {**COMPLETE, "segments": ["生产作业", "生产管理", "运营管理"]}
    resp = await client.post(
        "/v1/evaluations", json=_body(tier="excellence", facts=facts), headers=enterprise
    )
    assert resp.status_code == 200
    answer = resp.json()
    coverage = next(f for f in answer["findings"] if f["rule_id"] == "segments.coverage")
    assert coverage == {
        "rule_id": "segments.coverage",
        "edition": "2025",
        "clause": "要素条件(2025) 四(一)",
        "severity": "warning",
        "status": "failed",
        "passed": False,
        "expected": ["工厂建设", "研发设计", "生产作业", "生产管理", "运营管理"],
        "actual": ["生产作业", "生产管理", "运营管理"],
        "field": "facts.segments",
        "overlay": None,
        "message": "卓越级智能工厂原则上应覆盖"
        "工厂建设、研发设计、生产作业、生产管理、运营管理环节，"
        "未覆盖：工厂建设、研发设计（原则性要求，评审可酌情认定）",
        "message_en": "The excellence tier should in principle cover factory construction, "
        "R&D and design, production operations, production management, operations management; "
        "missing: factory construction, R&D and design (a reviewer may waive this)",
    }
    assert all(not f["passed"] for f in answer["findings"])


async def test_explain_full_lists_passed_rules(client, issuer) -> None:
    body = _body(tier="pilot", explain="full", facts={**COMPLETE, "summary": "建设概述"})
    resp = await client.post(
        "/v1/evaluations", json=body, headers=issuer.service_headers("declaration")
    )
    assert resp.status_code == 200
    answer = resp.json()
    assert answer["eligible"] is False
    by_rule = {f["rule_id"]: f for f in answer["findings"]}
    assert by_rule["cmmm.level"]["passed"] is False
    assert (by_rule["cmmm.level"]["expected"], by_rule["cmmm.level"]["actual"]) == (4, 3)
    assert by_rule["segments.coverage"]["passed"] is False
    assert by_rule["basic.scale"]["passed"] is True

    ok = await client.post(
        "/v1/evaluations",
        json=_body(explain="full", facts=COMPLETE),
        headers=issuer.service_headers("declaration"),
    )
    assert ok.json()["eligible"] is True
    assert [(f["rule_id"], f["passed"]) for f in ok.json()["findings"]] == [
        ("basic.scale", True),
        ("basic.track_record", True),
        ("basic.security", True),
        ("basic.organisation", True),
        ("cmmm.level", True),
        ("prerequisite.tier", True),
        ("segments.coverage", True),
        ("kpi.completeness", True),
        ("kpi.plausibility", True),
    ]


async def test_edition_defaults_to_the_one_in_effect(client, enterprise, monkeypatch) -> None:
    body = _body()
    del body["edition"]
    resp = await client.post("/v1/evaluations", json=body, headers=enterprise)
    assert resp.json()["edition"] == "2025"
    monkeypatch.setattr(editions_service, "today", lambda: date(2025, 1, 15))
    resp = await client.post("/v1/evaluations", json=body, headers=enterprise)
    assert resp.json()["edition"] == "2024"


async def test_earlier_edition_can_be_named(client, enterprise) -> None:
    resp = await client.post(
        "/v1/evaluations", json=_body(edition="2024", explain="full"), headers=enterprise
    )
    assert resp.status_code == 200
    clauses = {f["rule_id"]: f["clause"] for f in resp.json()["findings"]}
    assert clauses["cmmm.level"] == "要素条件(2024) 一5"
    assert clauses["segments.coverage"] == "要素条件(2024) 三(一)"
    assert clauses["basic.scale"] == "要素条件(2024) 一1"


async def test_unknown_edition_is_422_naming_the_field(client, enterprise) -> None:
    resp = await client.post("/v1/evaluations", json=_body(edition="2019"), headers=enterprise)
    assert resp.status_code == 422
    err = resp.json()["error"]
    assert err["code"] == "unknown_edition"
    assert [f["field"] for f in err["details"]["fields"]] == ["edition"]
    assert err["message"] and err["message_en"]


async def test_unknown_segment_is_422_naming_the_field(client, enterprise) -> None:
    facts = {"cmmm_level": 3, "segments": ["生产作业", "质量管控", "运营管理", "仓储物流"]}
    resp = await client.post("/v1/evaluations", json=_body(facts=facts), headers=enterprise)
    assert resp.status_code == 422
    err = resp.json()["error"]
    assert err["code"] == "unknown_segment"
    assert [f["field"] for f in err["details"]["fields"]] == [
        "facts.segments[1]",
        "facts.segments[3]",
    ]
    assert err["details"]["fields"][0]["allowed"] == [
        "工厂建设",
        "研发设计",
        "生产作业",
        "生产管理",
        "运营管理",
    ]
    assert "facts.segments[1]" in err["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_body(tier="platinum"), "tier"),
        (_body(tier=None), "tier"),
        (_body(explain="everything"), "explain"),
        (_body(facts={**GOOD, "cmmm_level": 9}), "facts.cmmm_level"),
        (_body(facts={**GOOD, "cmmm_level": 0}), "facts.cmmm_level"),
        (_body(facts={**GOOD, "cmmm_level": "3"}), "facts.cmmm_level"),
        (_body(facts={**GOOD, "cmmm_level": True}), "facts.cmmm_level"),
        (_body(facts={**GOOD, "cmmm_level": 2.5}), "facts.cmmm_level"),
        (_body(facts={"segments": ["生产作业"]}), "facts.cmmm_level"),
        (_body(facts={**GOOD, "segments": "生产作业"}), "facts.segments"),
        (_body(facts={**GOOD, "segments": ["生产作业", "生产作业"]}), "facts.segments"),
        (_body(facts={**GOOD, "segments": [7]}), "facts.segments[0]"),
        (_body(facts={**GOOD, "revenue": 10}), "facts.revenue"),
        (_body(facts={**GOOD, "summary": "字" * 4001}), "facts.summary"),
        (_body(facts=None), "facts"),
        (_body(edition=""), "edition"),
        (_body(edition=2025), "edition"),
        ({**_body(), "extra": 1}, "extra"),
    ],
)
async def test_bad_input_is_422_naming_the_field(client, enterprise, body, field) -> None:
    resp = await client.post("/v1/evaluations", json=body, headers=enterprise)
    assert resp.status_code == 422, resp.text
    err = resp.json()["error"]
    assert err["code"] == "validation_error"
    assert field in [f["field"] for f in err["details"]["fields"]]


@pytest.mark.parametrize("raw", [b"{", b"[]", b"null", b'"text"', b'{"tier": "basic"}'])
async def test_malformed_bodies_are_never_500(client, enterprise, raw) -> None:
    headers = {**enterprise, "Content-Type": "application/json"}
    resp = await client.post("/v1/evaluations", content=raw, headers=headers)
    assert resp.status_code == 422, resp.text
    assert resp.json()["error"]["code"] == "validation_error"


async def test_openapi_declares_the_routes(client) -> None:
    resp = await client.get("/openapi.json")
    assert resp.status_code == 200
    paths = resp.json()["paths"]
    assert {"/v1/editions", "/v1/editions/{edition_id}", "/v1/evaluations"} <= set(paths)
    assert "422" in paths["/v1/evaluations"]["post"]["responses"]
