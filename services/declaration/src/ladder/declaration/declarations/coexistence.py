"""Which declarations of one factory may be live (not withdrawn) in one campaign.

Two rules, each with the clause it follows:
- one live declaration per factory, campaign and tier — the notices have a 申报主体 prepare
  *a* 申报书 for its project and file it once by the deadline (工信厅联通装函〔2025〕251号
  二(二)1、三(二)1); a second copy would be reviewed, ranked and counted against the quota twice
  (Ladder's reading: the notices do not say it in these words);
- not 卓越级 and 领航级 of the same factory in one campaign — 251号 三(一)3 "申报主体须已获评
  卓越级智能工厂": a factory still declaring 卓越级 in a campaign does not yet hold it when that
  campaign's 领航级 declarations close (the 卓越级 list is published after the review), so it
  cannot declare both (Ladder's reading).

A withdrawn declaration frees its place. The check runs with the factory's row locked, so two
concurrent drafts cannot both pass it.
"""

from __future__ import annotations

from dataclasses import dataclass

ONE_PER_TIER_SOURCE = (
    "工信厅联通装函〔2025〕251号 二(二)1、三(二)1（Ladder 的理解：每个项目一份申报书）"
)


@dataclass(frozen=True)
class Exclusive:
    tiers: frozenset[str]
    source: str


EXCLUSIVE: tuple[Exclusive, ...] = (
    Exclusive(
        frozenset({"excellence", "pilot"}),
        "工信厅联通装函〔2025〕251号 三(一)3（领航级须已获评卓越级；同一批次不能同时申报两级）",
    ),
)


def conflict(tier: str, live_tiers: list[str]) -> tuple[str, str] | None:
    """(the live tier in the way, the source of the rule) for a new declaration of `tier`
    beside the factory's live declarations of `live_tiers` in the campaign; None when free."""
    if tier in live_tiers:
        return tier, ONE_PER_TIER_SOURCE
    for rule in EXCLUSIVE:
        if tier in rule.tiers:
            other = next((t for t in live_tiers if t in rule.tiers and t != tier), None)
            if other is not None:
                return other, rule.source
    return None
