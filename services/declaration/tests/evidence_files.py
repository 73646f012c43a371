"""Real files for attachment and import tests — and hostile ones: a PDF/HTML polyglot, a ZIP
that only calls itself .docx, a macro document, zip bombs."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook
from PIL import Image
from pypdf import PdfWriter

_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_MAIN = {
    "docx": ("word/document.xml", "wordprocessingml.document.main+xml"),
    "pptx": ("ppt/presentation.xml", "presentationml.presentation.main+xml"),
}


def pdf(pages: int = 1, note: bytes = b"") -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue() + note


def png(size: tuple[int, int] = (8, 8)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (30, 30, 200)).save(out, "JPEG")
    return out.getvalue()


def office(kind: str = "docx", *, main_type: str | None = None, extra: dict | None = None) -> bytes:
    """A minimal Office package: [Content_Types].xml naming the main part, and the part."""
    part, suffix = _MAIN[kind]
    content_type = main_type or f"application/vnd.openxmlformats-officedocument.{suffix}"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            f'<?xml version="1.0"?><Types xmlns="{_CT}">'
            f'<Override PartName="/{part}" ContentType="{content_type}"/></Types>',
        )
        z.writestr(part, "<document/>")
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return out.getvalue()


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for r in rows:
        book.active.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("readme.txt", "not an office document")
    return out.getvalue()


def xlsx_bomb(inflated_mib: int = 200, *, base: bytes | None = None) -> bytes:
    """An XLSX whose shared strings inflate to `inflated_mib` MiB from a few hundred KiB: the
    file found by trying to break the import (404 KiB → 400 MiB)."""
    base = base or xlsx([["统一社会信用代码", "企业名称"], ["x", "y"]])
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst,
    ):
        for info in src.infolist():
            if info.filename != "xl/sharedStrings.xml":
                dst.writestr(info, src.read(info))
        with dst.open("xl/sharedStrings.xml", "w", force_zip64=True) as strings:
            strings.write(b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/'
                          b'spreadsheetml/2006/main">')  # fmt: skip
            chunk = b"<si><t>" + b"A" * 1000 + b"</t></si>"
            for _ in range(inflated_mib * 1024 * 1024 // len(chunk)):
                strings.write(chunk)
            strings.write(b"</sst>")
    return out.getvalue()


def xlsx_many_strings(count: int) -> bytes:
    """Tiny strings, many: within every size and ratio limit, beyond the count."""
    base = xlsx([["a"]])
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst,
    ):
        for info in src.infolist():
            if info.filename != "xl/sharedStrings.xml":
                dst.writestr(info, src.read(info))
        dst.writestr(
            "xl/sharedStrings.xml",
            b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            + b"<si><t>a</t></si>" * count
            + b"</sst>",
        )
    return out.getvalue()
