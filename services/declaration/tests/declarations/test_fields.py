"""Pre-check findings point at the declaration's own fields (`fields.document_path`)."""

from __future__ import annotations

import pytest

from ladder.declaration.declarations.document import DeclarationFacts
from ladder.declaration.declarations.fields import document_path


@pytest.mark.parametrize(
    ("fact", "field"),
    [
        ("facts.basic_requirements", "facts.attestations"),
        ("facts.basic_requirements.no_bad_credit", "facts.attestations.no_bad_credit"),
        ("facts.commitments.authenticity", "facts.factory_info.authenticity_commitment"),
        ("facts.commitments.no_secrets", "facts.no_secrets_commitment"),
        ("facts.materials", "facts"),
        ("facts.applicant.registered_region", "enterprise.region_code"),
        ("facts.credit_check.gsxt", "credit_check.gsxt"),
        ("facts.credit_check", "credit_check"),
        # The prerequisite is judged on the register (/v1/recognitions), not the document.
        ("facts.recognitions", "recognitions"),
        # Where the names agree they pass through unchanged.
        ("facts.scenes[3].scene", "facts.scenes[3].scene"),
        ("facts.kpis.ai_scene_share", "facts.kpis.ai_scene_share"),
        ("facts.applicant.industry", "facts.applicant.industry"),
        ("facts.recognised_tier", "facts.recognised_tier"),
        (None, None),
    ],
)
def test_rules_fact_paths_become_declaration_paths(fact, field):
    assert document_path(fact) == field


def test_a_prefix_is_renamed_only_at_a_path_boundary():
    assert document_path("facts.materials_extra") == "facts.materials_extra"


@pytest.mark.parametrize(
    "fact",
    ["facts.basic_requirements.x", "facts.commitments.authenticity", "facts.commitments.no_secrets",
     "facts.cmmm_level", "facts.segments", "facts.summary", "facts.scenes", "facts.kpis.x",
     "facts.applicant.legal_form", "facts.applicant.operating_regions"],
)  # fmt: skip
def test_each_document_path_names_a_section_of_the_document(fact):
    section = document_path(fact).removeprefix("facts.").split(".")[0].split("[")[0]
    assert section in DeclarationFacts.model_fields
