"""Bulk exports: rows streamed out as CSV, XLSX or JSON, in memory constant in the row count.

A route hands an async iterator of rows (mappings, e.g. a server-side cursor's) and the
columns (`Column`: key, Chinese header, English header) to `export_response`; the body is
written while the rows arrive, in chunks of about `CHUNK_BYTES`, and sent as it is written.
Nothing holds the whole export: not the rows, not the file.

The formats:

- **CSV**: RFC 4180 (comma, `\\r\\n`, quotes where needed), the Chinese headers first. UTF-8
  with a byte-order mark by default, so Excel opens Chinese text as such; `gb18030` on request
  for older Chinese systems (GB 18030 encodes every Unicode character: nothing is lost). Text
  a spreadsheet could evaluate gets a leading apostrophe (`ladder.kit.sheets.csv_text`).
- **XLSX**: one sheet (another one after Excel's 1,048,576 rows), the header row frozen. The
  package is written as a ZIP stream (each part's sizes in a data descriptor after it, as any
  producer writing to a pipe does), so its first bytes leave at once. Every string is an
  inline string cell (`t="inlineStr"`, never a formula), with the quote prefix when it starts
  with `= + - @`, a tab or a carriage return — `ladder.kit.sheets`'s rule, so a re-import reads
  back exactly what was stored and editing the cell does not turn it into a formula.
  (Not openpyxl's write-only workbook: without lxml it serialises ~5,000 rows of 12 cells a
  second, so 100,000 rows held the CPU for ~24 s and the file existed only at the end — past
  the gateway's 30 s upstream read timeout before the first byte.)
- **JSON**: one array (`application/json`), its items the rows keyed by column key, one row
  per line (`[\\n{…},\\n{…}\\n]`): any JSON library reads it, and a reader may also take it line
  by line. Values are typed (numbers, `null`); text is exact (JSON is data, not a sheet).

Instants are written in Beijing time (`ladder.kit.clock.BEIJING`; XLSX: a date-time cell).

An export holds a database connection while its body is sent, so `ExportSessionDep` (a
read-only transaction that lives until the last byte, not until the endpoint returns) admits
`MAX_CONCURRENT_EXPORTS` per process; a further one waits up to `QUEUE_SECONDS` for a slot,
then is answered 503 `exports_busy`; a client
that stops reading for `IDLE_SECONDS` loses its export (PostgreSQL ends the idle
transaction), so a stalled download cannot keep a connection of the pool.

No row limit: memory does not grow with the rows, and the cursor's every fetch is a statement
of its own under the database's `statement_timeout`. A failure after the first byte cannot be
an error answer any more: the connection is cut before the body's end (chunked encoding), so
the client sees a truncated transfer, never a short file that looks whole.
"""

from __future__ import annotations

import asyncio
import codecs
import csv
import io
import json
import re
import zipfile
from collections.abc import AsyncIterable, AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Annotated, Any
from urllib.parse import quote
from uuid import UUID
from xml.sax.saxutils import escape

from fastapi import Depends, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.kit import clock
from ladder.kit.errors import DatabaseUnavailable, ServiceUnavailable, implies
from ladder.kit.sheets import FORMULA_STARTS, csv_text

Row = Mapping[str, Any]

CHUNK_BYTES = 64 * 1024
"""About how much of the body is written before it is sent."""

MAX_CONCURRENT_EXPORTS = 4
"""Exports one process serves at once (each holds a connection of its pool of 10 + 10)."""

QUEUE_SECONDS = 2.0
"""How long an export waits for a slot before it is refused: the slot of an export whose last
byte was sent is given back when its transaction has closed, a moment after the client has
the file, so a client exporting one file after another must not be told "busy"."""

IDLE_SECONDS = 60
"""How long an export's transaction may wait on a client that does not read."""

XLSX_MAX_ROWS = 1_048_576
"""Rows of an Excel sheet, the header's included."""


@dataclass(frozen=True)
class Column:
    """One column of an export: `key` names the row's value (and the JSON field), `header` is
    the CSV/XLSX header (Chinese), `header_en` its English name (documentation); `width` the
    XLSX column width in characters, if not the default."""

    key: str
    header: str
    header_en: str
    width: float | None = None


class ExportFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"
    json = "json"


class CsvEncoding(StrEnum):
    utf_8 = "utf-8"  # with a byte-order mark
    gb18030 = "gb18030"


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def media_type(fmt: ExportFormat, encoding: CsvEncoding = CsvEncoding.utf_8) -> str:
    if fmt is ExportFormat.csv:
        return f"text/csv; charset={encoding.value}"
    if fmt is ExportFormat.json:
        return "application/json"
    return XLSX


def export_responses(description: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` for an export's 200 (add `declare(...)` for its errors)."""
    return {
        200: {
            "description": description,
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                XLSX: {"schema": {"type": "string", "format": "binary"}},
                "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
            },
        }
    }


# ---- values --------------------------------------------------------------------------------


def _instant(value: datetime) -> datetime:
    return value.astimezone(clock.BEIJING) if value.tzinfo is not None else value


def _scalar(value: Any) -> Any:
    """Enums by their value, UUIDs as text, instants in Beijing time; the rest as it is."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return _instant(value)
    return value


def _text_of(value: Any) -> str:
    """A non-text value as text (CSV): ISO dates and instants, `true`/`false`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):  # a datetime too
        return value.isoformat()
    return str(value)


def _csv_cell(value: Any) -> Any:
    value = _scalar(value)
    if value is None:
        return ""
    if isinstance(value, str):
        return csv_text(value)
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value  # a number, not text someone typed: never prefixed
    return _text_of(value)


def _json_default(value: Any) -> Any:
    value = _scalar(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, str):
        return value
    raise TypeError(f"not exportable: {type(value).__name__}")


# ---- the writers ---------------------------------------------------------------------------


async def csv_chunks(
    columns: Sequence[Column],
    rows: AsyncIterable[Row],
    *,
    encoding: CsvEncoding = CsvEncoding.utf_8,
) -> AsyncIterator[bytes]:
    """The rows as CSV, header first."""
    text_out = io.StringIO()
    writer = csv.writer(text_out, lineterminator="\r\n")
    # GB 18030 encodes every code point; "replace" only guards against a lone surrogate.
    encoder = codecs.getincrementalencoder(encoding.value)(errors="replace")
    prefix = codecs.BOM_UTF8 if encoding is CsvEncoding.utf_8 else b""

    def drain() -> bytes:
        data = encoder.encode(text_out.getvalue())
        text_out.seek(0)
        text_out.truncate()
        return data

    writer.writerow([csv_text(c.header) for c in columns])
    keys = [c.key for c in columns]
    async for row in rows:
        writer.writerow([_csv_cell(row.get(k)) for k in keys])
        if text_out.tell() >= CHUNK_BYTES:
            yield prefix + drain()
            prefix = b""
    yield prefix + drain() + encoder.encode("", final=True)


async def json_chunks(columns: Sequence[Column], rows: AsyncIterable[Row]) -> AsyncIterator[bytes]:
    """The rows as one JSON array, one row per line."""
    keys = [c.key for c in columns]
    parts: list[str] = ["["]
    size = 1
    separator = "\n"
    async for row in rows:
        line = json.dumps(
            {k: row.get(k) for k in keys},
            ensure_ascii=False,
            default=_json_default,
            allow_nan=False,
            separators=(",", ":"),
        )
        parts.append(separator)
        parts.append(line)
        separator = ",\n"
        size += len(line) + 2
        if size >= CHUNK_BYTES:
            yield "".join(parts).encode()
            parts.clear()
            size = 0
    parts.append("\n]\n")
    yield "".join(parts).encode()


# XML 1.0 refuses these characters (openpyxl's ILLEGAL_CHARACTERS_RE, and the non-characters);
# the input guard refuses them at the door, so here they can only come from old data.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_XML_ESCAPES = {'"': "&quot;", "\r": "&#13;"}  # a bare CR would be read back as LF
_EXCEL_EPOCH = datetime(1899, 12, 30)
# Cell styles of `_STYLES` (cellXfs): 0 default, 1 text with the quote prefix, 2 date-time,
# 3 date, 4 the header.
_QUOTED, _DATETIME, _DATE, _HEADER = 1, 2, 3, 4
_SHEET_NAME_CHARS = re.compile(r"[\[\]:*?/\\]")

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_STYLES = (
    f'{_DECL}<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="等线"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="等线"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_ROOT_RELS = (
    f'{_DECL}<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)


def _column_letters(n: int) -> str:
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _inline_text(ref: str, value: str, style: int | None = None) -> str:
    value = _NOT_XML.sub("\ufffd", value)
    if style is None and value.startswith(FORMULA_STARTS):
        style = _QUOTED
    s = f' s="{style}"' if style is not None else ""
    space = ' xml:space="preserve"' if value != value.strip() or "\n" in value else ""
    return f'<c r="{ref}" t="inlineStr"{s}><is><t{space}>{escape(value, _XML_ESCAPES)}</t></is></c>'


def _xlsx_cell(ref: str, value: Any) -> str:
    value = _scalar(value)
    if value is None:
        return ""
    if isinstance(value, str):
        return _inline_text(ref, value)
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float | Decimal):
        return f'<c r="{ref}"><v>{value}</v></c>'
    if isinstance(value, datetime):
        serial = (value.replace(tzinfo=None) - _EXCEL_EPOCH) / timedelta(days=1)
        return f'<c r="{ref}" s="{_DATETIME}"><v>{serial!r}</v></c>'
    if isinstance(value, date):
        serial = (value - _EXCEL_EPOCH.date()).days
        return f'<c r="{ref}" s="{_DATE}"><v>{serial}</v></c>'
    return _inline_text(ref, str(value))


class _Pipe:
    """A write-only file for `zipfile`: what is written is taken out with `take()`. Having no
    `tell`, it makes `zipfile` write each part's sizes after it (a streamed archive)."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def write(self, data: bytes) -> int:
        self._buffer += data
        return len(data)

    def flush(self) -> None:
        pass

    def __len__(self) -> int:
        return len(self._buffer)

    def take(self) -> bytes:
        data = bytes(self._buffer)
        self._buffer.clear()
        return data


def _sheet_title(title: str, number: int) -> str:
    """An Excel sheet name: at most 31 characters, none of `[]:*?/\\`."""
    title = _SHEET_NAME_CHARS.sub("_", title).strip("'") or "Sheet"
    suffix = f" ({number})" if number > 1 else ""
    return title[: 31 - len(suffix)] + suffix


def _sheet_head(columns: Sequence[Column]) -> str:
    widths = "".join(
        f'<col min="{i}" max="{i}" width="{c.width}" customWidth="1"/>'
        for i, c in enumerate(columns, 1)
        if c.width
    )
    header = "".join(
        _inline_text(f"{_column_letters(i)}1", c.header, _HEADER) for i, c in enumerate(columns, 1)
    )
    return (
        f'{_DECL}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">'
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft"/></sheetView></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15"/>'
        + (f"<cols>{widths}</cols>" if widths else "")
        + f'<sheetData><row r="1">{header}</row>'
    )


def _package_parts(titles: list[str]) -> Iterator[tuple[str, str]]:
    """The workbook, its relationships and the content types, once the sheets are known."""
    sheets = "".join(
        f'<sheet name="{escape(t, _XML_ESCAPES)}" sheetId="{i}" r:id="rId{i}"/>'
        for i, t in enumerate(titles, 1)
    )
    yield (
        "xl/workbook.xml",
        f'{_DECL}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
        f"<bookViews><workbookView/></bookViews><sheets>{sheets}</sheets></workbook>",
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(titles) + 1)
    )
    styles = f'<Relationship Id="rId{len(titles) + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
    yield (
        "xl/_rels/workbook.xml.rels",
        f'{_DECL}<Relationships xmlns="{_PKG_REL}">{rels}{styles}</Relationships>',
    )
    ml = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{ml}.worksheet+xml"/>'
        for i in range(1, len(titles) + 1)
    )
    yield (
        "[Content_Types].xml",
        f'{_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{ml}.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{ml}.styles+xml"/>'
        f"{overrides}</Types>",
    )


async def xlsx_chunks(
    columns: Sequence[Column],
    rows: AsyncIterable[Row],
    *,
    sheet_title: str = "导出",
    rows_per_sheet: int = XLSX_MAX_ROWS - 1,
) -> AsyncIterator[bytes]:
    """The rows as an XLSX workbook, written as a ZIP stream; a sheet holds `rows_per_sheet`
    rows below its header, and the next rows go on a new sheet (`导出 (2)`)."""
    pipe = _Pipe()
    stamp = clock.now().astimezone(clock.BEIJING).timetuple()[:6]
    book = zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6)  # type: ignore[arg-type]

    def part(name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        return info

    book.writestr(part("_rels/.rels"), _ROOT_RELS)
    book.writestr(part("xl/styles.xml"), _STYLES)
    letters = [_column_letters(i) for i in range(1, len(columns) + 1)]
    keys = [c.key for c in columns]
    titles: list[str] = []
    sheet = None
    row_number = 0
    pending: list[str] = []
    size = 0

    def open_sheet() -> Any:
        titles.append(_sheet_title(sheet_title, len(titles) + 1))
        handle = book.open(part(f"xl/worksheets/sheet{len(titles)}.xml"), "w")
        handle.write(_sheet_head(columns).encode())
        return handle

    def close_sheet(handle: Any) -> None:
        handle.write(("".join(pending) + "</sheetData></worksheet>").encode())
        pending.clear()
        handle.close()

    done = False
    try:
        sheet = open_sheet()
        async for row in rows:
            if row_number == rows_per_sheet:
                close_sheet(sheet)
                sheet, row_number = open_sheet(), 0
            row_number += 1
            r = row_number + 1
            line = (
                f'<row r="{r}">'
                + "".join(
                    _xlsx_cell(f"{x}{r}", row.get(k)) for x, k in zip(letters, keys, strict=True)
                )
                + "</row>"
            )
            pending.append(line)
            size += len(line)
            if size >= CHUNK_BYTES:
                sheet.write("".join(pending).encode())
                pending.clear()
                size = 0
                if len(pipe) >= CHUNK_BYTES:
                    yield pipe.take()
        close_sheet(sheet)
        sheet = None
        for name, data in _package_parts(titles):
            book.writestr(part(name), data)
        book.close()
        done = True
        yield pipe.take()
    finally:
        if not done:  # stopped half-way (the client left, the rows failed): close, discard
            pending.clear()
            if sheet is not None:
                sheet.close()
            book.close()
            pipe.take()


def chunks(
    fmt: ExportFormat,
    columns: Sequence[Column],
    rows: AsyncIterable[Row],
    *,
    encoding: CsvEncoding = CsvEncoding.utf_8,
    sheet_title: str = "导出",
) -> AsyncIterator[bytes]:
    """The body of an export in `fmt`."""
    if fmt is ExportFormat.csv:
        return csv_chunks(columns, rows, encoding=encoding)
    if fmt is ExportFormat.xlsx:
        return xlsx_chunks(columns, rows, sheet_title=sheet_title)
    return json_chunks(columns, rows)


# ---- the answer ----------------------------------------------------------------------------


def content_disposition(name: str, ascii_name: str) -> str:
    """`attachment` with an ASCII `filename` and the real (Chinese) one as RFC 6266's
    `filename*` (RFC 5987 UTF-8 percent-encoding), which browsers prefer when present."""
    fallback = re.sub(r"[^A-Za-z0-9._-]", "_", ascii_name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def export_response(
    fmt: ExportFormat,
    columns: Sequence[Column],
    rows: AsyncIterable[Row],
    *,
    name: str,
    ascii_name: str,
    encoding: CsvEncoding = CsvEncoding.utf_8,
    sheet_title: str = "导出",
) -> StreamingResponse:
    """The streamed answer: the file named `name` (`ascii_name` for old clients), with the
    format's extension added, never cached by a shared cache."""
    ext = fmt.value
    return StreamingResponse(
        chunks(fmt, columns, rows, encoding=encoding, sheet_title=sheet_title),
        media_type=media_type(fmt, encoding),
        headers={
            "Content-Disposition": content_disposition(f"{name}.{ext}", f"{ascii_name}.{ext}"),
            "Cache-Control": "private, no-store",
        },
    )


# ---- the session that lives as long as the body --------------------------------------------


class ExportsBusy(ServiceUnavailable):
    code = "exports_busy"
    message = "导出任务过多，请稍后重试"
    message_en = "Too many exports are running; retry later"
    retry_after_seconds = 10

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"Retry-After": str(self.retry_after_seconds)})
        super().__init__(*args, **kwargs)


def _slots(state: Any) -> asyncio.Semaphore:
    if getattr(state, "export_slots", None) is None:
        state.export_slots = asyncio.Semaphore(MAX_CONCURRENT_EXPORTS)
    return state.export_slots


async def _export_session(request: Request) -> AsyncIterator[AsyncSession]:
    state = request.app.state
    slots = _slots(state)
    try:
        await asyncio.wait_for(slots.acquire(), timeout=QUEUE_SECONDS)
    except TimeoutError:
        raise ExportsBusy(
            details={"running": MAX_CONCURRENT_EXPORTS, "max": MAX_CONCURRENT_EXPORTS}
        ) from None
    try:
        async with state.db.transaction() as session:
            await session.execute(text("SET TRANSACTION READ ONLY"))
            await session.execute(
                text(f"SET LOCAL idle_in_transaction_session_timeout = '{IDLE_SECONDS}s'")
            )
            yield session
    finally:
        slots.release()


implies(_export_session, DatabaseUnavailable, ExportsBusy)
# scope="request": the transaction (and its server-side cursor) ends after the response's
# last byte is sent, not when the endpoint returns (`SessionDep`'s scope="function").
ExportSessionDep = Annotated[AsyncSession, Depends(_export_session, scope="request")]
"""A read-only session for an export, open until its body is sent (one of
`MAX_CONCURRENT_EXPORTS`; 503 `exports_busy` beyond)."""
