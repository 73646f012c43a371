"""Errors of the register of recognised tiers, each with a stable code."""

from __future__ import annotations

from ladder.kit.errors import Forbidden, LadderError, NotFound


class MayNotImportRecognitions(Forbidden):
    code = "may_not_import_recognitions"
    message = "只有部委或省级主管部门（限本地区）可以导入往年认定名单"
    message_en = "Only the ministry, or a province for its own region, may import recognised lists"


class RecognitionsRejected(LadderError):
    """A list with at least one bad row: nothing of it was written (all or nothing)."""

    status_code = 422
    code = "recognitions_rejected"
    message = "导入的认定名单存在错误，未写入任何记录"
    message_en = "The recognised list has errors; nothing was written"


class RecognitionImportNotFound(NotFound):
    code = "recognition_import_not_found"
    message = "认定名单导入记录不存在"
    message_en = "Recognition import not found"
