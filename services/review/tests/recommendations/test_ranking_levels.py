"""Which levels rank their own table (ranking_levels.yaml), each with its clause."""

from __future__ import annotations

import pytest

from ladder.review.recommendations.ranking_levels import ranking_levels


@pytest.mark.parametrize(
    ("unit", "ranks"),
    [
        ("310115", True),  # 浦东新区
        ("310104", True),  # 徐汇区
        ("310000", False),  # the municipal unit recommends; it is no lower level
        ("350102", False),  # a Fuzhou county: 96号 sets no order or number
        ("440106", False),  # a Guangdong county: no seed has it rank
        ("xpcc", False),
        ("soe:91110000100000007F", False),
    ],
)
def test_which_units_rank(unit: str, ranks: bool) -> None:
    assert (ranking_levels().of_unit(unit) is not None) is ranks


def test_shanghai_districts_rank_excellence_and_pilot_with_the_clause() -> None:
    levels = ranking_levels()
    assert levels.at("county", "310115", "excellence") is not None
    assert levels.at("county", "310115", "pilot") is not None
    # 先进级 is recognised by the municipal unit (251号 一(二)); a district ranks no 先进级.
    assert levels.at("county", "310115", "advanced") is None
    # A case held at another level is not the district's to rank.
    assert levels.at("province", "310000", "excellence") is None
    source = levels.at("county", "310115", "excellence").source
    for clause in ("一(二)2", "一(二)4", "二(二)3"):
        assert clause in source


def test_the_fuzhou_reading_is_said() -> None:
    (fuzhou,) = ranking_levels().not_ranking
    assert (fuzhou.jurisdiction, fuzhou.level.value) == ("3501", "county")
    assert "榕工信装备〔2025〕96号 第2条" in fuzhou.source
    assert fuzhou.reading
