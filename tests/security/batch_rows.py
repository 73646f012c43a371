"""The rows of the permission matrix (`matrix.py`) for the batch reads GraphQL's loaders use
(issue 17): several enterprises and their factories, declarations by id with their versions,
history and diffs, review cases by declaration id, recommendation lists whole, cultivation
records' reports.

Each is an ordinary authenticated read answered by the rule of its single read, so the cells
are that read's, as a list: who may read the world's object finds it in the answer (`+`), who
may not gets the same 200 without it (`-`) — or the list route's own refusal (a non-authority
asking for cases: 403), no token 401.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from tests.e2e.test_declaration_document import DEMO_YEAR
from tests.security.world import FUZHOU_USCC, World

D, R = "declaration", "review"


def _has(key: str, value: Callable[[World], str]) -> Callable[[World, Any], bool]:
    def found(w: World, body: Any) -> bool:
        items = body["items"] if isinstance(body, dict) else body
        return any(str(i.get(key)) == value(w) for i in items)

    return found


def batch_rows(
    row: Callable[..., Any],
    cells: Callable[..., dict[str, Any]],
    *,
    enterprise_readers: Iterable[str],
    declaration_readers: Iterable[str],
    case_readers: Iterable[str],
    cultivation_readers: Iterable[str],
    others: Iterable[str],
) -> list[Any]:
    """Built with matrix.py's `Row` and `cells` and its reader sets (matrix.py imports us);
    `others` is every role with a token."""
    others = set(others)
    enterprises, declarations = set(enterprise_readers), set(declaration_readers)
    cases, cultivations = set(case_readers), set(cultivation_readers)
    authorities_blind = {"county_other", "province_other", "soe_hq", "xpcc"}
    # Who lists recommendation lists / cultivation records at all (the routes' role checks).
    list_readers = {"province_own", "province_other", "soe_hq", "xpcc", "county_own",
                    "county_other", "ministry"}  # fmt: skip
    record_readers = {"ministry", "province_own", "province_other", "xpcc", "city",
                      "enterprise_own", "enterprise_other", "expert_assigned",
                      "expert_unassigned", "expert_conflicted"}  # fmt: skip
    submitted_list = {"province_own", "ministry"}
    # fmt: off
    return [
        row(D, "GET", "/v1/enterprises",
            cells(sees=enterprises, hides=others - enterprises),
            query=lambda w: {"uscc": [FUZHOU_USCC, "91350103MA2Y000033"]},
            found=_has("uscc", lambda w: FUZHOU_USCC)),
        row(D, "GET", "/v1/declarations",
            cells(sees=declarations, hides=others - declarations),
            query=lambda w: {"ids": [w.did, w.held_did]},
            found=_has("id", lambda w: w.did), variant="ids"),
        row(R, "GET", "/v1/cases",
            cells(sees=cases, hides=authorities_blind),
            query=lambda w: {"declaration_id": [w.did, w.held_did]},
            found=_has("declaration_id", lambda w: w.did)),
        *(row(D, "GET", f"/v1/declarations/{part}",
              cells(sees=declarations, hides=others - declarations),
              query=lambda w, q=q: {"declaration_id": [w.did, w.held_did], **q},
              found=_has("declaration_id", lambda w: w.did))
          for part, q in (("versions", {}), ("history", {}), ("diffs", {"before": 1, "after": 1}))),
        row(D, "GET", "/v1/enterprises/factories",
            cells(sees=enterprises, hides=others - enterprises),
            query=lambda w: {"uscc": [FUZHOU_USCC]},
            found=_has("enterprise_uscc", lambda w: FUZHOU_USCC)),
        row(R, "GET", "/v1/recommendation-lists/batch",
            cells(sees=submitted_list, hides=list_readers - submitted_list),
            query=lambda w: {"list": [f"{DEMO_YEAR}:pilot:350000", f"{DEMO_YEAR}:pilot:310000"]},
            found=_has("unit", lambda w: "350000")),
        row(R, "GET", "/v1/cultivations/reports",
            cells(sees=cultivations, hides=record_readers - cultivations),
            query=lambda w: {"declaration_id": [w.did, w.held_did]},
            found=_has("declaration_id", lambda w: w.did)),
    ]
    # fmt: on
