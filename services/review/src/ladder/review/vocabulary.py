"""Words of the domain this service reads in events and filters (the rules service owns their
meaning; a service never imports another service's package, so the vocabulary is restated)."""

from __future__ import annotations

from enum import StrEnum


class Tier(StrEnum):
    basic = "basic"  # 基础级
    advanced = "advanced"  # 先进级
    excellence = "excellence"  # 卓越级
    pilot = "pilot"  # 领航级
