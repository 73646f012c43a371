"""Events the declaration service publishes about its register of recognised tiers (认定记录):
what the rules service derives the 领航级 quota input from (issue 14 item 1).

Its own module so the register's contract reads apart from the declaration's and campaign's.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from ladder.contracts.registry import EventContract, register

TIER_COUNTS = "recognition.tier_counts"


class TierCountsSource(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    kind: Literal["publication", "import"]
    reference: str = Field(
        max_length=200,
        description="the publication's published_at, or the import's document number (文号)",
    )


class TierCounts(BaseModel):
    """A year's count of distinct factories holding a tier in each province, as the register
    stands after the act that changed it (the whole table each time: a consumer keeps the one
    with the latest `at`).

    `complete` is true when the register holds the whole national list of that year: the
    ministries' publication of the 卓越级 list (工信厅联通装函〔2025〕251号 二(二)5, 二(三)),
    or a ministry import marked as the complete national list. A province's import never
    completes it (it holds one province's entries only) — an interpretation of the seed."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    year: int = Field(ge=2000, le=2100)
    tier: Literal["excellence"]
    counts: dict[str, int] = Field(
        description="2-digit province code (GB/T 2260), or `xpcc` for the 新疆生产建设兵团 → "
        "number of distinct factories with an entry of that tier and year"
    )
    source: TierCountsSource
    complete: bool
    at: AwareDatetime


CHANGED = register(
    EventContract(
        topic=TIER_COUNTS,
        model=TierCounts,
        producer="declaration",
        consumers=("rules",),
        summary=(
            "A year's 卓越级 counts per province changed in the register (a publication consumed "
            "or a complete ministry import accepted): the rules service derives the 领航级 quota "
            "input from them when no table was uploaded."
        ),
        example=TierCounts(
            year=2025,
            tier="excellence",
            counts={"11": 12, "35": 9, "xpcc": 1},
            source=TierCountsSource(kind="publication", reference="2025-11-20T02:00:00+00:00"),
            complete=True,
            at=datetime(2025, 11, 20, 2, 0, tzinfo=UTC),
        ),
    )
)
