"""Reading a batch body: counted item by item while it arrives, refused past `MAX_BATCH`.

Validating a batch builds a model per item, and the too-long check of a list comes after its
items are validated; the edge guard before it parsed the whole body into Python objects too.
So a 14 MB body of 10,000 items used to cost the process hundreds of megabytes before it was
refused (issue 12: 821 MB for one, 1.4 GB for four at once, over the 512 Mi pod limit).

Here each slice of the body goes through an incremental JSON tokenizer (ijson's C backend,
events only: nothing is built) that counts the elements of the top-level `items` array and
the nesting depth; at element `MAX_BATCH + 1` the request is refused (413 `batch_too_large`),
past `MAX_DEPTH` levels too (422 `too_deeply_nested`, as the edge guard would say), with only
what was read so far in memory. The service's body cap (`max_body_bytes`, enforced by the
request middleware on the same stream) bounds the bytes. A body the tokenizer cannot read is
left to the checks that follow, which name the error.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import ijson

from ladder.kit.inputs import MAX_DEPTH, InvalidInput
from ladder.rules.errors import BatchTooLarge
from ladder.rules.evaluations.schemas import MAX_BATCH

# How much of a chunk the tokenizer takes at a time (a slice holds a dozen or so items).
SLICE_BYTES = 16 * 1024
_OPEN = frozenset({"start_map", "start_array"})
_CLOSE = frozenset({"end_map", "end_array"})


class _ItemCounter:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.count = 0
        self._events = ijson.sendable_list()
        self._parser = ijson.basic_parse_coro(self._events)
        self._broken = False
        self._depth = 0
        self._key = None  # the last key of the top-level object
        self._in_items = False

    def feed(self, chunk: bytes) -> None:
        # In slices, so a body that arrives in one piece is stopped as early as a streamed one.
        for start in range(0, len(chunk), SLICE_BYTES):
            if self._broken:
                return
            try:
                self._parser.send(chunk[start : start + SLICE_BYTES])
            except ijson.JSONError:
                self._broken = True  # not JSON: the checks after reading say why
                return
            self._walk()
            if self.count > self.limit:
                raise BatchTooLarge(details={"limit": self.limit, "counted": self.count})

    def _walk(self) -> None:
        depth, in_items = self._depth, self._in_items
        for event, value in self._events:
            if in_items and depth == 2 and event not in _CLOSE:
                self.count += 1  # an element of `items` begins (or is a scalar)
            if event in _OPEN:
                if depth == 1 and event == "start_array" and self._key == "items":
                    in_items = True
                depth += 1
                if depth > MAX_DEPTH:
                    raise InvalidInput("too_deeply_nested", "body")
            elif event in _CLOSE:
                depth -= 1
                if depth == 1:
                    in_items = False
            elif event == "map_key" and depth == 1:
                self._key = value
        del self._events[:]
        self._depth, self._in_items = depth, in_items


async def read_batch(chunks: AsyncIterator[bytes], limit: int = MAX_BATCH) -> bytes:
    """The whole body, or 413 `batch_too_large` as soon as it holds more than `limit` items
    (422 `invalid_input` if it nests deeper than the edge guard allows)."""
    counter = _ItemCounter(limit)
    parts: list[bytes] = []
    async for chunk in chunks:
        if chunk:
            counter.feed(chunk)
            parts.append(chunk)
    return b"".join(parts)
