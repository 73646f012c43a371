"""Who may import earlier years' recognised lists, and who reads an import record (who reads
which entries is one statement: `repository.readable_by`).

Importing is the self-assessment import's rule (`selfassessments.auth`): the ministry for any
region (it publishes 卓越级 and 领航级), a province for its own (it recognises 先进级, 251号
一(二))."""

from __future__ import annotations

from ladder.declaration.recognitions.models import RecognitionImport
from ladder.declaration.selfassessments.auth import (
    IMPORTING_ROLES,
    import_jurisdiction,
    may_import,
)
from ladder.kit.auth import Principal, Role

__all__ = ["import_jurisdiction", "may_import", "may_read_import"]


def may_read_import(principal: Principal, record: RecognitionImport) -> bool:
    """The importer's level and those above it."""
    if principal.role is Role.service:
        return True
    prefix = principal.region_prefix() if principal.role in IMPORTING_ROLES else None
    return prefix is not None and record.jurisdiction.startswith(prefix)
