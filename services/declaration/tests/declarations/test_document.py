"""The 申报书 as a typed document: form rules on save, completeness per tier at submission, the
facts the rules service is asked about, and the classification-marking scan."""

from __future__ import annotations

import uuid

import pytest
from declaration_documents import document
from sqlalchemy import func, select

from ladder.declaration.declarations.document import DeclarationFacts, to_rules_facts
from ladder.declaration.declarations.models import Declaration

FACTORY_ID = "00000000-0000-4000-8000-000000000101"  # seeded demo factory in 350102


def _draft(tier: str, facts: dict) -> dict:
    return {"factory_id": FACTORY_ID, "campaign_year": 2025, "tier": tier, "facts": facts}


async def _create(client, headers, body):
    return await client.post(
        "/v1/declarations", json=body, headers={**headers, "Idempotency-Key": uuid.uuid4().hex}
    )


async def _declarations(client) -> int:
    async with client.app.state.db.transaction() as session:
        return (await session.execute(select(func.count()).select_from(Declaration))).scalar_one()


def _with(path: str, value) -> dict:
    """A complete pilot document with one field replaced (dotted path, list indexes as ints)."""
    doc = document("pilot")
    *parents, last = path.split(".")
    target = doc
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    if last.isdigit():
        target[int(last)] = value
    else:
        target[last] = value
    return doc


@pytest.mark.parametrize(
    ("facts", "code", "field"),
    [
        (_with("cmmm_level", 9), "validation_error", "facts.cmmm_level"),
        (_with("applicant.operating_regions", ["0350"]), "validation_error",
         "facts.applicant.operating_regions[0]"),
        (_with("applicant.industry", "3411"), "validation_error", "facts.applicant.industry"),
        (_with("applicant.nature", "cooperative"), "validation_error", "facts.applicant.nature"),
        (_with("applicant.contacts.0.mobile", "12345"), "validation_error",
         "facts.applicant.contacts[0].mobile"),
        (_with("applicant.contacts", []), "validation_error", "facts.applicant.contacts"),
        (_with("factory_info.total_investment", -1), "validation_error",
         "facts.factory_info.total_investment"),
        (_with("factory_info.construction_end", "2021-01-01"), "validation_error",
         "facts.factory_info.construction_end"),
        (_with("factory_info.authenticity_commitment", "yes"), "validation_error",
         "facts.factory_info.authenticity_commitment"),
        (_with("kpis.productivity_gain", {"achieved": 1e12}), "validation_error",
         "facts.kpis.productivity_gain.achieved"),
        (_with("cultivation_plan.directions.0.category", "营销模式创新"), "validation_error",
         "facts.cultivation_plan.directions[0].category"),
        (_with("scenes.1", document("pilot")["scenes"][0]), "validation_error", "facts.scenes"),
        (_with("scenes.2.scene", "数字化车间"), "unknown_scene", "facts.scenes[2].scene"),
        (_with("scenes.0.segment", "质量管控"), "unknown_scene_segment",
         "facts.scenes[0].segment"),
        (_with("kpis.revenue", {"achieved": 3}), "unknown_kpi", "facts.kpis.revenue"),
    ],
)  # fmt: skip
async def test_form_rules_are_422_naming_the_field_and_write_nothing(
    client, enterprise, facts, code, field
) -> None:
    resp = await _create(client, enterprise, _draft("pilot", facts))
    assert resp.status_code == 422, resp.text
    err = resp.json()["error"]
    assert err["code"] == code
    assert field in [f["field"] for f in err["details"]["fields"]], err
    assert err["message"] and err["message_en"]
    assert await _declarations(client) == 0


async def test_a_draft_may_be_partial(client, enterprise) -> None:
    resp = await _create(client, enterprise, _draft("pilot", {"cmmm_level": 4}))
    assert resp.status_code == 201, resp.text
    assert resp.json()["facts"] == {"cmmm_level": 4, "segments": []}


@pytest.mark.parametrize(
    ("tier", "drop", "fields"),
    [
        ("pilot", "cultivation_plan", ["facts.cultivation_plan"]),
        ("pilot", "effects", ["facts.effects"]),
        ("excellence", "applicant", ["facts.applicant"]),
        ("excellence", "factory_info", ["facts.factory_info"]),
        ("excellence", "scenes", ["facts.scenes"]),
        ("excellence", "kpis", ["facts.kpis"]),
        ("excellence", "no_secrets_commitment", ["facts.no_secrets_commitment"]),
    ],
)
async def test_submitting_without_a_section_of_the_tier_is_422(
    client, enterprise, tier, drop, fields
) -> None:
    facts = document(tier)
    del facts[drop]
    did = (await _create(client, enterprise, _draft(tier, facts))).json()["id"]
    resp = await client.post(
        f"/v1/declarations/{did}/submit",
        headers={**enterprise, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert resp.status_code == 422, resp.text
    err = resp.json()["error"]
    assert err["code"] == "declaration_incomplete"
    assert [f["field"] for f in err["details"]["fields"]] == fields
    read = (await client.get(f"/v1/declarations/{did}", headers=enterprise)).json()
    assert read["status"] == "draft" and read["current_version"] is None


async def test_a_complete_pilot_document_submits(client, enterprise) -> None:
    did = (await _create(client, enterprise, _draft("pilot", document("pilot")))).json()["id"]
    resp = await client.post(
        f"/v1/declarations/{did}/submit",
        headers={**enterprise, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "submitted"


async def test_precheck_warns_about_classification_markings(client, enterprise) -> None:
    facts = _with("effects.results", "详见附件《产线改造方案》（秘密★1年）")
    did = (await _create(client, enterprise, _draft("pilot", facts))).json()["id"]
    resp = await client.post(f"/v1/declarations/{did}/precheck", headers=enterprise)
    assert resp.status_code == 200, resp.text
    warnings = resp.json()["warnings"]
    assert [(w["field"], w["marking"]) for w in warnings] == [("facts.effects.results", "秘密★")]
    assert "国家秘密" in warnings[0]["message"]


def test_rules_facts_are_derived_from_the_document() -> None:
    doc = DeclarationFacts.model_validate(document("pilot"))
    facts = to_rules_facts(doc, registered_region="350102")
    assert facts["applicant"] == {
        "legal_form": "legal_person",
        "registered_region": "350102",
        "operating_regions": ["350102"],
        "industry": "C3411",
    }
    assert facts["kpis"] == {"ai_scene_share": 60, "productivity_gain": 35, "model_count": None}
    assert facts["materials"] == [
        "applicant_info",
        "factory_info",
        "scene_construction",
        "cultivation_plan",
        "effects",
    ]
    assert facts["commitments"] == {"authenticity": True, "no_secrets": True}
    # The applicant's claim of the tier held is kept in the document but never judged: the
    # prerequisite is evaluated on the register (`recognitions.facts_for`), issue 14.
    assert "recognised_tier" not in facts and "recognitions" not in facts
    assert facts["basic_requirements"]["above_scale"] is True
    assert [s["ai"] for s in facts["scenes"]] == [True, True, True, False, False]


def test_a_partial_document_passes_on_only_what_it_has() -> None:
    facts = to_rules_facts(
        DeclarationFacts.model_validate({"cmmm_level": 2}), registered_region="1"
    )
    assert facts == {"cmmm_level": 2, "segments": [], "materials": []}
