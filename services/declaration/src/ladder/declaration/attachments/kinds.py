"""Which files may be attached, told by their content (the Content-Type header is the
sender's claim; the first bytes are the file's), and how much.

PDF and images cover scans and certificates; the Office formats are ZIP containers, so a ZIP
is accepted only under a .docx/.xlsx/.pptx name.
"""

from __future__ import annotations

MAX_FILE_BYTES = 20 * 1024 * 1024  # one file
MAX_FILES = 30  # per declaration, not counting removed ones
MAX_TOTAL_BYTES = 200 * 1024 * 1024  # per declaration

_MAGIC: list[tuple[bytes, str]] = [
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
]
_OFFICE = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
ALLOWED = "PDF, PNG, JPEG, DOCX, XLSX, PPTX"


def detect(content: bytes, name: str) -> str | None:
    """The media type the content really is, or None when it is not an allowed kind."""
    for magic, media_type in _MAGIC:
        if content.startswith(magic):
            return media_type
    if content.startswith(b"PK\x03\x04"):
        suffix = name[name.rfind(".") :].lower() if "." in name else ""
        return _OFFICE.get(suffix)
    return None
