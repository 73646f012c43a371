"""Errors of the reference data, each with a stable code.

A table with bad rows is refused whole (422) and names every offending field the way request
validation does (`details.fields[].field`, e.g. `rows[3].region`), so a ministry user fixes the
file in one pass.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ladder.kit.errors import LadderError, NotFound


def field_error(field: str, code: str, message_en: str) -> dict[str, Any]:
    return {"field": field, "type": code, "message_en": message_en}


class RowsInvalid(LadderError):
    """Some rows break one rule; `problems` are (field, English reason) pairs."""

    status_code = 422
    code: ClassVar[str] = "invalid_rows"
    message: ClassVar[str] = "参考数据行无效"
    message_en: ClassVar[str] = "Invalid reference data rows"

    def __init__(self, problems: list[tuple[str, str]], **details: Any) -> None:
        fields = [field_error(f, self.code, reason) for f, reason in problems]
        names = ", ".join(f for f, _ in problems[:5])
        super().__init__(
            f"{type(self).message}：{names}",
            f"{type(self).message_en}: {names}",
            details={"fields": fields, **details},
        )


class InvalidRegion(RowsInvalid):
    code = "invalid_region"
    message = "地区代码不是本表可用的省级行政区划代码"
    message_en = "Region is not a province-level code (GB/T 2260) this table accepts"


class DuplicateRegion(RowsInvalid):
    code = "duplicate_region"
    message = "同一地区出现多次"
    message_en = "A region appears more than once"


class InvalidRank(RowsInvalid):
    code = "invalid_rank"
    message = "排名须为 1 至行数之间的整数"
    message_en = "A rank must be between 1 and the number of rows"


class DuplicateRank(RowsInvalid):
    code = "duplicate_rank"
    message = "同一排名出现多次"
    message_en = "A rank appears more than once"


class NegativeCount(RowsInvalid):
    code = "negative_count"
    message = "数量不能为负数"
    message_en = "A count cannot be negative"


class InvalidCsv(RowsInvalid):
    code = "invalid_csv"
    message = "CSV 文件格式无效（表头须为 region,value，UTF-8 编码）"
    message_en = "Malformed CSV (header must be region,value; UTF-8)"


class UnexpectedParameter(RowsInvalid):
    code = "unexpected_parameter"
    message = "JSON 上传时不接受查询参数（仅 CSV 上传使用）"
    message_en = "Query parameters are read only for CSV uploads, not with a JSON body"


class UnsupportedMediaType(LadderError):
    status_code = 415
    code = "unsupported_media_type"
    message = "仅接受 application/json 或 text/csv（UTF-8）"
    message_en = "Only application/json or text/csv (UTF-8) is accepted"


class DatasetNotFound(NotFound):
    code = "reference_dataset_not_found"
    message = "参考数据集不存在"
    message_en = "No such reference dataset"


class IncompleteTable(RowsInvalid):
    """A table that leaves out regions of its kind. Stored, it would replace the whole table
    and leave those regions without a value (every quota derived from it a 409), so it is
    refused unless sent as `partial` (only the rows sent change)."""

    code = "incomplete_table"
    message = "参考数据表不完整：缺少下列地区（如仅更新部分地区，请以 partial=true 提交）"
    message_en = (
        "The table leaves out these regions (to change only some regions, send partial=true)"
    )


class NoTableToUpdate(LadderError):
    """A partial update of a kind and year that has no table yet: there is nothing to keep."""

    status_code = 409
    code = "no_table_to_update"
    message = "该类别和年份尚无参考数据表，不能部分更新；请提交完整的表"
    message_en = "No table of this kind and year to update in part; send the whole table"
