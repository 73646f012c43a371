"""The rule functions on their own: pure, no database, thresholds and clauses from the data."""

from __future__ import annotations

import pytest

from ladder.rules import rules
from ladder.rules.editions.catalogue import catalogue
from ladder.rules.rules import Facts, Finding
from ladder.rules.rules.cmmm import cmmm_level
from ladder.rules.rules.segments import segment_coverage
from ladder.rules.vocabulary import Severity, Tier

EDITIONS = catalogue().editions
ALL_FIVE = frozenset({"工厂建设", "研发设计", "生产作业", "生产管理", "运营管理"})


def _facts(level: int = 5, segments: frozenset[str] = ALL_FIVE) -> Facts:
    return Facts(cmmm_level=level, segments=segments)


@pytest.mark.parametrize("edition", EDITIONS, ids=lambda e: e.id)
@pytest.mark.parametrize("tier", list(Tier))
def test_cmmm_level_flips_at_the_edition_minimum(edition, tier) -> None:
    need = edition.tiers[tier].cmmm.min_level
    at = cmmm_level(edition, tier, _facts(need))
    below = cmmm_level(edition, tier, _facts(need - 1))
    assert at.passed and not below.passed
    assert (below.expected, below.actual) == (need, need - 1)
    assert below.rule_id == "cmmm.level"
    assert below.severity is Severity.error
    assert below.edition == edition.id
    assert below.clause == f"要素条件({edition.id}) 一5"


@pytest.mark.parametrize("edition", EDITIONS, ids=lambda e: e.id)
@pytest.mark.parametrize("tier", list(Tier))
def test_segment_coverage_flips_on_each_required_segment(edition, tier) -> None:
    required = edition.tiers[tier].segments.required
    assert segment_coverage(edition, tier, _facts(segments=frozenset(required))).passed
    for segment in required:
        finding = segment_coverage(edition, tier, _facts(segments=ALL_FIVE - {segment}))
        assert not finding.passed
        assert segment in finding.message
        assert segment not in finding.actual
        assert finding.expected == list(required)


@pytest.mark.parametrize("edition", EDITIONS, ids=lambda e: e.id)
def test_segment_clauses_and_severities(edition) -> None:
    none = _facts(segments=frozenset())
    got = {t: segment_coverage(edition, t, none) for t in Tier}
    assert {t: f.clause.split(" ", 1)[1] for t, f in got.items()} == {
        Tier.basic: "二(一)",
        Tier.advanced: "三(一)",
        Tier.excellence: "四(一)",
        Tier.pilot: "五(一)",
    }
    assert {t: f.severity for t, f in got.items()} == {
        Tier.basic: Severity.error,
        Tier.advanced: Severity.error,
        Tier.excellence: Severity.warning,  # 原则上应覆盖全部五个环节
        Tier.pilot: Severity.error,  # 须覆盖全部五个环节
    }
    assert "原则上" in got[Tier.excellence].message
    assert "waive" in got[Tier.excellence].message_en


def test_actual_segments_follow_the_edition_order() -> None:
    edition = catalogue().get("2025")
    finding = segment_coverage(
        edition, Tier.pilot, _facts(segments=frozenset({"运营管理", "工厂建设"}))
    )
    assert finding.actual == ["工厂建设", "运营管理"]


def test_messages_are_in_chinese_and_english() -> None:
    edition = catalogue().get("2025")
    finding = cmmm_level(edition, Tier.excellence, _facts(2))
    assert finding.message == "智能制造能力成熟度为二级，卓越级智能工厂应达到三级及以上"
    assert finding.message_en == "CMMM level 2 is below the excellence minimum of level 3"
    coverage = segment_coverage(edition, Tier.advanced, _facts(segments=frozenset({"生产作业"})))
    assert (
        coverage.message
        == "先进级智能工厂须覆盖生产作业、生产管理、运营管理环节，未覆盖：生产管理、运营管理"
    )
    assert "production management, operations management" in coverage.message_en


def _finding(severity: Severity, passed: bool) -> Finding:
    return Finding(
        rule_id="x",
        edition="2025",
        clause="c",
        severity=severity,
        passed=passed,
        message="m",
        message_en="m",
    )


@pytest.mark.parametrize(
    ("findings", "eligible"),
    [
        ([], True),
        ([_finding(Severity.error, True)], True),
        ([_finding(Severity.warning, False), _finding(Severity.info, False)], True),
        ([_finding(Severity.error, False)], False),
        ([_finding(Severity.warning, False), _finding(Severity.error, False)], False),
    ],
)
def test_only_a_failed_error_bars(findings, eligible) -> None:
    assert rules.is_eligible(findings) is eligible


def test_evaluate_runs_every_rule_in_order() -> None:
    edition = catalogue().get("2025")
    findings = rules.evaluate(edition, Tier.basic, _facts(2, frozenset({"生产作业"})))
    assert [f.rule_id for f in findings] == ["cmmm.level", "segments.coverage"]
