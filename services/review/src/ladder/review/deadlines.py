"""Which deadline (截止时间) an authority's step is due by, read from the declaration service.

The declaration service owns each campaign's deadline chains per jurisdiction (levels
enterprise ≤ county ≤ city ≤ province ≤ national, "X日前" closing at the start of the next
Beijing day; see `ladder.declaration.campaigns.deadlines`). A chain names only the levels its
notices set, and the clause beside each says whether it is a receipt, a forwarding or a review.
Ladder reads them for the review steps as follows:

- **An opinion below the top of the chain** (county, city) is due by its own level's deadline,
  or, when the chain names none for it, by the nearest level above: Fuzhou's counties by the
  county deadline (榕工信装备〔2025〕96号 2, 7月18日), Fuzhou's city by the province's receipt
  (闽工信联函装备〔2025〕321号 四(四), 7月21日), Shanghai's districts by theirs (7月11日).
- **An opinion at the top** (province, XPCC, group HQ) and **the list's submission** are the
  recommending unit's online review and summary table (推荐单位应于…前完成线上审核，按推荐项目
  优先顺序填写推荐汇总表): due by the `national` deadline (the ministry's receipt), else the
  `province` one. A province-level deadline in a local chain is the province's receipt
  (Fujian 7月21日), which binds the levels below, not the province itself.
- Central SOEs and the XPCC recommend outside any province: their steps use the national chain.

A step is in time exactly when the review service's clock is strictly before `closes_at`.
Deadlines are cached per app for `CACHE_SECONDS`: a ministry's edit takes effect within that.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from fastapi import Request

from ladder.kit.errors import UpstreamError
from ladder.kit.http import call_json

CACHE_SECONDS = 30.0
LEVELS = ("enterprise", "county", "city", "province", "national")  # lowest first


@dataclass(frozen=True)
class Deadline:
    level: str
    closes_at: datetime
    last_day: str
    source: str
    clause: str

    def details(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "closes_at": self.closes_at.isoformat(),
            "last_day": self.last_day,
            "source": self.source,
            "clause": self.clause,
        }


def due_for_opinion(chain: dict[str, Deadline], level: str, *, top: bool) -> Deadline | None:
    """The deadline an opinion at `level` must beat (see the module docstring)."""
    if top:
        return due_for_list(chain)
    for name in LEVELS[LEVELS.index(level) :]:
        if name in chain:
            return chain[name]
    return None


def due_for_list(chain: dict[str, Deadline]) -> Deadline | None:
    """The deadline of the recommending unit's list (and its own opinions)."""
    return chain.get("national") or chain.get("province")


def _parse(deadlines: list[dict[str, Any]]) -> dict[str, Deadline]:
    return {
        d["level"]: Deadline(
            level=d["level"],
            closes_at=datetime.fromisoformat(d["closes_at"]),
            last_day=d["last_day"],
            source=d.get("source", ""),
            clause=d.get("clause", ""),
        )
        for d in deadlines
    }


class DeadlineBook:
    """Deadline chains read from the declaration service, cached briefly per app."""

    def __init__(self, client: httpx.AsyncClient, cache_seconds: float = CACHE_SECONDS) -> None:
        self._client = client
        self._cache: dict[tuple[int, str], tuple[float, dict[str, Deadline]]] = {}
        self._ttl = cache_seconds

    async def chain(self, campaign_year: int, region_code: str | None) -> dict[str, Deadline]:
        """The chain applying to a factory's region; `None` for the national chain (central
        SOEs, the XPCC). A campaign the declaration service does not know has no deadlines."""
        key = (campaign_year, region_code or "")
        hit = self._cache.get(key)
        if hit is not None and time.monotonic() - hit[0] < self._ttl:
            return hit[1]
        if region_code is None:
            url = f"/v1/campaigns/{campaign_year}/deadlines/national"
            params: dict[str, str] = {}
        else:
            url = f"/v1/campaigns/{campaign_year}/deadlines"
            params = {"region": region_code}
        resp = await call_json(self._client, "GET", url, dependency="declaration", params=params)
        if resp.status_code == 404:
            chain: dict[str, Deadline] = {}
        elif resp.status_code != 200:
            raise UpstreamError(details={"dependency": "declaration", "status": resp.status_code})
        else:
            chain = _parse(resp.json().get("deadlines") or [])
        self._cache[key] = (time.monotonic(), chain)
        return chain


def deadline_book(request: Request) -> DeadlineBook:
    """The app's book, bound to its current client for the declaration service."""
    client = request.app.state.peers["declaration"]
    book = getattr(request.app.state, "deadline_book", None)
    if book is None or book._client is not client:
        book = request.app.state.deadline_book = DeadlineBook(client)
    return book
