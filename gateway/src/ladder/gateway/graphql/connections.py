"""Relay-style connections over the services' lists.

Every list field takes `first` (required, 1..`MAX_FIRST`) and `after` (an opaque cursor from
an earlier answer) and answers a `…Connection` with `edges { cursor node }`, `nodes`,
`pageInfo { hasNextPage endCursor }` and `totalCount` where the service counts.

A cursor is the position of its item, base64url of a small JSON object, and is only ever
read back by the gateway: for the services' page/page_size lists the item's offset in the
list (`{"o": 41}`), mapped onto one upstream page (or two, for a window that straddles
pages: `offset_window`); for the keyset lists (self-assessments) the service's own cursor of
the page the item was on and how far into it (`{"k": "...", "s": 3}`).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import strawberry

from ladder.gateway.graphql.errors import InvalidArgumentError, invalid_argument

T = TypeVar("T")
MAX_FIRST = 100
UPSTREAM_MAX_PAGE_SIZE = 200  # ladder.kit.pagination.MAX_PAGE_SIZE, the services' cap
UPSTREAM_MAX_PAGE = 100_000  # the services' largest page number
MAX_CURSOR_CHARS = 4000
FIRST = "how many, 1 to 100 (required)"
AFTER = "the `endCursor` (or an edge's `cursor`) of an earlier page"


@strawberry.type(description="Where a page of a connection stands in the whole list")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None = strawberry.field(description="pass as `after` for the next page")


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    nodes: list[T]
    page_info: PageInfo
    total_count: int | None = strawberry.field(
        description="the whole list's size, where the service counts it (else null)"
    )


def encode(position: dict[str, Any]) -> str:
    raw = json.dumps(position, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str) -> dict[str, Any] | None:
    if len(cursor) > MAX_CURSOR_CHARS:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value = json.loads(raw)
    except (binascii.Error, ValueError):
        return None
    return value if isinstance(value, dict) else None


def bad_cursor() -> InvalidArgumentError:
    error = invalid_argument("after", "分页游标无效", "The cursor is not one this list gave")
    error.code = "invalid_cursor"
    return error


def check_first(first: int) -> InvalidArgumentError | None:
    if 1 <= first <= MAX_FIRST:
        return None
    return invalid_argument(
        "first", f"first 须在 1 至 {MAX_FIRST} 之间", f"first must be 1..{MAX_FIRST}"
    )


# --- lists with page and page_size ------------------------------------------------------


@dataclass(frozen=True)
class UpstreamPage:
    page: int
    page_size: int
    skip: int  # items of the page before the window


def offset_of(after: str | None) -> int | InvalidArgumentError:
    """The offset of the first item after the cursor (0 without one)."""
    if after is None:
        return 0
    position = decode(after)
    offset = position.get("o") if position else None
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        return bad_cursor()
    return offset + 1


def offset_window(start: int, first: int) -> list[UpstreamPage] | InvalidArgumentError:
    """The upstream pages that hold items `start .. start+first-1`: one page of a size (up to
    the services' cap) that holds the whole window — always, for cursors of pages of the same
    size — else two consecutive pages of the smallest size that keeps within the services'
    last page."""
    last = start + first - 1
    two: list[UpstreamPage] | None = None
    for size in range(first, UPSTREAM_MAX_PAGE_SIZE + 1):
        if last // size + 1 > UPSTREAM_MAX_PAGE:
            continue
        page = start // size + 1
        if page == last // size + 1:
            return [UpstreamPage(page, size, start % size)]
        if two is None:
            two = [UpstreamPage(page, size, start % size), UpstreamPage(page + 1, size, 0)]
    if two is None:
        return invalid_argument(
            "after", "分页位置超出列表可读范围", "The cursor is beyond what the list pages to"
        )
    return two


def offset_connection(
    items: Sequence[Any], start: int, first: int, total: int, build: Callable[[Any], T]
) -> Connection[T]:
    """The connection of `first` items from offset `start` (the window's items, in order)."""
    nodes = [build(item) for item in items[:first]]
    cursors = [encode({"o": start + i}) for i in range(len(nodes))]
    return Connection(
        edges=[Edge(cursor=c, node=n) for c, n in zip(cursors, nodes, strict=True)],
        nodes=nodes,
        page_info=PageInfo(
            has_next_page=start + len(nodes) < total,
            has_previous_page=start > 0,
            start_cursor=cursors[0] if cursors else None,
            end_cursor=cursors[-1] if cursors else None,
        ),
        total_count=total,
    )


# --- keyset lists -----------------------------------------------------------------------


@dataclass(frozen=True)
class KeysetPosition:
    cursor: str | None  # the service's cursor of the page
    skip: int  # items of that page already seen


def keyset_of(after: str | None) -> KeysetPosition | InvalidArgumentError:
    if after is None:
        return KeysetPosition(None, 0)
    position = decode(after)
    if position is None:
        return bad_cursor()
    cursor, skip = position.get("k"), position.get("s")
    if not (cursor is None or isinstance(cursor, str)):
        return bad_cursor()
    if not isinstance(skip, int) or isinstance(skip, bool) or not 0 <= skip <= MAX_FIRST:
        return bad_cursor()
    return KeysetPosition(cursor, skip)


def keyset_connection(
    items: Sequence[Any],
    at: KeysetPosition,
    first: int,
    next_cursor: str | None,
    build: Callable[[Any], T],
) -> Connection[T]:
    """`items` is the service's page fetched at `at.cursor` with `at.skip + first` items (or
    fewer, at the end); `next_cursor` its cursor for what follows."""
    window = items[at.skip : at.skip + first]
    nodes = [build(item) for item in window]
    cursors = [encode({"k": at.cursor, "s": at.skip + i + 1}) for i in range(len(nodes))]
    more = len(items) > at.skip + first or next_cursor is not None
    if cursors and len(items) <= at.skip + first and next_cursor is not None:
        cursors[-1] = encode({"k": next_cursor, "s": 0})  # the next page starts there
    return Connection(
        edges=[Edge(cursor=c, node=n) for c, n in zip(cursors, nodes, strict=True)],
        nodes=nodes,
        page_info=PageInfo(
            has_next_page=bool(nodes) and more,
            has_previous_page=at.cursor is not None or at.skip > 0,
            start_cursor=cursors[0] if cursors else None,
            end_cursor=cursors[-1] if cursors else None,
        ),
        total_count=None,
    )
