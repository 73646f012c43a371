"""The shipped local overlays as data, and which apply to a jurisdiction."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml
from pydantic import ValidationError

from ladder.rules.overlays.catalogue import OverlayCatalogue, load_overlay, overlays


def _raw(overlay_id: str) -> dict:
    folder = resources.files("ladder.rules.overlays").joinpath("data")
    return yaml.safe_load(folder.joinpath(f"{overlay_id}.yaml").read_text("utf-8"))


@pytest.mark.parametrize(
    ("edition", "jurisdiction", "expected"),
    [
        ("2025", "310115", ["shanghai-2025"]),
        ("2025", "310000", ["shanghai-2025"]),
        ("2025", "350102", ["fujian-2025"]),
        ("2025", "350200", ["fujian-2025"]),  # 厦门, a 计划单列市, recommends through Fujian
        ("2025", "440300", []),
        ("2025", "xpcc", []),
        ("2025", "soe:91110000100010433L", []),
        ("2025", None, []),
        ("2024", "310115", []),
    ],
)
def test_overlays_follow_the_recommending_jurisdiction(edition, jurisdiction, expected) -> None:
    found = overlays().for_jurisdiction(edition, jurisdiction)
    assert [o.id for o in found] == expected


def test_unknown_check_kinds_are_refused() -> None:
    raw = _raw("fujian-2025")
    raw["checks"][0]["kind"] = "tax_record"
    with pytest.raises(ValidationError):
        load_overlay(yaml.safe_dump(raw, allow_unicode=True))


def test_an_overlay_must_cover_some_region() -> None:
    raw = _raw("shanghai-2025")
    raw["jurisdiction"]["region_prefixes"] = []
    with pytest.raises(ValidationError):
        load_overlay(yaml.safe_dump(raw, allow_unicode=True))


def test_file_name_and_id_must_agree() -> None:
    with pytest.raises(ValueError, match="declares id"):
        load_overlay(yaml.safe_dump(_raw("shanghai-2025"), allow_unicode=True), expected_id="x-1")


def test_overlay_ids_are_unique() -> None:
    one = overlays().get("shanghai-2025")
    with pytest.raises(ValueError, match="repeat"):
        OverlayCatalogue([one, one])
