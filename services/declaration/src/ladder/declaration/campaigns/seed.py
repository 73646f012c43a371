"""Seeded campaigns: 2025 from 工信厅联通装函〔2025〕251号 (seed 000) with the deadline chains of
the national, Shanghai (seed 002) and Fujian/Fuzhou (seed 001) notices, and a 2026 demo
campaign (演示批次，非官方) with the same shape two years on, so `make run` users can submit.

Idempotent: a campaign or a chain that exists is left as it is (a chain the ministry has
replaced since is not reset).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.declaration.campaigns.deadlines import DeadlineLevel, closes_after
from ladder.declaration.campaigns.models import (
    Campaign,
    Deadline,
    DeadlineChain,
    DeadlineChainRevision,
)
from ladder.declaration.campaigns.service import snapshot
from ladder.kit import clock

OPEN_TIERS = ["basic", "advanced", "excellence", "pilot"]
CAMPAIGN_2025 = {
    "year": 2025,
    "title": "2025年度智能工厂梯度培育（卓越级、领航级）",
    "rules_edition": "2025",
    "source": "工信厅联通装函〔2025〕251号",
    "open_tiers": OPEN_TIERS,
}
DEMO_YEAR = 2026
DEMO_CAMPAIGN = {
    "year": DEMO_YEAR,
    "title": "2026年度智能工厂梯度培育（演示批次，非官方）",
    "rules_edition": "2025",
    "source": "演示数据，非官方通知：仿照工信厅联通装函〔2025〕251号，截止日期为虚构",
    "open_tiers": OPEN_TIERS,
}
SEEDED_BY = "seed"

NATIONAL_251 = "工信厅联通装函〔2025〕251号"
SHANGHAI_430 = "沪经信制〔2025〕430号"
FUJIAN_321 = "闽工信联函装备〔2025〕321号"
FUZHOU_96 = "榕工信装备〔2025〕96号"
READING = "“X日前”按含当日计：北京时间X日24时（次日0时）起逾期"


@dataclass(frozen=True)
class SeedDeadline:
    level: DeadlineLevel
    last_day: date
    source: str
    clause: str
    clause_text: str
    note: str = READING


_NATIONAL_ENTERPRISE = SeedDeadline(
    DeadlineLevel.enterprise,
    date(2025, 7, 18),
    NATIONAL_251,
    "二(二)1、三(二)1",
    "申报主体……编制申报书，于2025年7月18日前完成线上申报。",
)
_NATIONAL_PROVINCE = SeedDeadline(
    DeadlineLevel.province,
    date(2025, 8, 1),
    NATIONAL_251,
    "二(二)3、三(二)3",
    "推荐单位应于2025年8月1日前完成线上审核，按推荐项目优先顺序填写推荐汇总表。",
)
_NATIONAL_MINISTRY = SeedDeadline(
    DeadlineLevel.national,
    date(2025, 8, 1),
    NATIONAL_251,
    "二(二)3、三(二)3",
    "推荐单位应于2025年8月1日前……将加盖公章的纸质版申报书（须与线上填报一致）、推荐汇总表、"
    "推荐函各1份，报送工业和信息化部（装备工业一司）。",
)
_FUJIAN_ENTERPRISE = SeedDeadline(
    DeadlineLevel.enterprise,
    date(2025, 7, 18),
    FUJIAN_321,
    "四(三)",
    "卓越级、领航级智能工厂申报主体于2025年7月18日前完成线上申报。",
)
_FUJIAN_PROVINCE = SeedDeadline(
    DeadlineLevel.province,
    date(2025, 7, 21),
    FUJIAN_321,
    "四(四)",
    "各地工信部门……纸质版申报书（须与线上填报一致并加盖申报主体公章，一式两份），"
    "于2025年7月21日前报送省工信厅。",
)

# Jurisdiction prefix → the chain. A chain applies whole to the regions under its prefix (the
# longest prefix wins), so local chains repeat the national levels that still hold there.
CHAINS_2025: dict[str, list[SeedDeadline]] = {
    "": [_NATIONAL_ENTERPRISE, _NATIONAL_PROVINCE, _NATIONAL_MINISTRY],
    "31": [
        SeedDeadline(
            DeadlineLevel.enterprise,
            date(2025, 7, 11),
            SHANGHAI_430,
            "一(二)1、二(二)1",
            "申报主体……编制申报书，于2025年7月11日前完成线上申报。",
        ),
        SeedDeadline(
            DeadlineLevel.county,
            date(2025, 7, 11),
            SHANGHAI_430,
            "一(二)2、二(二)2",
            "各区域主管部门负责组织对本地区申报项目进行推荐。推荐单位于2025年7月11日前按推荐项目"
            "优先顺序填写推荐汇总表，将纸质版申报书（须与线上填报一致）、推荐汇总表各1份，"
            "报送上海市经济信息化委智能制造推进处。",
        ),
        _NATIONAL_PROVINCE,
        _NATIONAL_MINISTRY,
    ],
    "35": [_FUJIAN_ENTERPRISE, _FUJIAN_PROVINCE, _NATIONAL_MINISTRY],
    # The county deadline is set by Fuzhou's forwarding notice, so it holds in Fuzhou (3501).
    "3501": [
        _FUJIAN_ENTERPRISE,
        SeedDeadline(
            DeadlineLevel.county,
            date(2025, 7, 18),
            FUZHOU_96,
            "2",
            "各县(市)区工信部门……对企业申报材料进行初审并正式行文出具初审意见，填写汇总表，"
            "连同企业申报材料上报市工信局。收件截止2025年7月18日，逾期不予接收。",
        ),
        _FUJIAN_PROVINCE,
        _NATIONAL_MINISTRY,
    ],
}


def _demo(d: SeedDeadline) -> SeedDeadline:
    """The same deadline two years on, marked as demo data."""
    return SeedDeadline(
        d.level,
        d.last_day.replace(year=d.last_day.year + 2),
        f"演示（非官方），仿照{d.source}",
        d.clause,
        f"【演示批次，日期为虚构】原文：{d.clause_text}",
        d.note,
    )


DEMO_CHAINS: dict[str, list[SeedDeadline]] = {
    j: [_demo(d) for d in chain] for j, chain in CHAINS_2025.items()
}

SEEDED_CAMPAIGNS = [(CAMPAIGN_2025, CHAINS_2025), (DEMO_CAMPAIGN, DEMO_CHAINS)]


async def _seed_chain(
    session: AsyncSession, year: int, jurisdiction: str, chain: list[SeedDeadline]
) -> None:
    at = clock.now()
    created = await session.execute(
        insert(DeadlineChain.__table__)
        .values(
            campaign_year=year,
            jurisdiction=jurisdiction,
            row_version=1,
            updated_by=SEEDED_BY,
            updated_at=at,
        )
        .on_conflict_do_nothing()
        .returning(DeadlineChain.__table__.c.jurisdiction)
    )
    if created.first() is None:
        return
    deadlines = [
        Deadline(
            campaign_year=year,
            jurisdiction=jurisdiction,
            level=d.level.value,
            closes_at=closes_after(d.last_day),
            source=d.source,
            clause=d.clause,
            clause_text=d.clause_text,
            note=d.note,
        )
        for d in chain
    ]
    session.add_all(deadlines)
    session.add(
        DeadlineChainRevision(
            campaign_year=year,
            jurisdiction=jurisdiction,
            row_version=1,
            deadlines=snapshot(deadlines),
            changed_by=SEEDED_BY,
            changed_at=at,
        )
    )
    await session.flush()


async def seed_campaigns(session: AsyncSession) -> None:
    table = Campaign.__table__
    for campaign, chains in SEEDED_CAMPAIGNS:
        await session.execute(insert(table).values(**campaign).on_conflict_do_nothing())
        for jurisdiction, chain in chains.items():
            await _seed_chain(session, campaign["year"], jurisdiction, chain)
