"""Routes for a declaration's evidence attachments (证明材料)."""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response, status

from ladder.declaration.attachments import kinds, service
from ladder.declaration.attachments.errors import (
    AttachmentExists,
    AttachmentNotFound,
    AttachmentTooLarge,
    AttachmentTypeNotAllowed,
    EmptyAttachment,
    TooManyAttachments,
)
from ladder.declaration.attachments.schemas import AttachmentRead
from ladder.declaration.declarations import service as declarations
from ladder.declaration.errors import DeclarationNotFound, NotEditable, NotOwnEnterprise
from ladder.kit.auth import PrincipalDep
from ladder.kit.concurrency import IfMatchDep
from ladder.kit.db import SessionDep
from ladder.kit.errors import PayloadTooLarge, declare
from ladder.kit.writes import KeyedWriteDep, answer_json

router = APIRouter(prefix="/v1/declarations/{declaration_id}/attachments", tags=["attachments"])
# The upload route's body cap (the kit's per-route limit; a file may be up to 20 MiB).
UPLOAD_PATH_PATTERN = r"/v1/declarations/[^/]+/attachments"
UPLOAD_MAX_BYTES = kinds.MAX_FILE_BYTES + 64 * 1024

Name = Annotated[str, Query(min_length=1, max_length=200, description="the file's name")]
Kind = Annotated[
    str, Query(min_length=1, max_length=50, description="what it evidences, e.g. 证明材料")
]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=AttachmentRead,
    responses=declare(
        DeclarationNotFound,
        NotOwnEnterprise,
        NotEditable,
        EmptyAttachment,
        AttachmentTooLarge,
        PayloadTooLarge,
        AttachmentTypeNotAllowed,
        AttachmentExists,
        TooManyAttachments,
    ),
    summary="Attach an evidence file to a draft (the request body is the file)",
    description=(
        f"The body is the file itself; its kind is told from its content ({kinds.ALLOWED}). "
        f"At most {kinds.MAX_FILE_BYTES // (1024 * 1024)} MiB per file, {kinds.MAX_FILES} files "
        "per declaration. The SHA-256 of every attachment is recorded in each submitted "
        "version, so the fingerprint covers the evidence. Takes an Idempotency-Key."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    },
)
async def upload(
    declaration_id: uuid.UUID,
    name: Name,
    request: Request,
    principal: PrincipalDep,
    write: KeyedWriteDep,
    kind: Kind = "证明材料",
) -> Response:
    # Only the enterprise adds to its own draft: anyone else is refused before the body (up to
    # 20 MiB) is read.
    await declarations.get_editable(write.session, principal, declaration_id)
    content = await request.body()
    sent = {"name": name, "kind": kind, "sha256": service.digest(content)}
    if (replayed := await write.begin(sent)) is not None:
        return replayed
    attachment = await service.add(
        write.session, principal, declaration_id, name=name, kind=kind, content=content
    )
    return await write.answer(service.to_read(attachment), 201)


@router.get(
    "",
    response_model=list[AttachmentRead],
    responses=declare(DeclarationNotFound),
    summary="List a declaration's attachments (not removed)",
)
async def list_attachments(
    declaration_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> list[AttachmentRead]:
    return [service.to_read(a) for a in await service.listing(session, principal, declaration_id)]


@router.get(
    "/{attachment_id}/content",
    responses={
        **declare(DeclarationNotFound, AttachmentNotFound),
        200: {"content": {"application/octet-stream": {}}},
    },
    summary="Download an attachment (also one removed since a version listed it)",
)
async def download(
    declaration_id: uuid.UUID,
    attachment_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
) -> Response:
    found = await service.get(session, principal, declaration_id, attachment_id)
    return Response(
        found.content,
        media_type=found.media_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(found.name)}",
            "X-Content-SHA256": found.sha256,
            "Cache-Control": "private, no-store",
        },
    )


@router.delete(
    "/{attachment_id}",
    response_model=AttachmentRead,
    responses=declare(DeclarationNotFound, NotOwnEnterprise, NotEditable, AttachmentNotFound),
    summary="Remove an attachment from a draft (If-Match: the attachment's ETag)",
)
async def remove(
    declaration_id: uuid.UUID,
    attachment_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> Response:
    found = await service.remove(session, principal, declaration_id, attachment_id, if_match)
    return answer_json(service.to_read(found))
