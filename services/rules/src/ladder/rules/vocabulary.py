"""Words of the domain the rules service owns."""

from __future__ import annotations

from enum import StrEnum


class Tier(StrEnum):
    """The four tiers (层级) of the cultivation."""

    basic = "basic"  # 基础级
    advanced = "advanced"  # 先进级
    excellence = "excellence"  # 卓越级
    pilot = "pilot"  # 领航级


class Severity(StrEnum):
    """How much a failed finding weighs: only a failed `error` makes a factory ineligible."""

    error = "error"
    warning = "warning"  # e.g. a 原则上 ("in principle") requirement a reviewer may waive
    info = "info"
