"""Seeded campaigns, made by the same service code as `POST /v1/campaigns`
(`service.create_campaign`): 2025 from 工信厅联通装函〔2025〕251号 (seed 000) with the deadline
chains of the national, Shanghai (seed 002) and Fujian/Fuzhou (seed 001) notices, and (for
`make run` only, `seed_demo_campaign`) a 2026 demo campaign (演示批次，非官方) with the same shape
two years on, so a fresh machine can submit.

**Chains per tier.** 251号 sets its dates for 卓越级 (二(二)1, 二(二)3) and 领航级 (三(二)1,
三(二)3); Shanghai's 430号 for 卓越级 (一(二)1, 一(二)2) and 领航级 (二(二)1, 二(二)2); Fujian's
321号 四(三)/四(四) and Fuzhou's 96号 2 name both tiers in one sentence ("卓越级、领航级智能工厂申报
主体于2025年7月18日前完成线上申报"), so both tiers get the same dates there. **先进级 has no
chain**: 251号 一(二) leaves its 培育认定 to the province, 321号 一(二) says only that the
province "牵头……组织开展先进级智能工厂培育认定工作" without a date, and 430号 is a notice for
卓越级/领航级 only. Ladder's reading: none of the seeds sets a 先进级 date, so a 先进级
declaration is never late until its province sets a calendar (`PUT .../deadlines/35/advanced`).

Idempotent: a campaign that exists is left as it is (chains the ministry replaced since are
not reset).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.declaration.campaigns import repository
from ladder.declaration.campaigns.deadlines import DeadlineLevel
from ladder.declaration.campaigns.schemas import CampaignCreate, ChainIn, DeadlineIn
from ladder.declaration.campaigns.service import create_campaign
from ladder.declaration.vocabulary import Tier
from ladder.kit import clock
from ladder.kit.auth import Principal, Role

SEEDED_BY = "seed"
SEEDER = Principal(sub=SEEDED_BY, role=Role.ministry, name="seed")
OPEN_TIERS = ["basic", "advanced", "excellence", "pilot"]
# The named entries of the other services' catalogues the 2025 campaign uses: the rules
# service's policies/2025.yaml, the review service's national.yaml 公示 period (Ladder's
# default: the notice sets none) and cultivation.yaml period (251号 三(二)5).
PARAMETERS_2025 = {
    "quota_policy": "2025",
    "publicity_period": "ladder-default",
    "cultivation_period": "251-2025",
}
CAMPAIGN_2025 = {
    "year": 2025,
    "title": "2025年度智能工厂梯度培育（卓越级、领航级）",
    "rules_edition": "2025",
    "source": "工信厅联通装函〔2025〕251号",
    "open_tiers": OPEN_TIERS,
    **PARAMETERS_2025,
}
DEMO_YEAR = 2026
DEMO_CAMPAIGN = {
    "year": DEMO_YEAR,
    "title": "2026年度智能工厂梯度培育（演示批次，非官方）",
    "rules_edition": "2025",
    "source": "演示数据，非官方通知：仿照工信厅联通装函〔2025〕251号，截止日期为虚构",
    "open_tiers": OPEN_TIERS,
    **PARAMETERS_2025,
}

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

    def as_input(self) -> DeadlineIn:
        return DeadlineIn(
            level=self.level,
            last_day=self.last_day,
            source=self.source,
            clause=self.clause,
            clause_text=self.clause_text,
            note=self.note,
        )


def _national(tier: Tier) -> list[SeedDeadline]:
    """251号's chain for 卓越级 (section 二) or 领航级 (section 三): the same dates, its own clauses
    and 附件."""
    section, table = ("二", "附件3") if tier is Tier.excellence else ("三", "附件5")
    return [
        SeedDeadline(
            DeadlineLevel.enterprise,
            date(2025, 7, 18),
            NATIONAL_251,
            f"{section}(二)1",
            "申报主体……编制申报书，于2025年7月18日前完成线上申报。",
        ),
        SeedDeadline(
            DeadlineLevel.province,
            date(2025, 8, 1),
            NATIONAL_251,
            f"{section}(二)3",
            f"推荐单位应于2025年8月1日前完成线上审核，按推荐项目优先顺序填写推荐汇总表（{table}）。",
        ),
        SeedDeadline(
            DeadlineLevel.national,
            date(2025, 8, 1),
            NATIONAL_251,
            f"{section}(二)3",
            "推荐单位应于2025年8月1日前……将加盖公章的纸质版申报书（须与线上填报一致）、推荐汇总表、"
            "推荐函各1份，报送工业和信息化部（装备工业一司）。",
        ),
    ]


def _shanghai(tier: Tier) -> list[SeedDeadline]:
    """430号's chain: 卓越级 in section 一, 领航级 in section 二, the same dates (7月11日)."""
    section = "一" if tier is Tier.excellence else "二"
    national = _national(tier)
    return [
        SeedDeadline(
            DeadlineLevel.enterprise,
            date(2025, 7, 11),
            SHANGHAI_430,
            f"{section}(二)1",
            "申报主体……编制申报书，于2025年7月11日前完成线上申报。",
        ),
        SeedDeadline(
            DeadlineLevel.county,
            date(2025, 7, 11),
            SHANGHAI_430,
            f"{section}(二)2",
            "各区域主管部门负责组织对本地区申报项目进行推荐。推荐单位于2025年7月11日前按推荐项目"
            "优先顺序填写推荐汇总表，将纸质版申报书（须与线上填报一致）、推荐汇总表各1份，"
            "报送上海市经济信息化委智能制造推进处。",
        ),
        *national[1:],
    ]


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
# Fuzhou's forwarding notice sets the county deadline; it forwards 321号, whose 申报 is of
# 卓越级 and 领航级 (Ladder's reading: the 7月18日 receipt holds for those two tiers).
_FUZHOU_COUNTY = SeedDeadline(
    DeadlineLevel.county,
    date(2025, 7, 18),
    FUZHOU_96,
    "2",
    "各县(市)区工信部门……对企业申报材料进行初审并正式行文出具初审意见，填写汇总表，"
    "连同企业申报材料上报市工信局。收件截止2025年7月18日，逾期不予接收。",
)

RECOMMENDED_TIERS = (Tier.excellence, Tier.pilot)


def chains_2025(tier: Tier) -> dict[str, list[SeedDeadline]]:
    """Jurisdiction prefix → the `tier` chain. A chain applies whole to the regions under its
    prefix (the longest prefix wins), so local chains repeat the national levels that still
    hold there."""
    ministry = _national(tier)[-1]
    return {
        "": _national(tier),
        "31": _shanghai(tier),
        "35": [_FUJIAN_ENTERPRISE, _FUJIAN_PROVINCE, ministry],
        "3501": [_FUJIAN_ENTERPRISE, _FUZHOU_COUNTY, _FUJIAN_PROVINCE, ministry],
    }


CHAINS_2025: dict[Tier, dict[str, list[SeedDeadline]]] = {
    tier: chains_2025(tier) for tier in RECOMMENDED_TIERS
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


DEMO_CHAINS: dict[Tier, dict[str, list[SeedDeadline]]] = {
    tier: {j: [_demo(d) for d in chain] for j, chain in chains.items()}
    for tier, chains in CHAINS_2025.items()
}

SEEDED_CAMPAIGNS = [(CAMPAIGN_2025, CHAINS_2025), (DEMO_CAMPAIGN, DEMO_CHAINS)]


def campaign_input(
    campaign: dict[str, object], chains: dict[Tier, dict[str, list[SeedDeadline]]]
) -> CampaignCreate:
    """The seeded campaign as the body a ministry would `POST /v1/campaigns`."""
    return CampaignCreate.model_validate(
        {
            **campaign,
            "deadline_chains": [
                ChainIn(
                    jurisdiction=jurisdiction,
                    tiers=[tier],
                    deadlines=[d.as_input() for d in chain],
                )
                for tier, by_jurisdiction in chains.items()
                for jurisdiction, chain in by_jurisdiction.items()
            ],
        }
    )


async def _seed(
    session: AsyncSession,
    campaign: dict[str, object],
    chains: dict[Tier, dict[str, list[SeedDeadline]]],
) -> None:
    if await repository.campaign(session, int(campaign["year"])) is not None:  # type: ignore[call-overload]
        return
    await create_campaign(session, None, SEEDER, campaign_input(campaign, chains), clock.now())


async def seed_campaigns(session: AsyncSession) -> None:
    """The 2025 campaign (every deployment)."""
    await _seed(session, CAMPAIGN_2025, CHAINS_2025)


async def seed_demo_campaign(session: AsyncSession) -> None:
    """The 2026 demo campaign (`make run` and tests, never `--reference-only`)."""
    await _seed(session, DEMO_CAMPAIGN, DEMO_CHAINS)
