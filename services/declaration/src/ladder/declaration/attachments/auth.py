"""Who sees which attachments of a declaration they may read."""

from __future__ import annotations

from ladder.declaration.enterprises.auth import may_act_for
from ladder.kit.auth import Principal, Role


def sees_drafts(principal: Principal, uscc: str) -> bool:
    """The enterprise (and a service acting for the platform) sees the draft's files; anyone
    else only the files of a submitted version."""
    return may_act_for(principal, uscc) or principal.role is Role.service
