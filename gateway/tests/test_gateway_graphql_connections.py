"""The connections' arithmetic (issue 17): a window of `first` items from any offset is read
from the services' pages exactly — one page of a size that holds it, or two of size `first`
— and the keyset cursors wrap the service's own without losing or repeating an item."""

from __future__ import annotations

import pytest

from ladder.gateway.graphql.connections import (
    UPSTREAM_MAX_PAGE,
    UPSTREAM_MAX_PAGE_SIZE,
    InvalidArgumentError,
    KeysetPosition,
    decode,
    encode,
    keyset_connection,
    keyset_of,
    offset_of,
    offset_window,
)


@pytest.mark.parametrize("first", [1, 2, 3, 7, 10, 33, 50, 99, 100])
def test_every_window_is_read_exactly_from_the_pages(first):
    two_pages = 0
    for start in [*range(0, 1_000), 99_999, 1_234_567, 19_999_899]:
        pages = offset_window(start, first)
        assert not isinstance(pages, InvalidArgumentError), (start, first)
        assert 1 <= len(pages) <= 2
        two_pages += len(pages) == 2
        read: list[int] = []
        for page in pages:
            assert 1 <= page.page_size <= UPSTREAM_MAX_PAGE_SIZE
            assert 1 <= page.page <= UPSTREAM_MAX_PAGE
            begin = (page.page - 1) * page.page_size
            read += list(range(begin, begin + page.page_size))[page.skip :]
        assert read[:first] == list(range(start, start + first)), (start, first, pages)
    if first == 1:
        assert two_pages == 0


def test_a_window_past_the_last_page_the_services_serve_is_refused():
    assert isinstance(offset_window(UPSTREAM_MAX_PAGE * UPSTREAM_MAX_PAGE_SIZE, 100),
                      InvalidArgumentError)  # fmt: skip


def test_offset_cursors_round_trip_and_refuse_what_they_did_not_make():
    assert offset_of(None) == 0
    assert offset_of(encode({"o": 41})) == 42
    for bad in ["", "!!", encode({"o": -1}), encode({"o": True}), encode({"o": 1.5}),
                encode({"k": "x", "s": 0}), "x" * 5000]:  # fmt: skip
        assert isinstance(offset_of(bad), InvalidArgumentError), bad
    assert decode(encode({"a": [1, "二"]})) == {"a": [1, "二"]}


def _service(rows: list[int], cursor: str | None, limit: int) -> tuple[list[int], str | None]:
    """A keyset list as the declaration service pages it: the cursor is where to go on."""
    start = int(cursor) if cursor else 0
    items = rows[start : start + limit]
    return items, str(start + limit) if start + limit < len(rows) else None


@pytest.mark.parametrize("first", [1, 3, 10, 100])
def test_keyset_pages_from_any_edge_neither_repeat_nor_skip(first):
    rows = list(range(250))
    at, seen = keyset_of(None), []
    while True:
        assert isinstance(at, KeysetPosition)
        items, following = _service(rows, at.cursor, at.skip + first)
        page = keyset_connection(items, at, first, following, lambda x: x)
        seen += page.nodes
        if not page.page_info.has_next_page:
            break
        at = keyset_of(page.page_info.end_cursor)
    assert seen == rows

    # From the third edge of a page: the rest of that page first.
    at = keyset_of(None)
    items, following = _service(rows, None, first + 3)
    page = keyset_connection(items, at, first + 3, following, lambda x: x)
    after = keyset_of(page.edges[2].cursor)
    items, following = _service(rows, after.cursor, after.skip + first)
    assert (
        keyset_connection(items, after, first, following, lambda x: x).nodes == rows[3 : 3 + first]
    )


def test_keyset_cursors_refuse_what_they_did_not_make():
    for bad in ["", encode({"o": 1}), encode({"k": 5, "s": 0}), encode({"k": None, "s": 101}),
                encode({"k": "x", "s": -1})]:  # fmt: skip
        assert isinstance(keyset_of(bad), InvalidArgumentError), bad
