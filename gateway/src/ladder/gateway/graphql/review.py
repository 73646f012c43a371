"""GraphQL types of the review service's reads: recommendation lists (推荐汇总表) with their
entries and quotas, the national review, cultivation (培育) with its reports, the public lists
and 公示, and the dashboards' counts. As in `types.py`: built from `models.py`'s answers, a
nested read through the request's loaders, a failure typed where it happens."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from ladder.gateway.graphql import models
from ladder.gateway.graphql.connections import (
    AFTER,
    FIRST,
    Connection,
    check_first,
    offset_connection,
    offset_of,
    offset_window,
)
from ladder.gateway.graphql.errors import InvalidArgumentError
from ladder.gateway.graphql.types import (
    CaseTransition,
    DeclarationResult,
    build,
    failed,
    load_declaration,
    result,
)

# --- recommendation lists ------------------------------------------------------------------


@strawberry.type(description="A case on a list, in priority order (推荐顺序)")
class ListEntry:
    rank: int
    declaration_id: strawberry.ID
    counts: bool = strawberry.field(description="uses a slot of the quota (false: exempt)")
    exemption: str | None = strawberry.field(description="why it is exempt, e.g. jiebang")
    enterprise_name: str
    factory_name: str
    region_code: str
    added_by: str
    added_at: datetime

    @strawberry.field(description="The declaration (declaration service)")
    async def declaration(self, info: Info) -> DeclarationResult:
        return await load_declaration(info, uuid.UUID(self.declaration_id))


@strawberry.type(description="A step of a list: pushed, locked, submitted …")
class ListEvent:
    action: str
    from_status: str | None
    to_status: str | None
    reason: str | None
    declaration_id: strawberry.ID | None
    row_version: int
    actor: str
    at: datetime


@strawberry.type(description="The recommendation record (推荐记录) of a submitted list")
class ListSubmission:
    submitted_by: str
    submitted_at: datetime
    sha256: str = strawberry.field(description="of the 推荐汇总表 workbook as issued")
    entries: int
    reported_to: list[str]


@strawberry.type(description="A list whole: its quota as the rules service derived it, entries")
class ListDetail:
    quota: JSON = strawberry.field(description="the rules service's answer: derivation, policy")
    counted: int = strawberry.field(description="entries that use the quota")
    exempt: int = strawberry.field(description="entries an exemption keeps off the quota")
    remaining: int | None
    ranking_level: str | None
    deadline: JSON | None = strawberry.field(description="the submission deadline in force")
    submission: ListSubmission | None
    entries: list[ListEntry]
    history: list[ListEvent]
    created_by: str
    created_at: datetime

    @classmethod
    def of(cls, lst: models.ListAnswer) -> ListDetail:
        return build(
            cls,
            lst,
            submission=build(ListSubmission, lst.submission) if lst.submission else None,
            entries=[build(ListEntry, e) for e in lst.entries],
            history=[build(ListEvent, h) for h in lst.history],
        )


ListDetailResult = result("ListDetailResult", ListDetail)


@strawberry.type(description="A recommending unit's list (推荐汇总表) of a campaign and tier")
class RecommendationList:
    campaign_year: int
    tier: str = strawberry.field(description="advanced | excellence | pilot")
    unit: str = strawberry.field(description="a province's code, xpcc, soe:<USCC>, a district")
    status: str = strawberry.field(description="open | locked | submitted")
    limit: int | None = strawberry.field(description="the quota (不超过); null for 先进级")
    entry_count: int = strawberry.field(description="cases on it (as submitted, once submitted)")
    submitted_at: datetime | None
    sha256: str | None
    updated_at: datetime

    @classmethod
    def of(cls, lst: models.ListSummaryAnswer | models.ListAnswer) -> RecommendationList:
        if isinstance(lst, models.ListAnswer):
            submission = lst.submission
            return build(
                cls,
                lst,
                entry_count=submission.entries if submission else len(lst.entries),
                submitted_at=submission.submitted_at if submission else None,
                sha256=submission.sha256 if submission else None,
            )
        return build(cls, lst, entry_count=lst.entries)

    @strawberry.field(description="Its entries, quota and history (the list read, batched)")
    async def detail(self, info: Info) -> ListDetailResult:
        key = (self.campaign_year, self.tier, self.unit)
        found = await info.context.loaders.recommendation_list.load(key)
        return found if failed(found) else ListDetail.of(found)


RecommendationListResult = result("RecommendationListResult", RecommendationList)


# --- the national review --------------------------------------------------------------------


@strawberry.type(description="A case in the national review (the ministry's, its experts')")
class NationalCase:
    declaration_id: strawberry.ID
    campaign_year: int
    tier: str
    enterprise_uscc: str
    enterprise_name: str
    factory_name: str
    region_code: str
    recommending_unit: str
    status: str
    updated_at: datetime

    @strawberry.field(description="The declaration (declaration service)")
    async def declaration(self, info: Info) -> DeclarationResult:
        return await load_declaration(info, uuid.UUID(self.declaration_id))


@strawberry.type
class ExpertBrief:
    id: strawberry.ID
    name: str
    organisation: str


@strawberry.type(description="A national case with its declared details and history")
class NationalCaseRecord(NationalCase):
    central_soe_group: str | None
    industry: str | None
    version: int
    fingerprint: str
    details: JSON
    experts: list[ExpertBrief] | None = strawberry.field(
        description="the assigned reviewers (the ministry's view; null for experts)"
    )
    history: list[CaseTransition]

    @classmethod
    def of(cls, c: models.NationalCaseAnswer) -> NationalCaseRecord:
        return build(
            cls,
            c,
            experts=None if c.experts is None else [build(ExpertBrief, e) for e in c.experts],
            history=[build(CaseTransition, t) for t in c.history],
        )


NationalCaseResult = result("NationalCaseResult", NationalCaseRecord)


# --- cultivation (领航级 培育) ---------------------------------------------------------------


@strawberry.type(description="A progress report (培育进展) the enterprise filed")
class Report:
    id: strawberry.ID
    period: str
    text: str
    kpis: JSON | None
    author: str
    at: datetime


ReportsResult = result("ReportsResult", Connection[Report])


@strawberry.type(description="A 领航级 factory's cultivation record (培育), by its declaration")
class Cultivation:
    declaration_id: strawberry.ID
    enterprise_uscc: str
    enterprise_name: str
    factory_name: str
    region_code: str
    recommending_unit: str
    status: str
    level: str | None = strawberry.field(description="the level holding the application")
    holder: str | None
    start_date: date
    period_end: date = strawberry.field(description="the period ends (exclusive) this day")
    deadline: datetime
    experts: list[str]
    updated_at: datetime

    @strawberry.field(description="Its progress reports, oldest first (batched per page)")
    async def reports(
        self,
        info: Info,
        first: Annotated[int, strawberry.argument(description=FIRST)],
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
    ) -> ReportsResult:
        if (problem := check_first(first)) is not None:
            return problem
        start = offset_of(after)
        if isinstance(start, InvalidArgumentError):
            return start
        pages = offset_window(start, first)
        if isinstance(pages, InvalidArgumentError):
            return pages
        did = uuid.UUID(self.declaration_id)
        items: list[Any] = []
        total = 0
        for page in pages:
            found = await info.context.loaders.reports.load((did, page.page, page.page_size))
            if failed(found):
                return found
            items += found.items[page.skip :]
            total = found.total
        return offset_connection(items, start, first, total, lambda r: build(Report, r))

    @strawberry.field(description="The declaration (declaration service)")
    async def declaration(self, info: Info) -> DeclarationResult:
        return await load_declaration(info, uuid.UUID(self.declaration_id))


@strawberry.type
class CultivationStep:
    event: str
    from_status: str | None
    to_status: str
    actor: str
    reason: str | None
    level: str | None
    holder: str | None
    at: datetime


@strawberry.type(description="The latest acceptance application (验收申请)")
class AcceptanceApplication:
    summary: str
    applicant: str
    at: datetime


@strawberry.type(description="A cultivation record with its history and application")
class CultivationRecord(Cultivation):
    goals: str | None = strawberry.field(description="培育目标")
    conclusion: str | None
    concluded_at: datetime | None
    created_at: datetime
    report_count: int
    reminders_sent: list[int] = strawberry.field(description="days before the deadline")
    application: AcceptanceApplication | None
    history: list[CultivationStep]

    @classmethod
    def of(cls, c: models.CultivationAnswer) -> CultivationRecord:
        application = c.application
        return build(
            cls,
            c,
            report_count=c.reports,
            application=build(AcceptanceApplication, application) if application else None,
            history=[build(CultivationStep, t) for t in c.history],
        )


CultivationResult = result("CultivationResult", CultivationRecord)


# --- public lists and 公示 --------------------------------------------------------------------


@strawberry.type(description="A project on a public list or 公示")
class PublicEntry:
    declaration_id: strawberry.ID
    enterprise_name: str
    factory_name: str
    region_code: str
    tier: str


@strawberry.type(description="A published list (卓越级 名单, 领航级 培育对象名单): a page of it")
class PublishedList:
    campaign_year: int
    tier: str
    published_at: datetime
    entries: Connection[PublicEntry]


@strawberry.type(description="The 公示: the projects and the period")
class PublicNotice:
    campaign_year: int
    tier: str
    starts_at: datetime
    ends_at: datetime
    accepting_objections: bool
    entries: list[PublicEntry]

    @classmethod
    def of(cls, n: models.PublicNoticeAnswer) -> PublicNotice:
        return build(cls, n, entries=[build(PublicEntry, e) for e in n.entries])


@strawberry.type(description="A recognised 领航级 智能工厂 (发布名单)")
class LeadingFactory:
    enterprise_name: str
    factory_name: str
    region_code: str
    accepted_on: date


PublishedListResult = result("PublishedListResult", PublishedList)
PublicNoticeResult = result("PublicNoticeResult", PublicNotice)


# --- dashboards -----------------------------------------------------------------------------


@strawberry.type
class CountGroup:
    key: str | None = strawberry.field(description="the value counted; null when lacking")
    count: int


@strawberry.type(description="Counts of the cases the caller may see, by one dimension")
class CaseCounts:
    campaign_year: int
    by: str
    total: int
    groups: list[CountGroup] = strawberry.field(description="largest first, then by key")

    @classmethod
    def of(cls, c: models.CountsAnswer) -> CaseCounts:
        return build(cls, c, groups=[build(CountGroup, g) for g in c.groups])


CaseCountsResult = result("CaseCountsResult", CaseCounts)
