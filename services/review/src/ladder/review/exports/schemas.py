"""The columns of the exports: the JSON field (the key), the CSV/XLSX header in Chinese and
its English name. A case's columns are the inbox's (`CaseSummary`) with the status's Chinese
name beside its code; a published list's are the public ones (`PublicEntry`) and its 序号."""

from __future__ import annotations

from ladder.kit.exports import Column
from ladder.review.cases.machine import CaseMachine

CASE_COLUMNS = (
    Column("declaration_id", "申报编号", "declaration id", width=38),
    Column("campaign_year", "申报批次", "campaign year", width=10),
    Column("tier", "申报级别", "tier", width=12),
    Column("enterprise_uscc", "统一社会信用代码", "enterprise USCC", width=22),
    Column("enterprise_name", "企业名称", "enterprise name", width=36),
    Column("factory_name", "工厂名称", "factory name", width=30),
    Column("region_code", "行政区划代码", "region code (GB/T 2260)", width=14),
    Column("status", "状态代码", "status", width=26),
    Column("status_label", "状态", "status (Chinese)", width=16),
    Column("level", "所在层级", "chain level holding it", width=14),
    Column("holder_region", "当前办理单位", "holder (unit id)", width=20),
    Column("recommending_unit", "推荐单位", "recommending unit", width=20),
    Column("version", "申报书版本", "declaration version under review", width=10),
    Column("fingerprint", "申报书指纹", "SHA-256 of that version", width=66),
    Column("central_soe_group", "中央企业集团", "central-SOE group USCC", width=22),
    Column("industry", "行业代码", "industry (GB/T 4754)", width=10),
    Column("submitted_at", "提交时间", "submitted at (Beijing time)", width=20),
    Column("received_at", "受理时间", "received at (Beijing time)", width=20),
)
"""A case as its inbox line shows it (`ladder.review.cases.schemas.CaseSummary`)."""

PUBLISHED_COLUMNS = (
    Column("number", "序号", "number on the list", width=8),
    Column("campaign_year", "申报批次", "campaign year", width=10),
    Column("tier", "级别", "tier", width=12),
    Column("enterprise_name", "企业名称", "enterprise name", width=36),
    Column("factory_name", "工厂名称", "factory name", width=30),
    Column("region_code", "行政区划代码", "region code (GB/T 2260)", width=14),
    Column("declaration_id", "申报编号", "declaration id", width=38),
)
"""A line of a published list, as the public reads it (`PublicEntry`), numbered in order."""

STATUS_LABELS = {s.value: s.name.split(" ", 1)[0] for s in CaseMachine.states}
"""A case status's Chinese name, from the case machine's states (`待初审 awaiting …`)."""


def described(columns: tuple[Column, ...]) -> str:
    """The columns for a route's description: `key` (header, English)."""
    return "; ".join(f"`{c.key}` ({c.header}, {c.header_en})" for c in columns)
