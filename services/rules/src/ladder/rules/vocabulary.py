"""Words of the domain the rules service owns."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import Path


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


class HeldTier(StrEnum):
    """The highest tier a factory already holds (基础级 by self-assessment), or none."""

    none = "none"
    basic = "basic"
    advanced = "advanced"
    excellence = "excellence"
    pilot = "pilot"


TIER_ORDER: dict[str, int] = {"none": 0, "basic": 1, "advanced": 2, "excellence": 3, "pilot": 4}


class Status(StrEnum):
    """A finding's outcome. `not_provided`: the facts the rule needs were not given."""

    passed = "passed"
    failed = "failed"
    not_provided = "not_provided"


class Outcome(StrEnum):
    """An evaluation's answer: `incomplete` when no error failed but an error rule lacked facts."""

    eligible = "eligible"
    ineligible = "ineligible"
    incomplete = "incomplete"


class KpiKind(StrEnum):
    """What values a KPI can take, by how the table phrases it."""

    share = "share"  # 比例/率: a share of a whole, 0–100 %
    increase = "increase"  # 提升/增长: a change that cannot fall below −100 %
    reduction = "reduction"  # 下降/降低/缩短: cannot exceed 100 % (nothing left)
    count = "count"  # 数量 (个, 家): a non-negative integer


class LegalForm(StrEnum):
    legal_person = "legal_person"  # 独立法人
    branch = "branch"  # 法人的分支机构


class CreditCheckResult(StrEnum):
    clear = "clear"  # not on the list
    listed = "listed"  # on the list (失信被执行人 / 严重违法失信名单)


# An edition, overlay or campaign named in a path: short, whatever the caller sends.
IdentifierPath = Annotated[str, Path(min_length=1, max_length=64)]
