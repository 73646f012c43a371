"""Words of the domain used in this service's forms (the rules service owns their meaning)."""

from __future__ import annotations

from enum import StrEnum


class Tier(StrEnum):
    basic = "basic"  # 基础级
    advanced = "advanced"  # 先进级
    excellence = "excellence"  # 卓越级
    pilot = "pilot"  # 领航级


class Segment(StrEnum):
    """The five segments (环节) of 要素条件."""

    factory_construction = "工厂建设"
    rnd_design = "研发设计"
    production_operations = "生产作业"
    production_management = "生产管理"
    operations_management = "运营管理"
