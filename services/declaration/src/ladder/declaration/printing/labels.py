"""Chinese names for the words a printed 申报书 shows.

Only a nicety: a content key without a label prints under its own name, so a new section of
the 申报书 prints without a change here.
"""

from __future__ import annotations

from typing import Any

from ladder.declaration.declarations.machine import DeclarationMachine

TIER_NAMES = {
    "none": "无",
    "basic": "基础级",
    "advanced": "先进级",
    "excellence": "卓越级",
    "pilot": "领航级",
}

# Keys of `canonical_content` (declarations/service.py) and of the 申报书 form
# (declarations/document.py), named as the material lists (申报材料清单) name them.
FIELD_LABELS = {
    # the version
    "declaration_id": "申报编号",
    "version": "版本号",
    "campaign_year": "申报批次（年度）",
    "tier": "申报层级",
    "enterprise": "申报主体",
    "uscc": "统一社会信用代码",
    "name": "名称",
    "factory": "智能工厂",
    "region_code": "所在地区代码",
    "facts": "申报书内容",
    # the form
    "cmmm_level": "智能制造能力成熟度等级",
    "segments": "覆盖环节",
    "summary": "概述",
    "recognised_tier": "已获层级（申报单位自述，以认定记录为准）",
    "applicant": "申报主体基本信息",
    "address": "地址",
    "nature": "企业性质",
    "industry": "所属行业",
    "legal_form": "主体形式",
    "special_circumstance": "特殊情况说明",
    "operating_regions": "生产经营所在地区",
    "contacts": "联系人",
    "role": "职务",
    "mobile": "手机号",
    "factory_info": "工厂基本信息",
    "construction_start": "建设开始时间",
    "construction_end": "建设完成时间",
    "total_investment": "总投资（万元）",
    "integrators": "集成商",
    "effects": "建设成效",
    "authenticity_commitment": "真实性承诺",
    "scene_construction": "场景建设情况",
    "overall": "项目总体情况",
    "key_segments": "重点环节建设情况",
    "system_integration": "系统集成情况",
    "scenes": "典型场景",
    "segment": "环节",
    "scene": "场景",
    "instance": "场景实例",
    "ai": "应用人工智能技术",
    "description": "说明",
    "cultivation_plan": "培育方案",
    "goals": "培育目标",
    "directions": "重点探索的未来制造模式",
    "category": "方向",
    "mode": "模式",
    "key_measures": "关键创建举措",
    "advancement": "先进性与特色",
    "results": "实施成效",
    "next_plans": "后续实施计划",
    "kpis": "关键绩效指标",
    "baseline": "基准值",
    "achieved": "达成值",
    "not_applicable": "不适用",
    "attestations": "基本要求承诺",
    "above_scale": "规模以上工业企业",
    "competitive": "企业及产品具有竞争力",
    "sound_finances": "近三年财务状况良好",
    "no_bad_credit": "近三年无不良信用记录",
    "no_major_accident": "近三年未发生较大及以上安全、环境事故",
    "no_violations": "近三年无违法违规行为",
    "secure_controllable": "关键装备、工业软件等安全可控",
    "security_risks_controlled": "网络和数据安全风险可控",
    "organisation": "设有智能工厂规划建设运营组织",
    "talent": "具备专业人才",
    "no_secrets_commitment": "不含国家秘密和商业秘密的承诺",
}

# Printed first, in this order (the order of the material lists); every other key follows in
# the order stored. JSONB stores keys by length, which reads badly on paper.
FIELD_ORDER = (
    "declaration_id",
    "version",
    "campaign_year",
    "tier",
    "enterprise",
    "factory",
    "facts",
    "uscc",
    "name",
    "role",
    "mobile",
    "cmmm_level",
    "segments",
    "summary",
    "recognised_tier",
    "applicant",
    "address",
    "nature",
    "industry",
    "legal_form",
    "special_circumstance",
    "operating_regions",
    "contacts",
    "factory_info",
    "construction_start",
    "construction_end",
    "total_investment",
    "integrators",
    "scene_construction",
    "overall",
    "key_segments",
    "system_integration",
    "scenes",
    "segment",
    "scene",
    "instance",
    "ai",
    "description",
    "effects",
    "advancement",
    "results",
    "next_plans",
    "cultivation_plan",
    "goals",
    "directions",
    "category",
    "mode",
    "key_measures",
    "kpis",
    "baseline",
    "achieved",
    "not_applicable",
    "attestations",
    "authenticity_commitment",
    "no_secrets_commitment",
)
TIER_KEYS = frozenset({"tier", "recognised_tier"})


def tier_name(tier: str) -> str:
    return TIER_NAMES.get(tier, tier)


def field_label(key: str) -> str:
    return FIELD_LABELS.get(key, key)


def value_text(key: str, value: Any) -> str:
    """A scalar as it is printed: tiers by name, booleans as 是/否, nothing as —."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if key in TIER_KEYS and isinstance(value, str):
        return tier_name(value)
    return str(value)


def _status_names() -> dict[str, str]:
    # "已提交 submitted" → "已提交": the machine is where the statuses are named.
    return {s.value: s.name.split(" ", 1)[0] for s in DeclarationMachine.states}


STATUS_NAMES = _status_names()


def status_name(status: str) -> str:
    return STATUS_NAMES.get(status, status)
