"""The rules on their own: pure, no database, thresholds and clauses from the data."""

from __future__ import annotations

import pytest

from ladder.rules import rules
from ladder.rules.editions.catalogue import catalogue
from ladder.rules.evaluations.facts import FactsIn
from ladder.rules.evaluations.prepare import prepare
from ladder.rules.rules import Context, Finding
from ladder.rules.rules.base import Emit
from ladder.rules.rules.kpis import possible
from ladder.rules.vocabulary import KpiKind, Outcome, Severity, Status, Tier

EDITIONS = catalogue().editions
ALL_FIVE = ["工厂建设", "研发设计", "生产作业", "生产管理", "运营管理"]


def _finding(edition, tier: Tier, rule_id: str, **facts) -> Finding:
    facts.setdefault("cmmm_level", 5)
    facts.setdefault("segments", ALL_FIVE)
    ctx = Context(edition, tier)
    prepared = prepare(edition, FactsIn.model_validate(facts))
    found = [f for f in rules.evaluate(ctx, prepared) if f["rule_id"] == rule_id]
    assert len(found) == 1, f"{rule_id} not evaluated for {tier.value}"
    return found[0]


@pytest.mark.parametrize("edition", EDITIONS, ids=lambda e: e.id)
@pytest.mark.parametrize("tier", list(Tier))
def test_cmmm_level_flips_at_the_edition_minimum(edition, tier) -> None:
    need = edition.tiers[tier].cmmm.min_level
    at = _finding(edition, tier, "cmmm.level", cmmm_level=need)
    below = _finding(edition, tier, "cmmm.level", cmmm_level=need - 1)
    assert at["passed"] and not below["passed"]
    assert (below["expected"], below["actual"]) == (need, need - 1)
    assert below["severity"] is Severity.error
    assert below["edition"] == edition.id
    assert below["clause"] == f"要素条件({edition.id}) 一5"
    assert below["field"] == "facts.cmmm_level"


@pytest.mark.parametrize("edition", EDITIONS, ids=lambda e: e.id)
@pytest.mark.parametrize("tier", list(Tier))
def test_segment_coverage_flips_on_each_required_segment(edition, tier) -> None:
    required = list(edition.tiers[tier].segments.required)
    assert _finding(edition, tier, "segments.coverage", segments=required)["passed"]
    for missing in required:
        rest = [s for s in required if s != missing]
        finding = _finding(edition, tier, "segments.coverage", segments=rest)
        assert finding["status"] is Status.failed
        assert finding["expected"] == required


@pytest.mark.parametrize("edition", EDITIONS, ids=lambda e: e.id)
def test_segment_severity_follows_the_wording(edition) -> None:
    got = {t: _finding(edition, t, "segments.coverage", segments=["运营管理"]) for t in list(Tier)}
    assert {t: f["severity"] for t, f in got.items()} == {
        Tier.basic: Severity.error,
        Tier.advanced: Severity.error,
        Tier.excellence: Severity.warning,  # 原则上应覆盖全部五个环节
        Tier.pilot: Severity.error,  # 须覆盖全部五个环节
    }
    assert "原则上" in got[Tier.excellence]["message"]
    assert "waive" in got[Tier.excellence]["message_en"]


def test_actual_segments_follow_the_edition_order() -> None:
    finding = _finding(
        catalogue().get("2025"), Tier.pilot, "segments.coverage", segments=["运营管理", "工厂建设"]
    )
    assert finding["actual"] == ["工厂建设", "运营管理"]


def test_messages_are_in_chinese_and_english() -> None:
    edition = catalogue().get("2025")
    finding = _finding(edition, Tier.excellence, "cmmm.level", cmmm_level=2)
    assert finding["message"] == "智能制造能力成熟度为二级，卓越级智能工厂应达到三级及以上"
    assert finding["message_en"] == "CMMM level 2 is below the excellence minimum of level 3"
    coverage = _finding(edition, Tier.advanced, "segments.coverage", segments=["生产作业"])
    assert (
        coverage["message"]
        == "先进级智能工厂须覆盖生产作业、生产管理、运营管理环节，未覆盖：生产管理、运营管理"
    )
    assert "production management, operations management" in coverage["message_en"]


def test_ai_share_is_computed_from_the_scenes_and_cites_the_clause() -> None:
    edition = catalogue().get("2025")
    scenes = [
        {"segment": "生产作业", "scene": "在线智能检测", "instance": f"检测{i}", "ai": i < 2}
        for i in range(7)
    ]
    finding = _finding(edition, Tier.pilot, "ai.scene_share", scenes=scenes)
    assert finding["status"] is Status.failed
    assert finding["clause"] == "要素条件(2025) 五(二)1"
    assert finding["actual"] == {"percent": 28.57, "ai_scenes": 2, "scenes": 7}
    assert finding["expected"] == {"min_percent": 60}
    assert "28.57%" in finding["message"] and "60%" in finding["message"]


@pytest.mark.parametrize(
    ("kind", "value", "ok"),
    [
        (KpiKind.share, 0, True),
        (KpiKind.share, 100, True),
        (KpiKind.share, -0.01, False),
        (KpiKind.share, 100.01, False),
        (KpiKind.increase, -100, True),
        (KpiKind.increase, 500, True),
        (KpiKind.increase, -100.5, False),
        (KpiKind.reduction, 100, True),
        (KpiKind.reduction, -20, True),
        (KpiKind.reduction, 100.5, False),
        (KpiKind.count, 0, True),
        (KpiKind.count, 3.0, True),
        (KpiKind.count, 3.5, False),
        (KpiKind.count, -1, False),
    ],
)
def test_what_each_kind_of_kpi_can_be(kind, value, ok) -> None:
    assert possible(kind, value) is ok


def _plain(severity: Severity, status: Status) -> Finding:
    emit = Emit("x", "2025", "c", severity)
    return emit(status, "m", "m")


@pytest.mark.parametrize(
    ("findings", "outcome"),
    [
        ([], Outcome.eligible),
        ([_plain(Severity.error, Status.passed)], Outcome.eligible),
        (
            [_plain(Severity.warning, Status.failed), _plain(Severity.info, Status.failed)],
            Outcome.eligible,
        ),
        ([_plain(Severity.warning, Status.not_provided)], Outcome.eligible),
        ([_plain(Severity.error, Status.not_provided)], Outcome.incomplete),
        ([_plain(Severity.error, Status.failed)], Outcome.ineligible),
        (
            [_plain(Severity.error, Status.not_provided), _plain(Severity.error, Status.failed)],
            Outcome.ineligible,
        ),
    ],
)
def test_only_a_failed_error_bars_and_a_missing_one_leaves_it_open(findings, outcome) -> None:
    assert rules.outcome(findings) is outcome


def test_rules_come_in_a_fixed_order() -> None:
    edition = catalogue().get("2025")
    ids = [s.rule_id for s in rules.rules_for(Context(edition, Tier.basic))]
    assert ids == [
        "basic.scale",
        "basic.track_record",
        "basic.security",
        "basic.organisation",
        "cmmm.level",
        "segments.coverage",
        "kpi.completeness",
        "kpi.plausibility",
    ]


def test_rules_are_built_once_per_edition_tier_and_overlays() -> None:
    edition = catalogue().get("2025")
    assert rules.rules_for(Context(edition, Tier.pilot)) is rules.rules_for(
        Context(edition, Tier.pilot)
    )
