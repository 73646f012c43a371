"""The segments (环节) a tier's factory has to cover."""

from __future__ import annotations

from ladder.rules.editions.catalogue import Edition
from ladder.rules.rules.base import Facts, Finding
from ladder.rules.vocabulary import Severity, Tier

RULE_ID = "segments.coverage"


def segment_coverage(edition: Edition, tier: Tier, facts: Facts) -> Finding:
    requirement = edition.tiers[tier]
    rule = requirement.segments
    missing = [s for s in rule.required if s not in facts.segments]
    covered = [s for s in edition.segment_names if s in facts.segments]
    required_zh = "、".join(rule.required)
    required_en = ", ".join(edition.segment(s).name_en for s in rule.required)
    if not missing:
        message = f"已覆盖{requirement.name}智能工厂要求的环节：{required_zh}"
        message_en = f"Covers the segments the {tier.value} tier requires: {required_en}"
    else:
        missing_zh = "、".join(missing)
        missing_en = ", ".join(edition.segment(s).name_en for s in missing)
        if rule.severity is Severity.error:
            message = f"{requirement.name}智能工厂须覆盖{required_zh}环节，未覆盖：{missing_zh}"
            message_en = f"The {tier.value} tier requires {required_en}; missing: {missing_en}"
        else:
            message = (
                f"{requirement.name}智能工厂原则上应覆盖{required_zh}环节，未覆盖：{missing_zh}"
                "（原则性要求，评审可酌情认定）"
            )
            message_en = (
                f"The {tier.value} tier should in principle cover {required_en}; "
                f"missing: {missing_en} (a reviewer may waive this)"
            )
    return Finding(
        rule_id=RULE_ID,
        edition=edition.id,
        clause=rule.clause,
        severity=rule.severity,
        passed=not missing,
        expected=list(rule.required),
        actual=covered,
        message=message,
        message_en=message_en,
    )
