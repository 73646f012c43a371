"""Who may fill in, import and read self-assessments."""

from __future__ import annotations

from ladder.declaration.selfassessments.models import SelfAssessment, SelfAssessmentImport
from ladder.kit.auth import Principal, Role

IMPORTING_ROLES = frozenset({Role.province, Role.ministry})


def may_import(principal: Principal) -> bool:
    """A province (for its own regions) or the ministry (nationwide)."""
    return principal.role in IMPORTING_ROLES and principal.region_prefix() is not None


def import_jurisdiction(principal: Principal) -> str:
    """The region prefix every imported row must be inside ('' = nationwide)."""
    prefix = principal.region_prefix()
    assert prefix is not None
    return prefix


def may_read(principal: Principal, assessment: SelfAssessment) -> bool:
    if principal.role is Role.enterprise:
        return principal.org is not None and principal.org.upper() == assessment.enterprise_uscc
    if principal.role is Role.service:
        return True
    return principal.covers_region(assessment.region_code)


def may_read_import(principal: Principal, record: SelfAssessmentImport) -> bool:
    """The importer's own level and those above it: a province reads its imports, the
    ministry every import."""
    if principal.role is Role.service:
        return True
    if principal.role not in IMPORTING_ROLES:
        return False
    prefix = principal.region_prefix()
    return prefix is not None and record.jurisdiction.startswith(prefix)
