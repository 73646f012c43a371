"""Who may see and act on a declaration."""

from __future__ import annotations

from ladder.declaration.declarations.repository import DeclarationRow
from ladder.declaration.enterprises.auth import may_act_for
from ladder.kit.auth import Principal, Role


def may_read(principal: Principal, row: DeclarationRow) -> bool:
    """The enterprise itself, the authorities whose jurisdiction covers the factory, services."""
    if may_act_for(principal, row.enterprise.uscc) or principal.role is Role.service:
        return True
    return principal.covers_region(row.declaration.region_code)


def may_edit(principal: Principal, row: DeclarationRow) -> bool:
    return may_act_for(principal, row.enterprise.uscc)
