"""Facts of the national review's tests: the default case's details and enterprise, an
expert without conflicts, a full score sheet, the error code of an answer."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from ladder.review.national.data import NationalTier, national

DETAILS: dict[str, Any] = {
    "scenes": [
        {
            "segment": "生产作业",
            "scene": "人机协同作业",
            "instance": "多机协同的发动机壳体柔性加工与检测",
            "ai": True,
        },
        {"segment": "生产管理", "scene": "车间智能排产", "instance": "强化学习排产", "ai": False},
    ],
    "kpis": {"生产效率提升": 32.5, "运营成本下降": 18},
    "integrators": ["华数智能系统集成有限公司"],
    "future_modes": ["研发模式创新-创成式设计"],
    "contact": {"name": "张工", "mobile": "13800000000"},
}
CASE_USCC = "91350100M000100Y43"  # the default case's enterprise (Fuzhou, 350102)
GROUP_USCC = "91110000M000900X12"


def expert_body(account: str | None = None, **fields: Any) -> dict[str, Any]:
    """An expert without conflicts with the default case (Beijing, another organisation)."""
    body: dict[str, Any] = {
        "account": account or f"expert-{uuid.uuid4().hex[:8]}",
        "name": "王专家",
        "fields": ["智能制造", "工业软件"],
        "organisation": "北京某大学",
        "region_code": "110108",
        "integrators": [],
        "declared_conflicts": [],
    }
    body.update(fields)
    return body


def full_sheet(tier: str = "excellence", score: float = 80) -> dict[str, float]:
    return {c.key: score for c in national().criteria.for_tier(NationalTier(tier))}


def code(resp: httpx.Response) -> str:
    return resp.json()["error"]["code"]
