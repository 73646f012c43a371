"""Which files may be attached, told by their content (the Content-Type header is the
sender's claim; the file's structure is the file's), and how much.

PDF and images cover scans and certificates; the Office formats are ZIP packages. A first line
of magic bytes is not enough — `%PDF-` followed by an HTML page passed, and so did any ZIP
named `.docx` — so each kind is opened as what it claims to be before it is kept:

- PDF: pypdf reads its cross-reference table, trailer and page tree (not its content
  streams); at least one page; not encrypted (an official could not open it).
- PNG, JPEG: Pillow reads the header and verifies the image data (with its own limit on
  pixels, against decompression bombs).
- DOCX, XLSX, PPTX: the ZIP directory within the archive limits (`ladder.kit.archives`: members,
  inflated size, compression ratio), the package's main part of the kind the name says, and
  no macros (docm/xlsm/pptm or a VBA project are refused).

Downloads are always `Content-Disposition: attachment` with `X-Content-Type-Options: nosniff`,
so a browser never renders a stored file as a page.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from ladder.kit.archives import ArchiveLimits, ArchiveRefused, office_kind, open_zip

MAX_FILE_BYTES = 20 * 1024 * 1024  # one file
MAX_FILES = 30  # per declaration, not counting removed ones
MAX_TOTAL_BYTES = 200 * 1024 * 1024  # per declaration

_OFFICE = {
    ".docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ".xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".pptx": ("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
}
OFFICE_LIMITS = ArchiveLimits(max_members=2_000, max_total_bytes=256 * 1024 * 1024)
ALLOWED = "PDF, PNG, JPEG, DOCX, XLSX, PPTX"


@dataclass(frozen=True)
class Verdict:
    media_type: str | None
    reason: str | None = None  # why not, when media_type is None


def detect(content: bytes, name: str) -> Verdict:
    """The media type the content really is, or why it may not be attached."""
    if content.startswith(b"%PDF-"):
        return _pdf(content)
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return _image(content, "PNG", "image/png")
    if content.startswith(b"\xff\xd8\xff"):
        return _image(content, "JPEG", "image/jpeg")
    if content.startswith(b"PK\x03\x04"):
        return _office(content, name)
    return Verdict(None, "unknown_kind")


def _pdf(content: bytes) -> Verdict:
    if b"%%EOF" not in content[-2048:]:
        return Verdict(None, "not_a_pdf")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(content), strict=False)
            if reader.is_encrypted:
                return Verdict(None, "encrypted")
            pages = len(reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return Verdict(None, "not_a_pdf")
    return Verdict("application/pdf") if pages > 0 else Verdict(None, "not_a_pdf")


def _image(content: bytes, kind: str, media_type: str) -> Verdict:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                if image.format != kind:
                    return Verdict(None, "not_an_image")
                image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError, Image.DecompressionBombWarning):  # fmt: skip
        return Verdict(None, "not_an_image")
    return Verdict(media_type)


def _office(content: bytes, name: str) -> Verdict:
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    expected = _OFFICE.get(suffix)
    if expected is None:
        return Verdict(None, "zip_not_office")
    kind, media_type = expected
    try:
        with open_zip(io.BytesIO(content), OFFICE_LIMITS) as archive:
            found = office_kind(archive)
    except ArchiveRefused as refused:
        return Verdict(None, refused.reason)
    return Verdict(media_type) if found == kind else Verdict(None, "kind_mismatch")
