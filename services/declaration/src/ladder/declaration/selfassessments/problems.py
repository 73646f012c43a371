"""The errors of an import file, row by row: counted in full, listed up to a cap.

Row numbers are as a spreadsheet shows them: the header is row 1, the first data row is 2 (a
CSV record spanning several lines is one row, as in Excel).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

MAX_LISTED = 1000

# code → (中文, English); `{…}` are filled from the problem's arguments.
TEXTS: dict[str, tuple[str, str]] = {
    # the file as a whole (row 1 or the row where reading failed)
    "unknown_column": ("无法识别的列：{name}", "Unknown column: {name}"),
    "duplicate_column": ("列重复：{name}", "Column given twice: {name}"),
    "missing_column": ("缺少必填列：{name}", "Required column missing: {name}"),
    "empty_file": ("文件没有表头或数据行", "The file has no header or no data rows"),
    "too_many_rows": (
        "文件超过{limit}行数据，请拆分后导入",
        "The file has more than {limit} data rows; split it",
    ),
    "bad_encoding": (
        "无法按{encoding}编码读取文件，请另存为 UTF-8 的 CSV",
        "The file cannot be read as {encoding}; save it as UTF-8 CSV",
    ),
    "unreadable_file": ("无法读取文件：{reason}", "The file cannot be read: {reason}"),
    "archive_refused": (
        "XLSX 文件超出可读取的限度（{reason}），请拆分或另存为 CSV 后导入",
        "The XLSX file is beyond what is read ({reason}); split it or save it as CSV",
    ),
    # a cell
    "required": ("必填项为空", "Required value is empty"),
    "invalid_character": (
        "含有不允许的字符（{reason}）",
        "Contains a character that is not allowed ({reason})",
    ),
    "too_long": ("超过{limit}字", "Longer than {limit} characters"),
    "invalid_uscc": (
        "统一社会信用代码无效：{reason}",
        "Invalid unified social credit code: {reason}",
    ),
    "unknown_region": (
        "不是有效的 GB/T 2260 行政区划代码：{value}",
        "Not a GB/T 2260 administrative division code: {value}",
    ),
    "outside_jurisdiction": (
        "地区{value}不在导入单位管辖范围内",
        "Region {value} is outside the importer's jurisdiction",
    ),
    "invalid_cmmm_level": (
        "智能制造能力成熟度等级应为1–5级，填报为{value}",
        "The CMMM level must be 1 to 5; given {value}",
    ),
    "unknown_segment": (
        "不是要素条件的环节：{value}（应为工厂建设、研发设计、生产作业、生产管理、运营管理）",
        "Not a segment of 要素条件: {value}",
    ),
    "repeated_segment": ("环节重复：{value}", "Segment listed twice: {value}"),
    "built_without_segment": (
        "填写了“{value}”建设内容，但覆盖环节未列入该环节",
        "What was built in {value} is given, but the segment is not listed as covered",
    ),
    "invalid_attestation": (
        "应填“是”或“否”，填报为{value}",
        "Must be 是 (yes) or 否 (no); given {value}",
    ),
    "invalid_number": ("不是有效数值：{value}", "Not a valid number: {value}"),
    "duplicate_row": (
        "与第{first}行为同一企业同一工厂",
        "Same enterprise and factory as row {first}",
    ),
    # a row whose key names a record the importer may not change (251号 一(一): the province
    # organises 自评自建; the self-assessment is the enterprise's, and another province's rows
    # are that province's)
    "filed_by_enterprise": (
        "该企业已自行填报本年度该工厂的自评，导入不得覆盖",
        "The enterprise filed this factory's self-assessment itself; an import may not replace it",
    ),
    "held_elsewhere": (
        "该企业本年度该工厂的自评已由其他组织单位导入（登记在{region}），导入单位不得覆盖",
        "This factory's self-assessment was imported by another organiser (registered in "
        "{region}); this importer may not replace it",
    ),
    # a group HQ organises its own group's enterprises only (251号 一(一) "本集团规上企业")
    "not_in_group": (
        "该企业登记的所属中央企业集团为“{named}”，不是导入单位的集团",
        "The enterprise's profile names the central-SOE group '{named}', not the importer's",
    ),
    # an imported list of recognised tiers (认定记录, recognitions/)
    "invalid_tier": (
        "层级应为先进级、卓越级或领航级，填报为{value}",
        "The tier must be 先进级, 卓越级 or 领航级 (advanced, excellence, pilot); given {value}",
    ),
    "invalid_year": (
        "认定年度应为{first}–{last}年，填报为{value}",
        "The year recognised must be {first} to {last}; given {value}",
    ),
    "duplicate_entry": (
        "与第{first}行为同一企业、同一工厂、同一层级和年度",
        "Same enterprise, factory, tier and year as row {first}",
    ),
    "rules_refused": ("要素条件规则服务不接受：{reason}", "Refused by the rules service: {reason}"),
}


class Problems:
    def __init__(self, cap: int = MAX_LISTED) -> None:
        self.cap = cap
        self.count = 0
        self.by_code: Counter[str] = Counter()
        self.listed: list[dict[str, Any]] = []

    def add(self, row: int, column: str | None, header: str | None, code: str, **args: Any) -> None:
        self.count += 1
        self.by_code[code] += 1
        if len(self.listed) >= self.cap:
            return
        zh, en = TEXTS[code]
        self.listed.append(
            {
                "row": row,
                "column": column,
                "header": header,
                "code": code,
                "message": zh.format(**args),
                "message_en": en.format(**args),
            }
        )

    def add_raw(self, problem: dict[str, Any]) -> None:
        """A problem already shaped (a rules refusal with the rules' own code and text)."""
        self.count += 1
        self.by_code[problem["code"]] += 1
        if len(self.listed) < self.cap:
            self.listed.append(problem)

    def count_only(self, code: str, n: int) -> None:
        """Problems beyond the listed ones, counted but not listed."""
        if n <= 0:
            return
        self.count += n
        self.by_code[code] += n

    def merge(self, other: Problems) -> None:
        self.count += other.count
        self.by_code.update(other.by_code)
        room = self.cap - len(self.listed)
        if room > 0:
            self.listed.extend(other.listed[:room])

    def __bool__(self) -> bool:
        return self.count > 0

    def summary(self) -> dict[str, Any]:
        return {
            "error_count": self.count,
            "errors_by_code": dict(self.by_code),
            "errors": sorted(self.listed, key=lambda p: (p["row"], p["column"] or "")),
            "errors_truncated": self.count > len(self.listed),
        }
