"""The minimum smart-manufacturing maturity level (智能制造能力成熟度, GB/T 39116) per tier."""

from __future__ import annotations

from ladder.rules.editions.catalogue import Edition
from ladder.rules.rules.base import Facts, Finding, zh_level
from ladder.rules.vocabulary import Severity, Tier

RULE_ID = "cmmm.level"


def cmmm_level(edition: Edition, tier: Tier, facts: Facts) -> Finding:
    requirement = edition.tiers[tier]
    need = requirement.cmmm.min_level
    have = facts.cmmm_level
    passed = have >= need
    level, tier_zh = zh_level(have), requirement.name
    if passed:
        message = f"智能制造能力成熟度为{level}，达到{tier_zh}智能工厂{zh_level(need)}及以上的要求"
        message_en = f"CMMM level {have} meets the {tier.value} minimum of level {need}"
    else:
        message = f"智能制造能力成熟度为{level}，{tier_zh}智能工厂应达到{zh_level(need)}及以上"
        message_en = f"CMMM level {have} is below the {tier.value} minimum of level {need}"
    return Finding(
        rule_id=RULE_ID,
        edition=edition.id,
        clause=requirement.cmmm.clause,
        severity=Severity.error,
        passed=passed,
        expected=need,
        actual=have,
        message=message,
        message_en=message_en,
    )
