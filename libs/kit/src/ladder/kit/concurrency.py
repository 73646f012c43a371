"""Optimistic concurrency for shared records: ETag out, If-Match in.

A record's ETag is derived from its row version. Edits must send `If-Match`; a missing header
is 428 and a stale one 412, so two officials editing one record never overwrite each other.
A shared record's model is `Versioned`: the mixin owns `row_version`, the ETag and the bump,
so no service counts versions by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, ClassVar, TypeVar

from fastapi import Depends, Header
from sqlalchemy import text
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.kit.errors import PreconditionFailed, PreconditionRequired, implies

T = TypeVar("T")


def etag(kind: str, ident: object, version: int) -> str:
    return f'W/"{kind}-{ident}-v{version}"'


class Versioned(SQLModel):
    """A shared record edited under If-Match: `row_version` is bumped on every change
    (`bump`), and `etag` is what readers are given and writers must send back.

    A model sets `etag_kind` and, when its ETag is not named by its `id`, `etag_ident`.
    """

    etag_kind: ClassVar[str] = "record"

    row_version: int = Field(
        default=1,
        sa_column_kwargs={"server_default": text("1")},
        description="bumped on every change; the ETag",
    )

    def etag_ident(self) -> object:
        return self.id  # type: ignore[attr-defined]

    @property
    def etag(self) -> str:
        return etag(self.etag_kind, self.etag_ident(), self.row_version)

    def bump(self) -> None:
        """One edit, one new version: the ETag the writer is answered with."""
        self.row_version += 1


IfMatchHeader = Annotated[
    str | None,
    Header(alias="If-Match", description="the ETag last read; required for edits"),
]


async def require_if_match(
    if_match: Annotated[
        str | None,
        Header(alias="If-Match", description="required: the ETag last read (428 without it)"),
    ] = None,
) -> str:
    if if_match is None:
        raise PreconditionRequired()
    return if_match


async def optional_if_match(
    if_match: Annotated[
        str | None,
        Header(alias="If-Match", description="optional: the ETag last read, checked when sent"),
    ] = None,
) -> str | None:
    return if_match


implies(require_if_match, PreconditionRequired, PreconditionFailed)
implies(optional_if_match, PreconditionFailed)

IfMatchDep = Annotated[str, Depends(require_if_match)]
"""An edit of a shared record: If-Match required (documented `required: true`; 428 without)."""
OptionalIfMatchDep = Annotated[str | None, Depends(optional_if_match)]

REQUIRED_HEADERS: dict[Callable[..., Any], str] = {require_if_match: "If-Match"}


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
    etag_of: Callable[[T], str] | None = None,
) -> T | None:
    """The one checked path for an If-Match edit: the row read `FOR UPDATE`, its ETag compared
    under that lock, None if it is gone.

    Comparing against a copy read without the lock lets two writers holding the same ETag both
    pass the check and both be told 200 (issue 12: the enterprise profile lost the first
    writer's acknowledged address). `populate_existing` refreshes a copy an earlier read of the
    same session left in the identity map, so the ETag compared is the one just locked. The
    caller edits the returned row and calls `bump` once. `etag_of` defaults to a `Versioned`
    row's own ETag.
    """
    row = await session.get(model, ident, with_for_update=True, populate_existing=True)
    if row is None:
        return None
    check_if_match(if_match, etag_of(row) if etag_of is not None else row.etag)  # type: ignore[attr-defined]
    return row


def bump(row: Versioned) -> None:
    """One edit, one new version (the mixin's `bump`)."""
    row.bump()


IfNoneMatchHeader = Annotated[
    str | None,
    Header(alias="If-None-Match", description="`*`: only create, never replace"),
]
"""A create-or-replace of one's own record: `*` refuses to overwrite an existing one."""
