"""Who may import earlier years' recognised lists, and who reads an import record (who reads
which entries is one statement: `repository.readable_by`).

The recognising authorities import: the ministry for any region (it publishes 卓越级 and
领航级), a province — or the XPCC, a province-level unit — for its own regions (it recognises
先进级, 251号 一(二)). Their regions are the self-assessment scopes (`selfassessments.auth`,
on the units registry). A central-SOE group HQ also recognises its group's 先进级 (251号
一(二)); its import of earlier lists is not offered yet (its rows would need the group check
of the self-assessment import)."""

from __future__ import annotations

from ladder.declaration.recognitions.models import RecognitionImport
from ladder.declaration.selfassessments.auth import scope_of
from ladder.kit.auth import Principal, Role

RECOGNISING_ROLES = frozenset({Role.province, Role.ministry})


def may_import(principal: Principal) -> bool:
    return principal.role in RECOGNISING_ROLES and scope_of(principal) is not None


def import_jurisdiction(principal: Principal) -> str:
    """The region prefix every imported row must be inside ('' = nationwide)."""
    scope = scope_of(principal)
    assert scope is not None and principal.role in RECOGNISING_ROLES
    return scope.single_region


def may_read_import(principal: Principal, record: RecognitionImport) -> bool:
    """The importer's level and those above it."""
    if principal.role is Role.service:
        return True
    scope = scope_of(principal) if principal.role in RECOGNISING_ROLES else None
    return scope is not None and record.jurisdiction.startswith(scope.regions)
