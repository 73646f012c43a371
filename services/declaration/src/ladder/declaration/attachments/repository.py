"""Every query on attachments (证明材料). The declaration's submit uses some of them too, so
this module imports nothing of the declarations."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy import func, text
from sqlalchemy import select as core_select
from sqlalchemy.orm import defer
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.declaration.attachments.models import Attachment


async def current_of(session: AsyncSession, declaration_id: uuid.UUID) -> list[Attachment]:
    """The declaration's attachments not removed, oldest first (without loading content)."""
    rows = await session.exec(
        select(Attachment)
        .options(defer(Attachment.content))  # type: ignore[arg-type]  (metadata only)
        .where(Attachment.declaration_id == declaration_id)
        .where(Attachment.removed_at.is_(None))  # type: ignore[union-attr]
        .order_by(Attachment.uploaded_at, Attachment.id)
    )
    return list(rows.all())


_DIGESTS = (
    "SELECT DISTINCT a->>'sha256' FROM declaration.declaration_version v, "
    "jsonb_array_elements(v.content->'attachments') a WHERE v.declaration_id = :id"
)
_DIGESTS_OF = (
    "SELECT DISTINCT a->>'sha256' FROM declaration.declaration_version v, "
    "jsonb_array_elements(v.content->'attachments') a WHERE v.declaration_id = :id "
    "AND v.number = ANY(:numbers)"
)


async def submitted_digests(
    session: AsyncSession, declaration_id: uuid.UUID, numbers: Collection[int] | None = None
) -> set[str]:
    """The SHA-256 of every attachment some submitted version of the declaration lists (of the
    versions `numbers`, if given)."""
    if numbers is None:
        rows = await session.execute(text(_DIGESTS), {"id": declaration_id})
    else:
        rows = await session.execute(
            text(_DIGESTS_OF), {"id": declaration_id, "numbers": list(numbers)}
        )
    return {r[0] for r in rows if r[0]}


def manifest(attachments: list[Attachment]) -> list[dict[str, Any]]:
    """What a submitted version records of its attachments (the fingerprint covers it)."""
    return [
        {
            "name": a.name,
            "kind": a.kind,
            "media_type": a.media_type,
            "size": a.size,
            "sha256": a.sha256,
        }
        for a in attachments
    ]


async def attachment(
    session: AsyncSession, attachment_id: uuid.UUID, *, for_update: bool = False
) -> Attachment | None:
    return await session.get(Attachment, attachment_id, with_for_update=for_update)


async def live_totals(
    session: AsyncSession, declaration_id: uuid.UUID, digest: str
) -> tuple[int, int, uuid.UUID | None]:
    """(files, bytes) of the draft's live attachments, and the one with `digest` if any."""
    live = (Attachment.declaration_id == declaration_id) & Attachment.removed_at.is_(None)  # type: ignore[union-attr]
    count, total = (
        await session.execute(
            core_select(func.count(), func.coalesce(func.sum(Attachment.size), 0)).where(live)
        )
    ).one()
    same = (
        await session.execute(
            core_select(Attachment.id).where(live & (Attachment.sha256 == digest))
        )
    ).scalar_one_or_none()
    return int(count), int(total), same
