"""Which levels below a recommending unit rank their own table (推荐汇总表), as data.

`ranking_levels.yaml` names each ranking level by a jurisdiction prefix and a chain level, the
tiers it ranks and the clause; the units of that level are named by their region codes (the
district's code is its table's unit). The cap of a unit is the rules service's answer for
that code, never a number here. Levels a seed gives a 汇总表 without ranking are listed with
Ladder's reading, so the choice is visible.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from ladder.review.routing.chains import Level, holder_region

PATH = Path(__file__).with_name("ranking_levels.yaml")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RankingLevel(_Strict):
    jurisdiction: str = Field(pattern=r"^[1-8][0-9](?:[0-9]{2})?$")
    level: Level
    name: str = Field(min_length=1)
    tiers: tuple[str, ...] = Field(min_length=1)
    source: str = Field(min_length=4)

    def covers(self, unit: str) -> bool:
        """`unit` is the code of an authority at this level inside the jurisdiction."""
        return (
            unit.isdigit()
            and len(unit) == 6
            and unit.startswith(self.jurisdiction)
            and holder_region(self.level, unit) == unit
            and unit[2:] != "0000"
            and (self.level is not Level.county or unit[4:] != "00")
        )


class NotRanking(_Strict):
    jurisdiction: str = Field(pattern=r"^[1-8][0-9](?:[0-9]{2})?$")
    level: Level
    source: str = Field(min_length=4)
    reading: str = Field(min_length=4)


class RankingLevels(_Strict):
    ranking: tuple[RankingLevel, ...]
    not_ranking: tuple[NotRanking, ...] = ()

    def of_unit(self, unit: str) -> RankingLevel | None:
        """The ranking level `unit` belongs to, or None (a recommending unit, or no table)."""
        return next((r for r in self.ranking if r.covers(unit)), None)

    def at(self, level: str, holder: str, tier: str) -> RankingLevel | None:
        """The ranking level of the authority holding a case at `level`, for `tier`."""
        found = self.of_unit(holder)
        if found is None or found.level.value != level or tier not in found.tiers:
            return None
        return found


@cache
def ranking_levels() -> RankingLevels:
    return RankingLevels.model_validate(yaml.safe_load(PATH.read_text(encoding="utf-8")))
