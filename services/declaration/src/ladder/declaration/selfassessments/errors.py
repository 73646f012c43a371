"""Errors of the self-assessments, each with a stable code."""

from __future__ import annotations

import re
from typing import Any

from ladder.kit.errors import Forbidden, LadderError, NotFound


class SelfAssessmentNotFound(NotFound):
    code = "self_assessment_not_found"
    message = "自评记录不存在"
    message_en = "Self-assessment not found"


class ImportNotFound(NotFound):
    code = "import_not_found"
    message = "导入记录不存在"
    message_en = "Import not found"


class MayNotImport(Forbidden):
    code = "may_not_import"
    message = "只有省级主管部门或部委可以批量导入自评数据"
    message_en = "Only a province or the ministry may import self-assessments"


class RegionOutsideJurisdiction(Forbidden):
    code = "region_outside_jurisdiction"
    message = "所查询的地区不在本单位管辖范围内"
    message_en = "The region asked for is outside your jurisdiction"


class InvalidCursor(LadderError):
    status_code = 422
    code = "invalid_cursor"
    message = "分页游标无效或与查询条件不符"
    message_en = "The cursor is invalid or belongs to a different query"


class UnsupportedFileType(LadderError):
    status_code = 415
    code = "unsupported_media_type"
    message = (
        "仅支持 text/csv 或 XLSX"
        "（application/vnd.openxmlformats-officedocument.spreadsheetml.sheet）"
    )
    message_en = (
        "Send text/csv or XLSX (application/vnd.openxmlformats-officedocument.spreadsheetml.sheet)"
    )


class ImportRejected(LadderError):
    """A file with at least one bad row: nothing of it was written (all or nothing)."""

    status_code = 422
    code = "import_rejected"
    message = "导入文件存在错误，未写入任何数据"
    message_en = "The file has errors; nothing was written"


class ImportRaced(LadderError):
    """An enterprise filed its own self-assessment for a row of the file while it was being
    checked: nothing of the file was written."""

    status_code = 409
    code = "import_raced"
    message = "导入期间有企业自行填报了文件中的自评，未写入任何数据，请重新导入"
    message_en = (
        "An enterprise filed its own self-assessment for a row while the file was checked; "
        "nothing was written — import the file again"
    )


# How the rules service names the facts of a 基础级 evaluation, and the form's field for each.
_FORM_FIELDS = (
    (re.compile(r"^facts\.cmmm_level$"), "cmmm_level"),
    (re.compile(r"^facts\.segments(\[\d+\])$"), r"segments\1.segment"),
    (re.compile(r"^facts\.basic_requirements\.(.+)$"), r"attestations.\1"),
    (re.compile(r"^facts\.kpis\.(.+)$"), r"kpis.\1"),
)


def form_field(rules_field: str) -> str:
    for pattern, replacement in _FORM_FIELDS:
        if pattern.match(rules_field):
            return pattern.sub(replacement, rules_field)
    return rules_field


class RulesRefused(LadderError):
    """The rules service refused the facts (a KPI or attestation the edition does not know):
    a 422 naming the form's field, with the rules' own code (`unknown_kpi`, …)."""

    status_code = 422
    code = "rules_refused"
    message = "要素条件规则服务不接受所填内容"
    message_en = "The rules service does not accept the facts given"

    @classmethod
    def from_rules(cls, answer: Any) -> RulesRefused:
        error = answer.get("error", {}) if isinstance(answer, dict) else {}
        fields = [
            {**f, "field": form_field(str(f.get("field", "")))}
            for f in (error.get("details") or {}).get("fields", [])
        ]
        code = str(error.get("code") or cls.code)
        kind = next((k for k in RULES_REFUSALS if k.code == code), None)
        refused = (kind or cls)(
            error.get("message") or cls.message,
            error.get("message_en") or cls.message_en,
            details={"fields": fields},
        )
        if kind is None:
            refused.code = code  # type: ignore[misc]  (a code the rules service added since)
        return refused


def _refusal(code: str) -> type[RulesRefused]:
    return type(f"RulesRefused_{code}", (RulesRefused,), {"code": code})


RULES_REFUSALS: tuple[type[RulesRefused], ...] = tuple(
    _refusal(code)
    for code in (
        "unknown_segment",
        "unknown_scene_segment",
        "unknown_scene",
        "unknown_kpi",
        "unknown_material_section",
        "unknown_commitment",
        "unknown_basic_requirement",
    )
)
"""The refusals of the rules service's catalogue check (its `NotInCatalogue` codes), one class
each so that a route can declare them."""
