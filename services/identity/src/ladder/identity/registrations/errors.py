"""Errors of enterprise registration (企业注册). `AlreadyRegistered` and `UsernameTaken` are
the service's own (`ladder.identity.errors`)."""

from __future__ import annotations

from ladder.kit.errors import Conflict, Forbidden, LadderError, NotFound


class NoAuthority(LadderError):
    """No active unit organisation holds the enterprise's region yet: nobody could approve."""

    status_code = 422
    code = "no_authority"
    message = "该地区尚无负责审核企业注册的主管部门账号"
    message_en = "No authority organisation approves registrations in this region yet"

    @classmethod
    def for_region(cls, region: str, unit_id: str | None) -> NoAuthority:
        return cls(
            f"地区 {region} 尚无负责审核企业注册的主管部门账号，请联系当地工业和信息化主管部门",
            f"No authority organisation approves registrations in region {region} yet; "
            "contact the local industry and information technology authority",
            details={"field": "region", "region": region, "unit": unit_id},
        )


class RegistrationNotFound(NotFound):
    """Not one of the caller's organisation's registrations (existence is not told)."""

    code = "not_found"
    message = "注册申请不存在"
    message_en = "No such registration"


class NotAnAuthority(Forbidden):
    code = "not_an_authority"
    message = "只有主管部门（推荐/初审单位）的账号可以查看企业注册申请"
    message_en = "Only users of an authority (a recommending or reviewing unit) see registrations"


class RegistrationDecided(Conflict):
    code = "registration_decided"
    message = "该注册申请已审核，不能再次审核"
    message_en = "The registration was already decided"
