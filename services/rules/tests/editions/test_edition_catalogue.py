"""The shipped editions of 要素条件 as data: what the seeds say, and how an edition is chosen."""

from __future__ import annotations

from datetime import date
from importlib import resources

import pytest
import yaml
from pydantic import ValidationError

from ladder.rules.editions.catalogue import Catalogue, catalogue, load_edition
from ladder.rules.editions.service import for_evaluation
from ladder.rules.errors import NoEditionInEffect, UnknownEdition
from ladder.rules.vocabulary import Severity, Tier

FIVE = ["工厂建设", "研发设计", "生产作业", "生产管理", "运营管理"]


def test_both_editions_ship_oldest_first() -> None:
    assert catalogue().ids == ["2024", "2025"]


@pytest.mark.parametrize("edition_id", ["2024", "2025"])
def test_tier_requirements_match_the_seeds(edition_id: str) -> None:
    edition = catalogue().get(edition_id)
    assert list(edition.segment_names) == FIVE
    assert {t: r.cmmm.min_level for t, r in edition.tiers.items()} == {
        Tier.basic: 2,
        Tier.advanced: 2,
        Tier.excellence: 3,
        Tier.pilot: 4,
    }
    assert list(edition.tiers[Tier.basic].segments.required) == ["生产作业"]
    assert list(edition.tiers[Tier.advanced].segments.required) == [
        "生产作业",
        "生产管理",
        "运营管理",
    ]
    assert list(edition.tiers[Tier.excellence].segments.required) == FIVE
    assert edition.tiers[Tier.excellence].segments.severity is Severity.warning
    assert list(edition.tiers[Tier.pilot].segments.required) == FIVE
    assert edition.tiers[Tier.pilot].segments.severity is Severity.error


def test_segment_mappings_differ_between_editions() -> None:
    new, old = catalogue().get("2025"), catalogue().get("2024")
    assert new.segment("运营管理").guide_segments == ("运营管理", "产品服务", "供应链管理")
    assert old.segment("生产管理").guide_segments == (
        "计划调度",
        "仓储物流",
        "安全管控",
        "能碳管理",
        "环保管理",
    )
    assert new.source == "工信厅联通装函〔2025〕251号 附件1"


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2024, 10, 28), None),
        (date(2024, 10, 29), "2024"),
        (date(2025, 5, 31), "2024"),
        (date(2025, 6, 1), "2025"),
        (date(2030, 1, 1), "2025"),
    ],
)
def test_edition_in_effect(day: date, expected: str | None) -> None:
    edition = catalogue().in_effect(day)
    assert (edition.id if edition else None) == expected


def test_choosing_an_edition_for_an_evaluation() -> None:
    assert for_evaluation(None, date(2025, 7, 1)).id == "2025"
    assert for_evaluation("2024", date(2025, 7, 1)).id == "2024"
    with pytest.raises(UnknownEdition):
        for_evaluation("2019")
    with pytest.raises(NoEditionInEffect):
        for_evaluation(None, date(2020, 1, 1))


def _raw(edition_id: str = "2025") -> dict:
    text = (
        resources.files("ladder.rules.editions").joinpath(f"{edition_id}.yaml").read_text("utf-8")
    )
    return yaml.safe_load(text)


def test_a_required_segment_must_be_defined() -> None:
    raw = _raw()
    raw["tiers"]["basic"]["segments"]["required"] = ["生产制造"]
    with pytest.raises(ValidationError, match="undefined segment"):
        load_edition(yaml.safe_dump(raw, allow_unicode=True))


def test_every_tier_must_be_given() -> None:
    raw = _raw()
    del raw["tiers"]["pilot"]
    with pytest.raises(ValidationError, match="pilot"):
        load_edition(yaml.safe_dump(raw, allow_unicode=True))


def test_unknown_keys_in_an_edition_are_refused() -> None:
    raw = _raw()
    raw["tiers"]["basic"]["cmmm"]["minimum"] = 2
    with pytest.raises(ValidationError):
        load_edition(yaml.safe_dump(raw, allow_unicode=True))


def test_file_name_and_id_must_agree() -> None:
    with pytest.raises(ValueError, match="declares id"):
        load_edition(yaml.safe_dump(_raw(), allow_unicode=True), expected_id="2026")


def test_edition_ids_are_unique() -> None:
    edition = catalogue().get("2025")
    with pytest.raises(ValueError, match="repeat"):
        Catalogue([edition, edition])


def test_kpi_tables_differ_as_the_seeds_say() -> None:
    new, old = catalogue().get("2025"), catalogue().get("2024")
    assert len(new.kpi_table.indicators) == 21 and len(old.kpi_table.indicators) == 20
    assert new.indicator("digital_equipment_rate") is not None
    assert old.indicator("digital_equipment_rate") is None
    renamed = {"model_count", "operating_cost_reduction", "energy_intensity_reduction",
               "co2_intensity_reduction"}  # fmt: skip
    for key in renamed:
        assert new.indicator(key).name != old.indicator(key).name, key
    assert new.indicator("model_count").name == "工厂应用人工智能模型数量"
    assert old.indicator("model_count").name == "工厂应用智能决策模型数量"


def test_ai_share_thresholds_only_in_2025() -> None:
    new, old = catalogue().get("2025"), catalogue().get("2024")
    assert {t: th.min_percent for t, th in new.ai_share.thresholds.items()} == {
        Tier.excellence: 20,
        Tier.pilot: 60,
    }
    assert old.ai_share is None


def test_the_2025_guide_has_40_scenes_in_8_segments() -> None:
    guide = catalogue().get("2025").scene_guide
    assert len(guide.segments) == 8
    assert sum(len(g.scenes) for g in guide.segments) == 40


def test_a_kpi_repeated_is_refused() -> None:
    raw = _raw()
    raw["kpi_table"]["indicators"][1]["key"] = raw["kpi_table"]["indicators"][0]["key"]
    with pytest.raises(ValidationError, match="KPI key repeats"):
        load_edition(yaml.safe_dump(raw, allow_unicode=True))


def test_a_segment_mapped_to_an_unknown_guide_segment_is_refused() -> None:
    raw = _raw()
    raw["segments"][0]["guide_segments"] = ["工厂设计"]
    with pytest.raises(ValidationError, match="unknown guide"):
        load_edition(yaml.safe_dump(raw, allow_unicode=True))
