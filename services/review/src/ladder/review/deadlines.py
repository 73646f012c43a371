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
  平潭综合实验区 holds the city level under the province (`ladder.kit.units`), so its opinion
  is a city step of Fujian's chain ("35", which the declaration service applies to 350128):
  due by the province's receipt (四(四), 7月21日), not by Fuzhou's county deadline.
- **An opinion at the top** (province, XPCC, group HQ) and **the list's submission** are the
  recommending unit's online review and summary table (推荐单位应于…前完成线上审核，按推荐项目
  优先顺序填写推荐汇总表): due by the `national` deadline (the ministry's receipt), else the
  `province` one. A province-level deadline in a local chain is the province's receipt
  (Fujian 7月21日), which binds the levels below, not the province itself.
- Central SOEs and the XPCC recommend outside any province: their steps use the national chain.
- **The tier decides the chain**: a case's or a list's tier asks for that tier's chain. 251号
  一(二) gives 先进级 no date, so a 先进级 list is due only by what its province set for itself
  (none seeded: no deadline); 卓越级 and 领航级 are due by their own chains (二(二)3, 三(二)3).

A step is in time exactly when the review service's clock is strictly before `closes_at`.
Deadlines are cached per app for `peers.DEADLINE_CACHE_SECONDS`: a ministry's edit takes effect
within that.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends

from ladder.review.peers import DeclarationClient, PeersDep

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


class DeadlineBook:
    """Deadline chains by level, as the declaration service answers them
    (`ladder.review.peers.DeclarationClient`, which keeps them briefly)."""

    def __init__(self, declaration: DeclarationClient) -> None:
        self.declaration = declaration

    async def chain(
        self, campaign_year: int, tier: str, region_code: str | None
    ) -> dict[str, Deadline]:
        """The `tier` chain applying to a factory's region; `None` for the national chain
        (central SOEs, the XPCC). A campaign the declaration service does not know, or a tier
        without a chain there, has no deadlines."""
        return {
            d.level: Deadline(
                level=d.level,
                closes_at=d.closes_at,
                last_day=d.last_day,
                source=d.source,
                clause=d.clause,
            )
            for d in await self.declaration.deadline_chain(campaign_year, tier, region_code)
        }


async def _deadlines(clients: PeersDep) -> DeadlineBook:
    return DeadlineBook(clients.declaration)


DeadlinesDep = Annotated[DeadlineBook, Depends(_deadlines)]
"""The book over the app's declaration client, for the routes that check a deadline."""
