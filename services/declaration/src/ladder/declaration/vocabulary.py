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


class HeldTier(StrEnum):
    """The highest tier a factory already holds (基础级 by self-assessment), or none."""

    none = "none"
    basic = "basic"
    advanced = "advanced"
    excellence = "excellence"
    pilot = "pilot"


class LegalForm(StrEnum):
    legal_person = "legal_person"  # 独立法人
    branch = "branch"  # 法人的分支机构 (only where the industry has special circumstances)


class Nature(StrEnum):
    """企业性质 (ownership), as the material list asks for it."""

    state_owned = "state_owned"  # 国有企业
    collective = "collective"  # 集体企业
    private = "private"  # 民营企业
    foreign_invested = "foreign_invested"  # 外商投资企业
    hmt_invested = "hmt_invested"  # 港澳台投资企业
    mixed = "mixed"  # 混合所有制企业
    other = "other"  # 其他


class ModeCategory(StrEnum):
    """The 类别 of a future manufacturing-mode direction (附件5: 研发模式创新-创成式设计,
    生产方式创新-可重构柔性制造; 附件4 names 研发、生产、管理、服务 — the last two by analogy)."""

    rnd = "研发模式创新"
    production = "生产方式创新"
    management = "管理模式创新"
    service = "服务模式创新"
