"""Optimistic concurrency for shared records: ETag out, If-Match in.

A record's ETag is derived from its row version. Edits must send `If-Match`; a missing header
is 428 and a stale one 412, so two officials editing one record never overwrite each other.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Header

from ladder.kit.errors import PreconditionFailed, PreconditionRequired


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
