"""Who may see and act for an enterprise."""

from __future__ import annotations

from ladder.declaration.enterprises.models import Enterprise
from ladder.kit.auth import Principal, Role


def may_act_for(principal: Principal, enterprise_uscc: str) -> bool:
    """Only the enterprise's own users act for it (create factories, declare, submit)."""
    return principal.role is Role.enterprise and principal.org == enterprise_uscc


def may_read(principal: Principal, enterprise: Enterprise) -> bool:
    if may_act_for(principal, enterprise.uscc):
        return True
    if principal.role is Role.service:
        return True
    return principal.covers_region(enterprise.region_code)
