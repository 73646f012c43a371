"""The exports' rows of the permission matrix (`matrix.py`, issue 16): an export answers whom
the list it exports answers. The inbox as a file is the inbox (held by default: the world's
case at the county is county_own's; `held=false`: every case reader's); a published list is
public. A JSON row reads the file (`+`/`-`: the world's declaration in it or not); an XLSX or
CSV row shows a streamed file passes the gateway to whoever may have it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.e2e.test_declaration_document import DEMO_YEAR
from tests.security.world import ROLES, World

R = "review"
Cell = str | int | tuple[int, str]
EVERYONE = set(ROLES)
INBOX = "/v1/inbox/export"
PUBLISHED = "/public/v1/published-lists/{campaign}/{tier}/export"


def _has(declaration_id: Callable[[World], str]) -> Callable[[World, Any], bool]:
    def found(w: World, rows: Any) -> bool:
        return any(r["declaration_id"] == declaration_id(w) for r in rows)

    return found


def _pilot(w: World) -> dict[str, str]:
    return {"campaign": str(DEMO_YEAR), "tier": "pilot"}


def exports_rows(row: Callable[..., Any], cells: Callable[..., dict[str, Cell]]) -> list[Any]:
    """The rows, built with matrix.py's `Row` and `cells` (passed in: matrix.py imports us)."""
    # Read when matrix.py builds its ROWS, by then defined there: one statement of who reads
    # cases, not a copy.
    from tests.security.matrix import AUTHORITIES, CASE_READERS

    held = {"county_own"}
    # fmt: off
    return [
        row(R, "GET", INBOX, cells(sees=held, hides=AUTHORITIES - held),
            query=lambda w: {"format": "json"}, found=_has(lambda w: w.held_did)),
        row(R, "GET", INBOX, cells(sees=CASE_READERS, hides=AUTHORITIES - CASE_READERS),
            query=lambda w: {"format": "json", "held": "false"},
            found=_has(lambda w: w.held_did), variant="oversight"),
        row(R, "GET", INBOX, cells(AUTHORITIES), query=lambda w: {"format": "xlsx"},
            variant="xlsx"),
        row(R, "GET", PUBLISHED, cells(sees=EVERYONE), params=_pilot,
            query=lambda w: {"format": "json"}, found=_has(lambda w: w.did)),
        row(R, "GET", PUBLISHED, cells(EVERYONE), params=_pilot,
            query=lambda w: {"format": "csv", "encoding": "gb18030"}, variant="csv"),
    ]
    # fmt: on
