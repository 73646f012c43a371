"""The import file's columns: Chinese headers with stable English keys, and the templates.

A header cell names its column by the Chinese header, by the English key, or by both as the
templates write them, `统一社会信用代码(uscc)`; headers are matched after trimming, and the key
in brackets wins. The column order is free; unknown, repeated or missing required columns
reject the file before any row is read.

- `uscc` 统一社会信用代码 (required): 18 characters, GB 32100-2015 check character.
- `name` 企业名称 (required): up to 200 characters.
- `region` 注册地区划代码 (required): GB/T 2260 six digits, inside the importer's area.
- `factory` 工厂名称: up to 200; empty means the enterprise as a whole.
- `cmmm_level` 智能制造能力成熟度等级 (required): 1–5 (2, 2级, 二级 are read alike).
- `segments` 覆盖环节 (required): 环节 names separated by 、 ; ； , or ，.
- `built.<segment key>` <环节>建设内容: what was built in that 环节, up to 2000 characters;
  the 环节 must then be listed in `segments`.
- `attest.<item key>` 基础要求N（…）: 是/否 for the whole requirement; empty: not given
  (the rules then answer `incomplete`).
- `kpi.<indicator key>` <indicator name>（unit）: a number (a trailing % is allowed), or
  不适用 (not applicable); empty: not reported.

The `attest.*` and `kpi.*` columns follow the campaign's 要素条件 edition (基础要求 1–4 and its
KPI table, read from the rules service): the template of a campaign lists exactly its columns.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Font

from ladder.declaration.selfassessments.problems import Problems
from ladder.declaration.selfassessments.rules import EditionForms
from ladder.declaration.vocabulary import Segment
from ladder.kit.sheets import append_row, csv_row

SEGMENT_KEYS = {s.value: s.name for s in Segment}  # 生产作业 → production_operations


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    required: bool
    kind: str  # uscc | name | region | factory | cmmm | segments | built | attest | kpi
    help_zh: str
    help_en: str
    target: str | None = None  # built: the 环节; kpi: the indicator key
    facts: tuple[str, ...] = field(default=())  # attest: the rules' fact keys of the item

    @property
    def header(self) -> str:
        return f"{self.zh}({self.key})"


CORE: tuple[Column, ...] = (
    Column(
        "uscc",
        "统一社会信用代码",
        True,
        "uscc",
        "18位，末位为校验码",
        "18 characters, the last a check character",
    ),
    Column("name", "企业名称", True, "name", "不超过200字", "up to 200 characters"),
    Column(
        "region",
        "注册地区划代码",
        True,
        "region",
        "GB/T 2260 六位行政区划代码，须在导入单位管辖范围内",
        "GB/T 2260 six-digit code, inside the importer's jurisdiction",
    ),
    Column(
        "factory",
        "工厂名称",
        False,
        "factory",
        "可空：空表示以企业整体自评",
        "optional: empty means the enterprise as a whole",
    ),
    Column(
        "cmmm_level",
        "智能制造能力成熟度等级",
        True,
        "cmmm",
        "GB/T 39116 等级 1–5，如 2 或 二级",
        "GB/T 39116 level 1–5, e.g. 2 or 二级",
    ),
    Column(
        "segments",
        "覆盖环节",
        True,
        "segments",
        "工厂建设、研发设计、生产作业、生产管理、运营管理中的一项或多项，以顿号或分号分隔",
        "one or more of the five 环节, separated by 、 or ;",
    ),
)


def layout(forms: EditionForms) -> tuple[Column, ...]:
    """Every column of the campaign edition's import file, in template order."""
    built = tuple(
        Column(
            f"built.{key}",
            f"{segment}建设内容",
            False,
            "built",
            f"“{segment}”环节建设内容，不超过2000字；填写则该环节须列入覆盖环节",
            f"what was built in {segment}, up to 2000 characters; the 环节 must be listed",
            target=segment,
        )
        for segment, key in SEGMENT_KEYS.items()
    )
    attest = tuple(
        Column(
            f"attest.{r.key}",
            f"基础要求{r.item}（{'、'.join(r.names)}）",
            False,
            "attest",
            "是/否：对该项基础要求的全部内容作出承诺；空：未填报",
            "是/否 (yes/no) for the whole requirement; empty: not given",
            facts=r.facts,
        )
        for r in forms.requirements
    )
    kpis = tuple(
        Column(
            f"kpi.{i.key}",
            f"{i.name}（{i.unit}）" if i.unit else i.name,
            False,
            "kpi",
            "数值（可带%）；不适用填“不适用”；空：未填报",
            "a number (a trailing % is allowed); 不适用 for not applicable; empty: not given",
            target=i.key,
        )
        for i in forms.indicators
    )
    return CORE + built + attest + kpis


_BRACKETED_KEY = re.compile(r"^(.*?)\s*[(（]\s*([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)?)\s*[)）]\s*$")


def header_key(cell: str, by_name: dict[str, Column]) -> str | None:
    text = cell.strip().lstrip("\ufeff")
    match = _BRACKETED_KEY.match(text)
    if match and match.group(2) in by_name:
        return match.group(2)
    if text in by_name:
        return text
    for column in by_name.values():
        if column.zh == text:
            return column.key
    return None


def read_header(
    cells: Sequence[object], columns: Sequence[Column], problems: Problems, *, row_no: int = 1
) -> list[tuple[int, Column]]:
    """The file's columns, by position (the header is the first row that is not empty)."""
    by_key = {c.key: c for c in columns}
    found: list[tuple[int, Column]] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(cells):
        text = "" if raw is None else str(raw).strip()
        if not text:
            continue  # a column without a header is not read
        key = header_key(text, by_key)
        if key is None:
            problems.add(row_no, None, text, "unknown_column", name=text)
            continue
        if key in seen:
            problems.add(row_no, key, text, "duplicate_column", name=text)
            continue
        seen[key] = index
        found.append((index, by_key[key]))
    for column in columns:
        if column.required and column.key not in seen:
            problems.add(row_no, column.key, column.header, "missing_column", name=column.header)
    return found


def template_csv(columns: Sequence[Column]) -> bytes:
    """The header row alone, UTF-8 with a BOM so that Excel shows the Chinese headers."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(csv_row(c.header for c in columns))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx(columns: Sequence[Column], *, campaign_year: int, edition: str) -> bytes:
    """Sheet 1 (read by the import): the header row. Sheet 2: what each column takes."""
    book = Workbook()
    data = book.active
    data.title = "自评数据"
    append_row(data, [c.header for c in columns])
    for cell in data[1]:
        cell.font = Font(bold=True)
    data.freeze_panes = "A2"
    guide = book.create_sheet("填写说明")
    append_row(guide, [f"{campaign_year}年度基础级智能工厂自评导入模板（要素条件{edition}版）"])
    append_row(guide, ["表头", "英文键", "必填", "填写说明", "Notes"])
    for c in columns:
        append_row(guide, [c.zh, c.key, "是" if c.required else "否", c.help_zh, c.help_en])
    guide.append([])
    append_row(
        guide,
        [
            "整个文件全部校验通过才会写入；任何一行有误则不写入任何数据，并列出各行错误。",
            "All or nothing: one bad row and nothing is written; every row error is listed.",
        ],
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
