"""Who may act on a declaration. Who may read one is a statement in the repository
(`repository.readable_by`), so every read and every list apply the same rule."""

from __future__ import annotations

from ladder.declaration.declarations.repository import DeclarationRow
from ladder.declaration.enterprises.auth import may_act_for
from ladder.kit.auth import Principal, Role


def may_edit(principal: Principal, row: DeclarationRow) -> bool:
    """Only the enterprise's own users edit, pre-check, submit and withdraw."""
    return may_act_for(principal, row.enterprise.uscc)


_LISTING_ROLES = frozenset(
    {Role.enterprise, Role.service, Role.county, Role.city, Role.province,
     Role.central_soe_hq, Role.ministry, Role.expert}
)  # fmt: skip


def may_list(principal: Principal) -> bool:
    """Who lists declarations at all (each sees what `repository.readable_by` lets it: an
    expert the declarations they are granted, often none); the public reads none by role."""
    return principal.role in _LISTING_ROLES
