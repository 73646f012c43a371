"""ZIP containers (XLSX, DOCX, PPTX) checked before anything inflates them.

A 404 KiB upload inflating to 400 MiB of shared strings once raised the declaration process
from 262 to 573 MiB (openpyxl keeps an XLSX's shared strings in memory); about 1.5 MiB of such
a file would have taken down a 1 GiB pod. So every archive Ladder reads is measured first,
from its central directory alone: the number of members, each member's and the total
uncompressed size, and the compression ratio. Python's `zipfile` never inflates a member past
its declared size (and checks its CRC at the end), so a directory that lies about sizes cannot
smuggle more bytes past these checks than it declares. Parts that a reader keeps whole in
memory (an XLSX's shared strings) are also counted, streaming, before the reader opens them.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from typing import IO

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException


class ArchiveRefused(Exception):
    """The archive is not read: `reason` is a stable code, `details` says which limit."""

    def __init__(self, reason: str, **details: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.details = details


@dataclass(frozen=True)
class ArchiveLimits:
    max_members: int = 2_000
    max_total_bytes: int = 1024 * 1024 * 1024  # inflated, all members together
    max_member_bytes: int = 512 * 1024 * 1024
    # Office XML compresses ~5–20:1; a bomb is hundreds or thousands to one. Members under
    # `ratio_floor_bytes` are not judged by ratio (tiny parts compress oddly).
    max_ratio: float = 100.0
    ratio_floor_bytes: int = 1024 * 1024


DEFAULT_LIMITS = ArchiveLimits()


def open_zip(file: IO[bytes], limits: ArchiveLimits = DEFAULT_LIMITS) -> zipfile.ZipFile:
    """The archive, once its directory is within `limits` (raises `ArchiveRefused`)."""
    file.seek(0)
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise ArchiveRefused("not_a_zip") from None
    try:
        check(archive, limits)
    except BaseException:
        archive.close()
        raise
    return archive


def check(archive: zipfile.ZipFile, limits: ArchiveLimits = DEFAULT_LIMITS) -> None:
    members = archive.infolist()
    if len(members) > limits.max_members:
        raise ArchiveRefused("too_many_members", members=len(members), limit=limits.max_members)
    total = 0
    for info in members:
        if info.flag_bits & 0x1:
            raise ArchiveRefused("encrypted_member", member=info.filename[:200])
        if info.file_size > limits.max_member_bytes:
            raise ArchiveRefused(
                "member_too_large", member=info.filename[:200], limit=limits.max_member_bytes
            )
        if info.file_size > limits.ratio_floor_bytes and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise ArchiveRefused(
                "compression_ratio",
                member=info.filename[:200],
                ratio=round(info.file_size / max(info.compress_size, 1)),
                limit=limits.max_ratio,
            )
        total += info.file_size
        if total > limits.max_total_bytes:
            raise ArchiveRefused("too_large_inflated", limit=limits.max_total_bytes)


_CHUNK = 1024 * 1024


def count_elements(archive: zipfile.ZipFile, member: str, element: str, limit: int) -> int:
    """How many `<element>` start tags a member has, counted while streaming it (constant
    memory); raises `ArchiveRefused("too_many_strings")` as soon as `limit` is passed. A
    member that is absent has none."""
    pattern = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?" + re.escape(element.encode()) + rb"[\s>/]")
    try:
        stream = archive.open(member)
    except KeyError:
        return 0
    count = 0
    tail = b""
    with stream:
        while chunk := stream.read(_CHUNK):
            data = tail + chunk
            # Tags starting in the last bytes are counted with the next chunk (they may be cut
            # in two); a tag starting before is counted now, and cannot match again later.
            cut = max(len(data) - 64, 0)
            count += sum(1 for m in pattern.finditer(data) if m.start() < cut)
            tail = data[cut:]
            if count > limit:
                raise ArchiveRefused("too_many_strings", member=member, limit=limit)
        count += len(pattern.findall(tail))
    if count > limit:
        raise ArchiveRefused("too_many_strings", member=member, limit=limit)
    return count


# --- Office Open XML (ECMA-376 Part 2: the package's [Content_Types].xml) -------------------

_CONTENT_TYPES = "[Content_Types].xml"
_MAX_CONTENT_TYPES_BYTES = 1024 * 1024
# The main part of each kind; a macro-enabled document (docm, xlsm, pptm) has another type and
# is refused with everything else.
OFFICE_MAIN_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
}
SHARED_STRINGS_TYPE = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
)


def part_types(archive: zipfile.ZipFile) -> dict[str, str]:
    """Part name (without the leading '/') → content type, from the package's overrides."""
    try:
        info = archive.getinfo(_CONTENT_TYPES)
    except KeyError:
        raise ArchiveRefused("not_office_package", missing=_CONTENT_TYPES) from None
    if info.file_size > _MAX_CONTENT_TYPES_BYTES:
        raise ArchiveRefused("member_too_large", member=_CONTENT_TYPES)
    try:
        root = ElementTree.fromstring(archive.read(info))
    except (ElementTree.ParseError, DefusedXmlException):
        raise ArchiveRefused("not_office_package", missing=_CONTENT_TYPES) from None
    found: dict[str, str] = {}
    for element in root.iter():
        if element.tag.rsplit("}", 1)[-1] == "Override":
            name, kind = element.get("PartName"), element.get("ContentType")
            if name and kind:
                found.setdefault(name.lstrip("/"), kind.strip())
    return found


def office_kind(archive: zipfile.ZipFile) -> str:
    """'docx', 'xlsx' or 'pptx' by the package's main part (which must be in the archive);
    refuses anything else: a plain ZIP, a macro-enabled document, a package with VBA."""
    names = set(archive.namelist())
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise ArchiveRefused("macros")
    types = part_types(archive)
    for kind, main in OFFICE_MAIN_TYPES.items():
        parts = [p for p, t in types.items() if t == main]
        if parts:
            if not all(p in names for p in parts):
                raise ArchiveRefused("not_office_package", missing=parts[0])
            return kind
    raise ArchiveRefused("not_office_package", missing="main part")


def check_xlsx_strings(archive: zipfile.ZipFile, *, max_bytes: int, max_strings: int) -> None:
    """Bound the shared-strings parts (a reader holds them whole) before any reader opens
    them: their inflated size and their count of strings."""
    parts = [p for p, t in part_types(archive).items() if t == SHARED_STRINGS_TYPE]
    for part in parts or ["xl/sharedStrings.xml"]:
        try:
            info = archive.getinfo(part)
        except KeyError:
            continue
        if info.file_size > max_bytes:
            raise ArchiveRefused("member_too_large", member=part, limit=max_bytes)
        count_elements(archive, part, "si", max_strings)
