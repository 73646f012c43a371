"""Personal data on a need-to-know basis: who sees a contact's mobile number whole.

The 推荐汇总表 has 联系人 and 联系方式（手机号） because the officials who recommend a project must
be able to call its contact (251号 附件3/附件5): the enterprise itself, the authorities of the
recommendation chain (county, city, province, central-SOE HQ, the XPCC) and the ministry —
and Ladder's own services, which pass it on. Everyone else who is shown a contact at all (a
national review expert, say) sees it masked, in REST and GraphQL alike.
"""

from __future__ import annotations

from typing import Any

from ladder.kit.auth import Principal, Role

NEED_TO_KNOW = frozenset(
    {Role.service, Role.county, Role.city, Role.province, Role.central_soe_hq, Role.ministry}
)


def sees_contacts(principal: Principal, *, own: bool = False) -> bool:
    """Whether `principal` sees mobiles whole; `own`: the contacts are the caller's own."""
    return own or principal.role in NEED_TO_KNOW


def mask_mobile(mobile: str) -> str:
    """138****0000: enough to recognise a number, not to dial it."""
    return mobile[:3] + "****" + mobile[-4:] if len(mobile) >= 7 else "****"


def masked_contact(contact: dict[str, Any] | None) -> dict[str, Any] | None:
    """A contact (`{name, mobile, …}`) with its mobile masked."""
    if not contact or not isinstance(contact.get("mobile"), str):
        return contact
    return {**contact, "mobile": mask_mobile(contact["mobile"])}
