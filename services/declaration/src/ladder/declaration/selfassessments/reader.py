"""Reading an uploaded file row by row, without holding it: CSV through the csv module over a
decoding stream, XLSX through openpyxl's read-only (streaming) worksheet parser.

Rows come out as `(row number, cells)`, the header being row 1. Empty rows are skipped (their
numbers are kept, so later rows are numbered as the spreadsheet shows them).

XLSX keeps its shared-strings table in memory (the format puts every distinct text of the
workbook in one part): that table, not the rows, is what an XLSX import holds; CSV holds
nothing but the current chunk. So before openpyxl opens a workbook its ZIP directory is
measured (`ladder.kit.archives`: members, inflated sizes, compression ratio) and its shared
strings are counted, streaming: at most `MAX_SHARED_STRINGS` strings in
`MAX_SHARED_STRINGS_BYTES` (about 1.5 strings per row at the row limit, names and factories
— a larger file goes as CSV).
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from ladder.kit.archives import ArchiveLimits, ArchiveRefused, check_xlsx_strings, open_zip

CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES = (CSV, XLSX)
# The OpenAPI request body of a route whose body is the file itself.
FILE_BODY = {
    "requestBody": {
        "required": True,
        "content": {m: {"schema": {"type": "string", "format": "binary"}} for m in MEDIA_TYPES},
    }
}
_SNIFF_BYTES = 64 * 1024
MAX_SHARED_STRINGS = 1_000_000
MAX_SHARED_STRINGS_BYTES = 96 * 1024 * 1024
XLSX_LIMITS = ArchiveLimits(max_members=500, max_total_bytes=768 * 1024 * 1024)
# What a damaged or disguised XLSX raises (SyntaxError covers the XML parser's ParseError).
_BROKEN = (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError, SyntaxError)


class UnreadableFile(Exception):
    """The file as a whole cannot be read (at `row`, or before any row)."""

    def __init__(self, code: str, row: int, **args: Any) -> None:
        super().__init__(code)
        self.code = code
        self.row = row
        self.args_ = args


@dataclass
class Table:
    rows: Iterator[tuple[int, Sequence[Any]]]
    close: Any  # () -> None


def open_table(file: IO[bytes], media_type: str, charset: str | None) -> Table:
    file.seek(0)
    if media_type == XLSX:
        return _xlsx(file)
    return _csv(file, charset)


def _encoding(file: IO[bytes], charset: str | None) -> str:
    """The declared charset, else UTF-8 if the start of the file decodes as UTF-8, else GB18030
    (what Excel on a Chinese system saves a CSV as; a superset of GBK and GB2312)."""
    if charset:
        try:
            return codecs.lookup(charset).name
        except LookupError:
            raise UnreadableFile("bad_encoding", 1, encoding=charset) from None
    head = file.read(_SNIFF_BYTES)
    file.seek(0)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8-sig"


def _csv(file: IO[bytes], charset: str | None) -> Table:
    encoding = _encoding(file, charset)
    stream = io.TextIOWrapper(file, encoding=encoding, newline="")

    def rows() -> Iterator[tuple[int, Sequence[Any]]]:
        row_no = 0
        reader = csv.reader(stream)
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError:
                raise UnreadableFile("bad_encoding", row_no + 1, encoding=encoding) from None
            except csv.Error as exc:
                raise UnreadableFile("unreadable_file", row_no + 1, reason=str(exc)) from None
            row_no += 1
            if any(c.strip() for c in cells):
                yield row_no, cells

    def close() -> None:
        stream.detach()  # the upload's file stays open: its owner closes it

    return Table(rows(), close)


def _xlsx(file: IO[bytes]) -> Table:
    try:
        with open_zip(file, XLSX_LIMITS) as archive:
            check_xlsx_strings(
                archive, max_bytes=MAX_SHARED_STRINGS_BYTES, max_strings=MAX_SHARED_STRINGS
            )
    except ArchiveRefused as refused:
        raise UnreadableFile(
            "archive_refused", 1, reason=refused.reason, **_limit(refused)
        ) from None
    file.seek(0)
    try:
        book = load_workbook(file, read_only=True, data_only=True)
    except _BROKEN as exc:
        raise UnreadableFile("unreadable_file", 1, reason=type(exc).__name__) from None
    sheet = book.worksheets[0]
    # The stored dimension can be stale or absent: read what is really there.
    sheet.reset_dimensions()

    def rows() -> Iterator[tuple[int, Sequence[Any]]]:
        row_no = 0
        try:
            for cells in sheet.iter_rows(values_only=True):
                row_no += 1
                if any(c is not None and (not isinstance(c, str) or c.strip()) for c in cells):
                    yield row_no, cells
        except _BROKEN as exc:
            raise UnreadableFile("unreadable_file", row_no + 1, reason=type(exc).__name__) from None

    return Table(rows(), book.close)


def _limit(refused: ArchiveRefused) -> dict[str, Any]:
    return {"limit": refused.details["limit"]} if "limit" in refused.details else {}
