"""Who may do what with campaigns: any authenticated caller reads them; only the ministry (部委)
creates and edits a campaign and sets its deadline chains; a province (省级主管部门) sets the
先进级 calendar of its own jurisdiction, which 251号 一(二) leaves to it ("省级工业和信息化主管部门
……做好本地区先进级智能工厂培育认定")."""

from __future__ import annotations

from typing import Annotated

from ladder.declaration.vocabulary import Tier
from ladder.kit.auth import Principal, Role, require_roles

CampaignEditorDep = Annotated[Principal, require_roles(Role.ministry)]
DeadlineEditorDep = Annotated[Principal, require_roles(Role.ministry, Role.province)]

PROVINCE_SETS = Tier.advanced
"""The one tier whose chain a province sets for itself (251号 一(二))."""


def may_set_chain(principal: Principal, jurisdiction: str, tier: Tier) -> bool:
    if principal.role is Role.ministry:
        return True
    prefix = principal.region_prefix()
    return (
        principal.role is Role.province
        and tier is PROVINCE_SETS
        and bool(prefix)
        and jurisdiction.startswith(prefix)  # type: ignore[arg-type]
    )
