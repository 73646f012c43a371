"""The kinds of reference table, and what each kind's values mean.

Each kind says whether its values are ranks (1..n, no repeats) or counts (0, 1, 2, …), which
regions may appear (the XPCC has a 卓越级 count but no provincial value-added rank), and how a
value reads in a quota derivation.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class DatasetKind(StrEnum):
    industrial_value_added_rank = "industrial_value_added_rank"  # 工业增加值排名
    excellence_count = "excellence_count"  # 获评卓越级智能工厂项目数量


@dataclass(frozen=True)
class KindSpec:
    title: str
    title_en: str
    ranks: bool  # values are a ranking 1..n without repeats; otherwise non-negative counts
    allows_xpcc: bool
    reads: str  # how one value reads in a derivation ({name}, {year}, {value})
    reads_en: str

    @property
    def lowest(self) -> int:
        """The smallest possible value: where a policy's bands must start."""
        return 1 if self.ranks else 0


SPECS: dict[DatasetKind, KindSpec] = {
    DatasetKind.industrial_value_added_rank: KindSpec(
        title="工业增加值排名",
        title_en="industrial value added rank",
        ranks=True,
        allows_xpcc=False,
        reads="{name}{year}年工业增加值排名第{value}位",
        reads_en="{name_en} ranks {value} by {year} industrial value added",
    ),
    DatasetKind.excellence_count: KindSpec(
        title="获评卓越级智能工厂项目数量",
        title_en="count of excellence-tier (卓越级) factories",
        ranks=False,
        allows_xpcc=True,
        reads="{name}{year}年获评卓越级智能工厂项目数量为{value}个",
        reads_en="{name_en} had {value} excellence-tier (卓越级) factories recognised in {year}",
    ),
}
