"""Errors of the 揭榜单位 registry, each with a stable code."""

from __future__ import annotations

from ladder.kit.errors import Conflict, LadderError, NotFound


class JiebangUnitNotFound(NotFound):
    code = "jiebang_unit_not_found"
    message = "揭榜单位记录不存在"
    message_en = "No such 揭榜单位 record"


class JiebangUnitExists(Conflict):
    """One record per enterprise and accepting province: edit the one there is."""

    code = "jiebang_unit_exists"
    message = "该企业在该省的揭榜单位验收记录已存在，请修改现有记录"
    message_en = "This enterprise already has a record for this province's acceptance; edit it"


class NotOwnProvince(LadderError):
    """A province records the acceptances it held itself (地方验收), not another's."""

    status_code = 403
    code = "not_own_province"
    message = "省级主管部门只能登记本省组织的地方验收"
    message_en = "A province records only the local acceptances it held"


class InvalidProvince(LadderError):
    status_code = 422
    code = "invalid_province"
    message = "accepted_by 须为省级行政区划代码（GB/T 2260）"
    message_en = "`accepted_by` must be a province-level GB/T 2260 code"
