"""Declaration documents (申报书) for tests: complete for each tier, to be broken on purpose."""

from __future__ import annotations

import copy

ATTESTED = dict.fromkeys(
    [
        "above_scale",
        "competitive",
        "sound_finances",
        "no_bad_credit",
        "no_major_accident",
        "no_violations",
        "secure_controllable",
        "security_risks_controlled",
        "organisation",
        "talent",
    ],
    True,
)

_FULL = {
    "cmmm_level": 4,
    "segments": ["工厂建设", "研发设计", "生产作业", "生产管理", "运营管理"],
    "summary": "高端装备智能工厂",
    "recognised_tier": "excellence",
    "attestations": ATTESTED,
    "applicant": {
        "address": "福建省福州市鼓楼区示范路1号",
        "nature": "private",
        "industry": "C3411",
        "legal_form": "legal_person",
        "operating_regions": ["350102"],
        "contacts": [{"name": "林工", "role": "项目负责人", "mobile": "13800000000"}],
    },
    "factory_info": {
        "construction_start": "2022-01-01",
        "construction_end": "2024-12-31",
        "total_investment": 12000,
        "integrators": ["示范集成商"],
        "summary": "建设内容概述",
        "effects": "建设成效概述",
        "authenticity_commitment": True,
    },
    "scene_construction": {
        "overall": "总体情况",
        "key_segments": "重点环节",
        "system_integration": "系统集成",
    },
    "scenes": [
        {
            "segment": "工厂建设",
            "scene": "数字孪生工厂构建",
            "instance": "企业级数字孪生",
            "ai": True,
        },
        {"segment": "产品研发", "scene": "产品数字化设计", "instance": "生成式设计", "ai": True},
        {"segment": "生产作业", "scene": "在线智能检测", "instance": "视觉检测", "ai": True},
        {"segment": "生产管理", "scene": "车间智能排产", "instance": "智能排产", "ai": False},
        {"segment": "运营管理", "scene": "智能经营决策", "instance": "经营驾驶舱", "ai": False},
    ],
    "cultivation_plan": {
        "goals": "培育目标",
        "directions": [{"category": "研发模式创新", "mode": "创成式设计"}],
        "key_measures": "关键举措",
    },
    "effects": {"advancement": "先进性", "results": "实施成效", "next_plans": "后续计划"},
    "kpis": {
        "ai_scene_share": {"baseline": 20, "achieved": 60},
        "productivity_gain": {"achieved": 35},
        "model_count": {"not_applicable": True},
    },
    "no_secrets_commitment": True,
}


def document(tier: str = "pilot", **changes) -> dict:
    """A complete document for `tier` (the pilot one minus what lower tiers do not ask)."""
    doc = copy.deepcopy(_FULL)
    if tier != "pilot":
        del doc["cultivation_plan"]
        doc["recognised_tier"] = {"excellence": "advanced", "advanced": "basic"}.get(tier, "none")
    if tier in ("basic", "advanced"):
        for key in ("applicant", "factory_info", "scene_construction", "effects"):
            del doc[key]
        doc["cmmm_level"] = 3
    doc.update(changes)
    return doc
