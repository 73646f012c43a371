"""Deadlines (截止时间) of a campaign: levels, Beijing time, chain order, which chain applies.

Pure functions only (no database), so every rule here has a plain test.

**What a deadline means.** A notice says "于2025年7月18日前完成线上申报". Ladder reads "X日前" as
"through the whole of day X, Beijing time": the deadline *closes at* the first instant of the
next day, `2025-07-19T00:00:00+08:00`, and an action is in time exactly when it happens strictly
before `closes_at` (`2025-07-18T23:59:59.999999+08:00` is in time, `2025-07-19T00:00:00+08:00`
is late). `closes_at` is stored as a timezone-aware instant (PostgreSQL `timestamptz`) and shown
in Beijing time; `last_day` is the Beijing calendar date of the last instant still in time (the
date the notice names). Beijing time is UTC+8 with no daylight saving since 1991, so a fixed
offset is exact for every campaign.

**Levels.** `enterprise` is the enterprise's online submission (申报主体完成线上申报); `county`,
`city` and `province` are the recommending units' steps at that level (receipt, forwarding or
review; the clause text stored beside each deadline says which); `national` is the ministry's
receipt (报送工业和信息化部).

**Jurisdictions.** A chain belongs to a GB/T 2260 region prefix: `""` is the national default,
`"31"` Shanghai, `"35"` Fujian, `"3501"` Fuzhou. Of the jurisdictions of the units a factory's
declaration climbs (the registry, `ladder.kit.units`: county, city, province), the longest
applies, whole: a local chain replaces the national one for its region, so it repeats the
levels of wider notices that still hold there. 平潭综合实验区 (350128) reports to the province
as a 设区市 (闽工信联函装备〔2025〕321号), so it takes Fujian's "35" chain, not Fuzhou's "3501"
under whose prefix its code lies. A level a chain does not name has no deadline in that region.

**Tiers.** A chain is for one tier (`advanced` 先进级, `excellence` 卓越级, `pilot` 领航级; the
campaign's open tiers): 251号 一(二) leaves 先进级 to the province's own calendar (培育认定) and
sets its dates for 卓越级 (二(二)1) and 领航级 (三(二)1) only. The longest prefix is chosen among
the chains *of the declaration's tier*, so a province's 先进级 chain applies in its cities even
when they have 卓越级 chains of their own. A chain for several tiers is written once with
`tiers: [...]` when a campaign is created and stored as one chain per tier (each with its own
ETag and history). No chain for a tier in a region means no deadline: not late.

**Order.** Within one chain a higher level never closes before a lower one (enterprise ≤ county
≤ city ≤ province ≤ national; equal is allowed, e.g. Shanghai's enterprise and district
deadlines are both 7月11日). Levels may be missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from enum import StrEnum

from ladder.kit import units

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
NATIONAL = ""  # the jurisdiction prefix of the national default chain
NATIONAL_KEY = "national"  # how the national jurisdiction is spelled in a URL

_JURISDICTION = re.compile(r"^(?:[0-9]{2}){0,3}$")


class DeadlineLevel(StrEnum):
    enterprise = "enterprise"
    county = "county"
    city = "city"
    province = "province"
    national = "national"


LEVELS: tuple[DeadlineLevel, ...] = tuple(DeadlineLevel)  # lowest first
LEVEL_NAMES_ZH = {
    DeadlineLevel.enterprise: "企业线上申报",
    DeadlineLevel.county: "区县",
    DeadlineLevel.city: "地市",
    DeadlineLevel.province: "省级",
    DeadlineLevel.national: "工业和信息化部",
}
LEVEL_NAMES_EN = {
    DeadlineLevel.enterprise: "enterprise online submission",
    DeadlineLevel.county: "county",
    DeadlineLevel.city: "city",
    DeadlineLevel.province: "province",
    DeadlineLevel.national: "ministry",
}


def closes_after(last_day: date) -> datetime:
    """The instant a deadline "by `last_day`" closes: the next midnight, Beijing time."""
    return datetime.combine(last_day + timedelta(days=1), time(0), BEIJING)


def in_beijing(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("a deadline instant must be timezone-aware")
    return instant.astimezone(BEIJING)


def last_day_of(closes_at: datetime) -> date:
    """The Beijing date of the last instant that is still in time."""
    return (in_beijing(closes_at) - timedelta(microseconds=1)).date()


def is_late(now: datetime, closes_at: datetime) -> bool:
    return now >= closes_at


def describe(closes_at: datetime) -> tuple[str, str]:
    """(中文, English) wording of a deadline, e.g. 2025年7月18日24时（北京时间）."""
    local = in_beijing(closes_at)
    if local.time() == time(0):
        day = last_day_of(closes_at)
        return (
            f"{day.year}年{day.month}月{day.day}日24时（北京时间）",
            f"end of {day.isoformat()} (Beijing time, UTC+8)",
        )
    return (
        f"{local.year}年{local.month}月{local.day}日{local:%H:%M:%S}（北京时间）",
        f"{local:%Y-%m-%d %H:%M:%S} (Beijing time, UTC+8)",
    )


# --- jurisdictions -------------------------------------------------------------------------


def is_jurisdiction(prefix: str) -> bool:
    """`""` or a GB/T 2260 prefix of 2, 4 or 6 digits."""
    return bool(_JURISDICTION.match(prefix))


def jurisdiction_from_key(key: str) -> str:
    return NATIONAL if key == NATIONAL_KEY else key


def jurisdiction_key(prefix: str) -> str:
    return prefix or NATIONAL_KEY


def candidate_jurisdictions(region_code: str) -> set[str]:
    """The jurisdictions whose chain may apply to `region_code`: those of the units on its path
    (`ladder.kit.units.Registry.chain_prefixes`), and the national one."""
    return units.registry().chain_prefixes(region_code)


def applicable_jurisdiction(region_code: str, jurisdictions: Iterable[str]) -> str | None:
    """The longest of `jurisdictions` among the region's candidates (the jurisdictions of the
    units on its path, `ladder.kit.units`), or None when none is; the caller passes the
    jurisdictions that have a chain for the tier in question."""
    candidates = candidate_jurisdictions(region_code)
    matching = [j for j in jurisdictions if j in candidates]
    return max(matching, key=len) if matching else None


# --- chain order ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OutOfOrder:
    """A higher level that closes before a lower one in the same chain."""

    lower: DeadlineLevel
    lower_closes_at: datetime
    higher: DeadlineLevel
    higher_closes_at: datetime

    def as_details(self) -> dict[str, str]:
        return {
            "lower_level": self.lower.value,
            "lower_closes_at": in_beijing(self.lower_closes_at).isoformat(),
            "higher_level": self.higher.value,
            "higher_closes_at": in_beijing(self.higher_closes_at).isoformat(),
        }


def out_of_order(chain: Mapping[DeadlineLevel, datetime]) -> list[OutOfOrder]:
    """Every pair of levels in `chain` whose higher level closes before its lower one."""
    present = [(level, chain[level]) for level in LEVELS if level in chain]
    return [
        OutOfOrder(lower, lower_at, higher, higher_at)
        for i, (lower, lower_at) in enumerate(present)
        for higher, higher_at in present[i + 1 :]
        if higher_at < lower_at
    ]
