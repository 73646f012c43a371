"""Reading an uploaded 推荐汇总表 (附件3 卓越级, 附件5 领航级, the 先进级 名单) into the rows a
push takes (`push.PushRow`), every problem recorded with its row (as the spreadsheet numbers
it) and column header.

The layout is the one `summary_table.workbook` writes and the notice prints: a title row and
the 推荐单位 row (ignored: the unit is the URL's), the header row, then one row per project.
The header row is found among the first rows by its headers (those of `summary_tables.yaml`
for the list's tier, compared without white space or line breaks and NFKC-folded, so the
notice's own "卓越级智能工厂\\n项目名称" and "联系方式\\n（手机号）" match); 序号, 申报单位名称 and
项目名称 are required, the other columns optional (a column absent, or a cell left empty, is
filled from the declaration), columns Ladder does not know are ignored. One column beyond the
template is understood, 统一社会信用代码: a provincial system that keeps USCCs may add it, and
rows are then matched by USCC and project; the exported table does not have it (附件3/附件5
have no such column), and rows of a file without it are matched by enterprise name and
project among the cases awaiting the unit. A row whose 序号 cell starts with 注 is the
template's footnote and is skipped.

Scene instances are one per line, numbered, 环节—场景—实例 (an em dash, or two, between the
three; the instance may itself hold a dash), as `summary_table` writes them; future modes one
per line, numbered, a trailing ；as the notice's example has it dropped.

XLSX: the archive is measured before openpyxl opens it (`ladder.kit.archives`: members,
inflated sizes, ratio, shared strings; an XLSX that is not a plain workbook — macros, another
package — is refused), the first worksheet is read in read-only mode with the cells' values
(never formulas: a text cell starting with `=` is the text, as `ladder.kit.sheets` writes it;
openpyxl parses XML through defusedxml). CSV: UTF-8 (with or without BOM) or, if it does not
decode as UTF-8, GB18030 (what Excel on a Chinese system saves); a `charset` parameter wins.
A CSV cell that `ladder.kit.sheets.csv_text` neutralised (an apostrophe before `= + - @`, a
tab or a carriage return) gets exactly that apostrophe taken off.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from ladder.kit.archives import (
    ArchiveLimits,
    ArchiveRefused,
    check_xlsx_strings,
    office_kind,
    open_zip,
)
from ladder.kit.inputs import text_problem
from ladder.kit.sheets import FORMULA_STARTS
from ladder.review.recommendations.push import Problems, PushRow, Scene
from ladder.review.recommendations.summary_table import ColumnKey, specs

CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES = (CSV, XLSX)
# The OpenAPI request body of the upload route: the file itself.
FILE_BODY = {
    "requestBody": {
        "required": True,
        "content": {m: {"schema": {"type": "string", "format": "binary"}} for m in MEDIA_TYPES},
    }
}

MAX_ROWS = 500  # as many as a pushed list may have (ListPush.entries)
HEADER_SCAN = 10  # the header row is among the first rows (the template has it third)
MAX_TEXT = 200
MAX_LINES = 100
XLSX_LIMITS = ArchiveLimits(max_members=200, max_total_bytes=64 * 1024 * 1024)
MAX_SHARED_STRINGS = 100_000
MAX_SHARED_STRINGS_BYTES = 16 * 1024 * 1024
_BROKEN = (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError, SyntaxError)

# The field of `PushRow` (and the name a problem gives) each column fills.
FIELD_OF = {
    ColumnKey.rank: "rank",
    ColumnKey.enterprise: "enterprise_name",
    ColumnKey.project: "project_name",
    ColumnKey.scenes: "scenes",
    ColumnKey.future_modes: "future_modes",
    ColumnKey.contact_name: "contact.name",
    ColumnKey.contact_mobile: "contact.mobile",
    ColumnKey.region: "region_code",
}
REQUIRED = (ColumnKey.rank, ColumnKey.enterprise, ColumnKey.project)
# Understood beyond the template (see the module docstring): field → header.
EXTRA_COLUMNS = {"enterprise_uscc": "统一社会信用代码"}

_NUMBERED = re.compile(r"^\s*\d{1,3}\s*[.、)]\s*")
_SCENE_DASH = re.compile(r"\s*[—―]{1,2}\s*")
_TRAILING = re.compile(r"[;；。,，、\s]+$")
_ELLIPSIS = re.compile(r"^[.…。\s]*$")


class Unreadable(Exception):
    """The file as a whole cannot be read: a list problem (`code`, `facts`)."""

    def __init__(self, code: str, **facts: Any) -> None:
        super().__init__(code)
        self.code = code
        self.facts = facts


def _header_key(value: Any) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value))) if value else ""


def read_rows(
    content: bytes, media_type: str, charset: str | None, tier: str, problems: Problems
) -> list[PushRow]:
    """The rows of the file for a list of `tier`; what cannot be read is in `problems`
    (a worker thread runs it: openpyxl and the csv module block)."""
    try:
        if media_type == XLSX:
            with _xlsx(content) as cells:
                return _rows(cells, tier, problems, csv_cells=False)
        return _rows(_csv(content, charset), tier, problems, csv_cells=True)
    except Unreadable as exc:
        problems.list(exc.code, **exc.facts)
        return []


class _xlsx:
    """The first worksheet's rows `(row number, values)`, once the archive passed its checks."""

    def __init__(self, content: bytes) -> None:
        file = io.BytesIO(content)
        try:
            with open_zip(file, XLSX_LIMITS) as archive:
                if office_kind(archive) != "xlsx":
                    raise ArchiveRefused("not_a_workbook")
                check_xlsx_strings(
                    archive, max_bytes=MAX_SHARED_STRINGS_BYTES, max_strings=MAX_SHARED_STRINGS
                )
        except ArchiveRefused as refused:
            raise Unreadable("unreadable_file", reason=refused.reason) from None
        file.seek(0)
        try:
            self.book = load_workbook(file, read_only=True, data_only=True)
        except _BROKEN as exc:
            raise Unreadable("unreadable_file", reason=type(exc).__name__) from None

    def __enter__(self) -> Iterator[tuple[int, Sequence[Any]]]:
        sheet = self.book.worksheets[0]
        sheet.reset_dimensions()  # the stored dimension may be stale or absent

        def rows() -> Iterator[tuple[int, Sequence[Any]]]:
            number = 0
            try:
                for values in sheet.iter_rows(values_only=True):
                    number += 1
                    yield number, values
            except _BROKEN as exc:
                raise Unreadable(
                    "unreadable_file", reason=type(exc).__name__, row=number + 1
                ) from None

        return rows()

    def __exit__(self, *exc: object) -> None:
        self.book.close()


def _csv(content: bytes, charset: str | None) -> Iterator[tuple[int, Sequence[Any]]]:
    if charset:
        try:
            encoding = codecs.lookup(charset).name
        except LookupError:
            raise Unreadable("bad_encoding", encoding=charset[:40]) from None
    else:
        try:
            content.decode("utf-8")
            encoding = "utf-8-sig"
        except UnicodeDecodeError:
            encoding = "gb18030"
    try:
        text = content.decode(encoding)
    except UnicodeDecodeError:
        raise Unreadable("bad_encoding", encoding=encoding) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""))
    number = 0
    try:
        for values in reader:
            number += 1
            yield number, values
    except csv.Error as exc:
        raise Unreadable("unreadable_file", reason=str(exc)[:200], row=number + 1) from None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _columns(
    header: Sequence[Any], tier: str, number: int, problems: Problems
) -> dict[str, int] | None:
    """field → column index, from the header row; None (a problem recorded) if a required
    column is missing or one is repeated."""
    wanted = {FIELD_OF[c.key]: c.header for c in specs()[tier].columns} | EXTRA_COLUMNS
    by_key = {_header_key(h): name for name, h in wanted.items()}
    found: dict[str, int] = {}
    for i, value in enumerate(header):
        name = by_key.get(_header_key(value))
        if name is None:
            continue
        if name in found:
            problems.list("header_repeated", header=str(value).strip(), row=number)
            return None
        found[name] = i
        problems.columns[name] = str(value).strip()
    return found


def _find_header(
    table: Iterator[tuple[int, Sequence[Any]]], tier: str, problems: Problems
) -> tuple[int, dict[str, int]] | None:
    spec = specs()[tier]
    required = [c for c in spec.columns if c.key in REQUIRED]
    keys = {_header_key(c.header) for c in required}
    for _ in range(HEADER_SCAN):
        try:
            number, values = next(table)
        except StopIteration:
            break
        present = {_header_key(v) for v in values}
        if keys <= present:
            columns = _columns(values, tier, number, problems)
            return None if columns is None else (number, columns)
    problems.list("header_missing", headers=[c.header for c in required])
    return None


def _rows(
    table: Iterator[tuple[int, Sequence[Any]]], tier: str, problems: Problems, *, csv_cells: bool
) -> list[PushRow]:
    located = _find_header(table, tier, problems)
    if located is None:
        return []
    _, columns = located
    rows: list[PushRow] = []
    for number, values in table:
        cells = {name: values[i] if i < len(values) else None for name, i in columns.items()}
        if all(_blank(v) for v in cells.values()):
            continue
        first = cells.get("rank")
        if isinstance(first, str) and first.strip().startswith("注"):
            continue  # the template's footnote (注：1.推荐的……项目按优先次序排名)
        if len(rows) == MAX_ROWS:
            problems.list("too_many_rows", limit=MAX_ROWS, row=number)
            break
        rows.append(_row(number, cells, problems, csv_cells=csv_cells))
    return rows


def _row(number: int, cells: dict[str, Any], problems: Problems, *, csv_cells: bool) -> PushRow:
    def text(name: str, limit: int = MAX_TEXT) -> str | None:
        value = _text(cells.get(name), csv_cells)
        if value is None:
            return None
        if (reason := text_problem(value)) is not None:
            problems.row(number, name, "text_invalid", reason=reason)
            return None
        if len(value) > limit:
            problems.row(number, name, "too_long", limit=limit)
            return None
        return value

    scenes_text = text("scenes", MAX_TEXT * 3 * MAX_LINES)
    modes_text = text("future_modes", MAX_TEXT * MAX_LINES)
    uscc = text("enterprise_uscc")
    return PushRow(
        row=number,
        rank=_rank(number, cells.get("rank"), problems, csv_cells),
        enterprise_uscc=uscc.upper() if uscc else None,
        enterprise_name=text("enterprise_name"),
        project_name=text("project_name"),
        region_code=text("region_code"),
        scenes=None if scenes_text is None else _scenes(number, scenes_text, problems),
        future_modes=None if modes_text is None else _modes(number, modes_text, problems),
        contact_name=text("contact.name"),
        contact_mobile=text("contact.mobile", 20),
    )


def _uncsv(value: str) -> str:
    """Undo `ladder.kit.sheets.csv_text`: its apostrophe, and only its."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def _text(value: Any, csv_cells: bool) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        value = str(value)
    elif isinstance(value, int):
        value = str(value)
    elif isinstance(value, float):
        value = str(int(value)) if value.is_integer() else str(value)
    elif isinstance(value, datetime | date):
        value = value.isoformat()
    elif not isinstance(value, str):
        value = str(value)
    if csv_cells:
        value = _uncsv(value)
    value = value.strip()
    return value or None


def _rank(number: int, value: Any, problems: Problems, csv_cells: bool) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = _text(value, csv_cells)
    if text is not None and re.fullmatch(r"[0-9]{1,9}", unicodedata.normalize("NFKC", text)):
        return int(unicodedata.normalize("NFKC", text))
    problems.row(number, "rank", "rank_unreadable")
    return None


def _lines(number: int, name: str, text: str, problems: Problems) -> list[str] | None:
    """The cell's lines, their numbering (1. 2. …) taken off; the template's "2.……" dropped."""
    lines = []
    for raw in text.splitlines():
        line = _NUMBERED.sub("", unicodedata.normalize("NFKC", raw)).strip()
        if _ELLIPSIS.fullmatch(line):
            continue
        lines.append(line)
    if len(lines) > MAX_LINES:
        problems.row(number, name, "too_many_lines", limit=MAX_LINES)
        return None
    return lines


def _scenes(number: int, text: str, problems: Problems) -> list[Scene] | None:
    lines = _lines(number, "scenes", text, problems)
    if lines is None:
        return None
    scenes: list[Scene] = []
    unreadable = False
    for i, line in enumerate(lines, 1):
        parts = _SCENE_DASH.split(line, maxsplit=2)
        if len(parts) != 3 or not all(parts) or any(len(p) > MAX_TEXT for p in parts):
            problems.row(number, "scenes", "scene_unreadable", line=i)
            unreadable = True
            continue
        scenes.append((parts[0], parts[1], parts[2]))
    return None if unreadable else scenes


def _modes(number: int, text: str, problems: Problems) -> list[str] | None:
    lines = _lines(number, "future_modes", text, problems)
    if lines is None:
        return None
    modes = [_TRAILING.sub("", line) for line in lines]
    if any(len(m) > MAX_TEXT for m in modes):
        problems.row(number, "future_modes", "too_long", limit=MAX_TEXT)
        return None
    return [m for m in modes if m]
