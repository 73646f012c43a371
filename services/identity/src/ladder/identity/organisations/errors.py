"""Errors of organisations: who may create which, where a unit may be, who may see one."""

from __future__ import annotations

from ladder.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed


class NotAllowedToCreate(Forbidden):
    """The hierarchy (`hierarchy.yaml`) gives the caller's kind of organisation no rule
    creating that kind (a county creating a province; anyone creating the ministry)."""

    code = "not_allowed_to_create"
    message = "本单位无权创建该类组织（官方账号由上一级单位创建）"
    message_en = (
        "Your organisation may not create organisations of this kind (official accounts are "
        "created by the level above)"
    )


class UnknownUnit(ValidationFailed):
    """The region names no unit the units registry knows at a level (`ladder.kit.units`)."""

    code = "unknown_unit"
    message = "单位登记表中没有该区域的推荐/初审单位"
    message_en = "The units registry knows no unit with this region"


class RegionOutsideJurisdiction(ValidationFailed):
    """The unit does not report to the caller's unit in the registry (a city outside the
    province, a county of another city, 平潭 for 福州)."""

    code = "region_outside_jurisdiction"
    message = "该单位不直接隶属于本单位，不能由本单位创建"
    message_en = "This unit does not report to your organisation, so you cannot create it"


class OrganisationExists(Conflict):
    """One live organisation per unit (by region) and per SOE group (by USCC)."""

    code = "organisation_exists"
    message = "该单位已有启用的组织账号"
    message_en = "This unit already has an active organisation"


class OrganisationNotFound(NotFound):
    code = "organisation_not_found"
    message = "未找到该组织"
    message_en = "No such organisation"


class NotParentOrganisation(Forbidden):
    code = "not_parent_organisation"
    message = "只有上一级组织的管理员可以停用该组织"
    message_en = "Only an admin of the organisation above may deactivate it"


class OrganisationNotActive(Conflict):
    code = "organisation_not_active"
    message = "该组织未处于启用状态"
    message_en = "The organisation is not active"
