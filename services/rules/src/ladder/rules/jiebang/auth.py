"""Who may record 揭榜单位: the ministry, or a province for the acceptances it held (the
acceptance is local, 地方验收). Reading is open to every authenticated caller, as the
quotas are: which entries are off a cap is not a secret between the units that rank."""

from __future__ import annotations

from typing import Annotated

from ladder.kit.auth import Principal, Role, require_roles

RecorderDep = Annotated[Principal, require_roles(Role.ministry, Role.province)]


def may_record(principal: Principal, accepted_by: str) -> bool:
    if principal.role is Role.ministry:
        return True
    region = principal.region or ""
    return region.isdigit() and region[:2] + "0000" == accepted_by
