"""Optimistic concurrency for shared records: ETag out, If-Match in.

A record's ETag is derived from its row version. Edits must send `If-Match`; a missing header
is 428 and a stale one 412, so two officials editing one record never overwrite each other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Header
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.kit.errors import PreconditionFailed, PreconditionRequired

T = TypeVar("T")


def etag(kind: str, ident: object, version: int) -> str:
    return f'W/"{kind}-{ident}-v{version}"'


IfMatchHeader = Annotated[
    str | None,
    Header(alias="If-Match", description="the ETag last read; required for edits"),
]


def check_if_match(if_match: str | None, current: str) -> None:
    if if_match is None:
        raise PreconditionRequired()
    offered = [v.strip() for v in if_match.split(",")]
    if "*" in offered or current in offered or current.removeprefix("W/") in offered:
        return
    raise PreconditionFailed(details={"current_etag": current})


async def locked_for_edit(
    session: AsyncSession,
    model: type[T],
    ident: object,
    if_match: str | None,
    etag_of: Callable[[T], str],
) -> T | None:
    """The one checked path for an If-Match edit: the row read `FOR UPDATE`, its ETag compared
    under that lock, None if it is gone.

    Comparing against a copy read without the lock lets two writers holding the same ETag both
    pass the check and both be told 200 (issue 12: the enterprise profile lost the first
    writer's acknowledged address). `populate_existing` refreshes a copy an earlier read of the
    same session left in the identity map, so the ETag compared is the one just locked. The
    caller edits the returned row and calls `bump` once.
    """
    row = await session.get(model, ident, with_for_update=True, populate_existing=True)
    if row is None:
        return None
    check_if_match(if_match, etag_of(row))
    return row


def bump(row: Any) -> None:
    """One edit, one new version: the ETag the writer is answered with."""
    row.row_version += 1
