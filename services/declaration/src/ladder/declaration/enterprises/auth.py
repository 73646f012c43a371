"""Who may see and act for an enterprise."""

from __future__ import annotations

from ladder.declaration.enterprises.models import Enterprise
from ladder.kit import privacy
from ladder.kit.auth import Principal, Role


def may_act_for(principal: Principal, enterprise_uscc: str) -> bool:
    """Only the enterprise's own users act for it (create factories, declare, submit)."""
    return principal.role is Role.enterprise and principal.org == enterprise_uscc


def may_read(principal: Principal, enterprise: Enterprise) -> bool:
    """By who it is: the enterprise, the services, the authorities of the region where it is
    registered, and its central-SOE group's HQ. (An authority also reads the profile of an
    enterprise whose declaration it may read: `service.get_readable` asks that.)"""
    if may_act_for(principal, enterprise.uscc):
        return True
    if principal.role is Role.service:
        return True
    if principal.role is Role.central_soe_hq:
        return principal.org is not None and principal.org == enterprise.central_soe_group
    return principal.covers_region(enterprise.region_code, enterprise.uscc)


def sees_contacts(principal: Principal, enterprise: Enterprise) -> bool:
    """The need-to-know rule of `ladder.kit.privacy`; the enterprise sees its own."""
    return privacy.sees_contacts(principal, own=may_act_for(principal, enterprise.uscc))
