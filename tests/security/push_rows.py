"""The rows of the permission matrix (`matrix.py`) for a whole ranked list pushed in one
request (issue 16): the JSON push and the 推荐汇总表 upload of the world's 领航级 list of Fujian.

That list is submitted when the world is built, so the unit's own authority is let through
and told 409 `list_submitted` (a submitted list is final: nothing changes); every other caller
is refused as for the list's other writes — another unit (province, SOE HQ, XPCC, a county
that ranks no table) 404, the other roles 403, no token 401.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.e2e.test_declaration_document import DEMO_YEAR
from tests.security.world import World

R = "review"
LIST = "/v1/recommendation-lists/{campaign}/{tier}/{unit}"
SUBMITTED = (409, "list_submitted")


def _list(w: World) -> dict[str, str]:
    return {"campaign": str(DEMO_YEAR), "tier": "pilot", "unit": "350000"}


def _table(w: World, gateway: Any) -> bytes:
    return "序号,申报单位名称,领航级智能工厂项目名称\n1,矩阵测试企业,矩阵测试工厂\n".encode()


def push_rows(row: Callable[..., Any], cells: Callable[..., dict[str, Any]]) -> list[Any]:
    """The rows, built with matrix.py's `Row` and `cells` (passed in: matrix.py imports us)."""
    own = cells(exact={"province_own": SUBMITTED})
    # fmt: off
    return [
        row(R, "PUT", LIST + "/ranked", own, params=_list, keyed=True,
            json=lambda w: {"entries": [{"rank": 1, "declaration_id": w.did}], "submit": False}),
        row(R, "PUT", LIST + "/summary-table", own, params=_list, keyed=True,
            query=lambda w: {"submit": "false"}, content=_table, content_type="text/csv"),
    ]
    # fmt: on
