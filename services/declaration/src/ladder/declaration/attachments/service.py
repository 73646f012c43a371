"""Attaching evidence to a declaration, listing it, reading it back, removing it from a draft."""

from __future__ import annotations

import hashlib
import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.declaration.attachments import kinds, repository
from ladder.declaration.attachments.auth import sees_drafts
from ladder.declaration.attachments.errors import (
    AttachmentExists,
    AttachmentNotFound,
    AttachmentTooLarge,
    AttachmentTypeNotAllowed,
    EmptyAttachment,
    TooManyAttachments,
)
from ladder.declaration.attachments.models import Attachment
from ladder.declaration.attachments.repository import current_of, submitted_digests
from ladder.declaration.attachments.schemas import AttachmentRead
from ladder.declaration.declarations import repository as declaration_repository
from ladder.declaration.declarations import service as declarations
from ladder.declaration.declarations.machine import EDITABLE
from ladder.declaration.errors import NotEditable
from ladder.kit import clock
from ladder.kit.auth import Principal, Role
from ladder.kit.concurrency import check_if_match, etag


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def attachment_etag(a: Attachment) -> str:
    return etag("attachment", a.id, 2 if a.removed_at else 1)


def to_read(a: Attachment) -> AttachmentRead:
    read = AttachmentRead.model_validate(a)
    read.etag = attachment_etag(a)
    return read


async def add(
    session: AsyncSession,
    principal: Principal,
    declaration_id: uuid.UUID,
    *,
    name: str,
    kind: str,
    content: bytes,
) -> Attachment:
    row = await declarations.get_editable(session, principal, declaration_id)
    if row.declaration.status not in EDITABLE:
        raise NotEditable(details={"status": row.declaration.status})
    if not content:
        raise EmptyAttachment(details={"field": "body"})
    if len(content) > kinds.MAX_FILE_BYTES:
        raise AttachmentTooLarge(details={"size": len(content), "limit": kinds.MAX_FILE_BYTES})
    verdict = kinds.detect(content, name)
    media_type = verdict.media_type
    if media_type is None:
        raise AttachmentTypeNotAllowed(
            details={"name": name, "allowed": kinds.ALLOWED, "reason": verdict.reason}
        )
    sha256 = digest(content)
    count, total, same = await repository.live_totals(session, declaration_id, sha256)
    if same is not None:
        raise AttachmentExists(details={"attachment_id": str(same), "sha256": sha256})
    if count >= kinds.MAX_FILES or total + len(content) > kinds.MAX_TOTAL_BYTES:
        raise TooManyAttachments(
            details={
                "files": count,
                "max_files": kinds.MAX_FILES,
                "bytes": total,
                "max_bytes": kinds.MAX_TOTAL_BYTES,
            }
        )
    attachment = Attachment(
        declaration_id=declaration_id,
        name=name,
        kind=kind,
        media_type=media_type,
        size=len(content),
        sha256=sha256,
        content=content,
        uploaded_by=principal.sub,
    )
    session.add(attachment)
    await session.flush()
    await session.refresh(attachment)
    return attachment


async def _readable_digests(
    session: AsyncSession, principal: Principal, declaration_id: uuid.UUID
) -> set[str]:
    """The files of the submitted versions the principal reads: an authority every version's,
    an expert only the version under review's (`version_readable_by`)."""
    if principal.role is not Role.expert:
        return await submitted_digests(session, declaration_id)
    numbers = await declaration_repository.version_numbers(
        session, declaration_id, reader=principal
    )
    return await submitted_digests(session, declaration_id, numbers)


async def listing(
    session: AsyncSession, principal: Principal, declaration_id: uuid.UUID
) -> list[Attachment]:
    row = await declarations.get_readable(session, principal, declaration_id)
    current = await current_of(session, declaration_id)
    if sees_drafts(principal, row.enterprise.uscc):
        return current
    submitted = await _readable_digests(session, principal, declaration_id)
    return [a for a in current if a.sha256 in submitted]


async def get(
    session: AsyncSession, principal: Principal, declaration_id: uuid.UUID, attachment_id: uuid.UUID
) -> Attachment:
    row = await declarations.get_readable(session, principal, declaration_id)
    found = await repository.attachment(session, attachment_id)
    if found is None or found.declaration_id != declaration_id:
        raise AttachmentNotFound(details={"attachment_id": str(attachment_id)})
    if not sees_drafts(principal, row.enterprise.uscc) and found.sha256 not in (
        await _readable_digests(session, principal, declaration_id)
    ):
        # Evidence added to a draft is the enterprise's until a submitted version lists it.
        raise AttachmentNotFound(details={"attachment_id": str(attachment_id)})
    return found


async def remove(
    session: AsyncSession,
    principal: Principal,
    declaration_id: uuid.UUID,
    attachment_id: uuid.UUID,
    if_match: str | None,
) -> Attachment:
    row = await declarations.get_editable(session, principal, declaration_id)
    if row.declaration.status not in EDITABLE:
        raise NotEditable(details={"status": row.declaration.status})
    found = await repository.attachment(session, attachment_id, for_update=True)
    if found is None or found.declaration_id != declaration_id or found.removed_at is not None:
        raise AttachmentNotFound(details={"attachment_id": str(attachment_id)})
    check_if_match(if_match, attachment_etag(found))
    found.removed_at = clock.now()
    await session.flush()
    return found
