"""Where a pre-check finding points in the declaration: the rules service names the facts it
evaluated (`to_rules_facts` derives them from the document), and most keep the document's own
path (`facts.scenes[3]`, `facts.kpis.x`, `facts.applicant.industry`). The ones that do not are
renamed here, so a portal can put each finding beside the field to fix (issue 14)."""

from __future__ import annotations

# rules' fact path (prefix) → the path in this service's declaration resource
_RENAMED: tuple[tuple[str, str], ...] = (
    # 基础要求 1–4 are the document's attestations, by the same keys.
    ("facts.basic_requirements", "facts.attestations"),
    # 真实性承诺 sits with the factory information (附件2/附件4 一、2), the 保密承诺 at the top.
    ("facts.commitments.authenticity", "facts.factory_info.authenticity_commitment"),
    ("facts.commitments.no_secrets", "facts.no_secrets_commitment"),
    ("facts.commitments", "facts"),
    # Which sections are complete is derived from the document as a whole.
    ("facts.materials", "facts"),
    # The registered region is the enterprise profile's, not the document's.
    ("facts.applicant.registered_region", "enterprise.region_code"),
    # The tier held is the register's (认定记录, /v1/recognitions), not the document's.
    ("facts.recognitions", "recognitions"),
    # The credit check is the recommending county's, given with its opinion after submission.
    ("facts.credit_check", "credit_check"),
)


def document_path(fact: str | None) -> str | None:
    """The declaration's path for the rules' `fact` path (unchanged where they agree)."""
    if fact is None:
        return None
    for prefix, renamed in _RENAMED:
        if fact == prefix or fact.startswith((prefix + ".", prefix + "[")):
            return renamed + fact[len(prefix) :] if renamed != "facts" else renamed
    return fact
