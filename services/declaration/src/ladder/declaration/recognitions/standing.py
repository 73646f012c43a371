"""Which entries of the register back a declaration, and what each source records: data with
the clauses it follows.

Ladder's reading of 工信厅联通装函〔2025〕251号: 一 "先进级智能工厂在自评为基础级智能工厂前提下",
二(一)2 "已完成智能工厂建设并获评先进级智能工厂" and 三(一)3 "须已获评卓越级智能工厂" set no year: a
tier recognised in any earlier year counts, and so does one of the campaign's own year recorded
before the pre-check or submission (a province recognises 先进级 on its own calendar, 一(二)).
A recognition of a later year than the campaign does not back it. A higher tier held backs a
lower requirement (a 卓越级 factory has been 先进级).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Standing:
    """A recognition of a year up to the campaign's counts (`earliest_year` None: no bound)."""

    latest_year_offset: int
    earliest_year: int | None
    clause: str
    reading: str


STANDING = Standing(
    latest_year_offset=0,
    earliest_year=None,
    clause="工信厅联通装函〔2025〕251号 一、二(一)2、三(一)3",
    reading="“已获评”未限年份：往年及本年度已记录的认定均可作为申报前提（Ladder 的理解）",
)


def counts_for(campaign_year: int, recognition_year: int) -> bool:
    if recognition_year > campaign_year + STANDING.latest_year_offset:
        return False
    return STANDING.earliest_year is None or recognition_year >= STANDING.earliest_year


# What a source recognises (the events' tiers) and who the authority is; the clauses behind it.
@dataclass(frozen=True)
class SourceRule:
    tiers: frozenset[str]
    clause: str
    note: str


SOURCE_RULES = {
    "self_assessment": SourceRule(
        frozenset({"basic"}),
        "工信厅联通装函〔2025〕251号 一(一)",
        "基础级由企业自评自建：自评结果为符合（eligible）即记为基础级，认定单位记为 self",
    ),
    "list_submission": SourceRule(
        frozenset({"advanced"}),
        "工信厅联通装函〔2025〕251号 一(二)",
        "先进级由省级主管部门（或中央企业集团）认定并报送名单：报送即认定；卓越级、领航级的推荐"
        "汇总表只是推荐，不是认定",
    ),
    "publication": SourceRule(
        frozenset({"excellence"}),
        "工信厅联通装函〔2025〕251号 二(二)",
        "卓越级由六部门组织评审认定并发布名单；领航级发布的是培育对象名单，不是认定",
    ),
    "acceptance": SourceRule(
        frozenset({"pilot"}),
        "工信厅联通装函〔2025〕251号 三(二)",
        "领航级培育期满经验收认定后才获评领航级",
    ),
    "import": SourceRule(
        frozenset({"advanced", "excellence", "pilot"}),
        "工信厅联通装函〔2025〕251号 一(二)、二(二)、三(二)",
        "往年认定名单的导入：部委导入任何地区，省级主管部门只导入本地区；基础级不导入（自评记录另有导入）",
    ),
}

MINISTRY = "ministry"
SELF = "self"
# Where a list is public (名单): every recognition but the enterprise's own self-assessment.
PUBLIC_SOURCES = frozenset({"list_submission", "publication", "acceptance", "import"})
