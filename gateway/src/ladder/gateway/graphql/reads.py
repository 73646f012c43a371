"""The read fields of `Query`, by service: what a portal shows, each field one upstream read
as the caller (its list as a connection, its object through a loader where others may ask for
the same), nested reads left to the types and their loaders.

Every field but the public ones (`PublicQueries`: the published lists, the 公示, the
recognised 领航级 factories — REST's `/public/v1/…`, no token needed) answers
`Unauthenticated` without a token, before anything is sent.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Annotated, Any

import strawberry
from pydantic import TypeAdapter
from strawberry.types import Info

from ladder.gateway.graphql import models
from ladder.gateway.graphql.connections import (
    AFTER,
    FIRST,
    Connection,
    check_first,
    keyset_connection,
    keyset_of,
    offset_connection,
    offset_of,
    offset_window,
)
from ladder.gateway.graphql.context import GatewayContext
from ladder.gateway.graphql.errors import (
    InvalidArgumentError,
    UpstreamFailure,
    invalid_argument,
    unauthenticated,
)
from ladder.gateway.graphql.review import (
    CaseCounts,
    CaseCountsResult,
    Cultivation,
    CultivationRecord,
    CultivationResult,
    LeadingFactory,
    NationalCase,
    NationalCaseRecord,
    NationalCaseResult,
    PublicEntry,
    PublicNotice,
    PublicNoticeResult,
    PublishedList,
    PublishedListResult,
    RecommendationList,
    RecommendationListResult,
)
from ladder.gateway.graphql.types import (
    Campaign,
    CampaignResult,
    Case,
    CaseResult,
    Declaration,
    DeclarationResult,
    EnterpriseResult,
    RegionDeadlines,
    RegionDeadlinesResult,
    SelfAssessment,
    SelfAssessmentRecord,
    SelfAssessmentResult,
    build,
    failed,
    load_case,
    load_declaration,
    load_enterprise,
    result,
)
from ladder.kit.params import FIRST_CAMPAIGN_YEAR, LAST_CAMPAIGN_YEAR

GatewayInfo = Info[GatewayContext, None]
_WORD = re.compile(r"[a-z_]{1,30}")
First = Annotated[int, strawberry.argument(description=FIRST)]
After = Annotated[str | None, strawberry.argument(description=AFTER)]

DeclarationsResult = result("DeclarationsResult", Connection[Declaration])
SelfAssessmentsResult = result("SelfAssessmentsResult", Connection[SelfAssessment])
CampaignsResult = result("CampaignsResult", Connection[Campaign])
CasesResult = result("CasesResult", Connection[Case])
RecommendationListsResult = result("RecommendationListsResult", Connection[RecommendationList])
NationalCasesResult = result("NationalCasesResult", Connection[NationalCase])
CultivationsResult = result("CultivationsResult", Connection[Cultivation])
LeadingFactoriesResult = result("LeadingFactoriesResult", Connection[LeadingFactory])


def _page_of(item: type) -> TypeAdapter[Any]:
    return TypeAdapter(models.Page[item])  # type: ignore[valid-type]


_DECLARATIONS = _page_of(models.DeclarationAnswer)
_CASES = _page_of(models.CaseSummaryAnswer)
_LISTS = _page_of(models.ListSummaryAnswer)
_NATIONAL = _page_of(models.NationalCaseSummaryAnswer)
_CULTIVATIONS = _page_of(models.CultivationSummaryAnswer)
_LEADING = _page_of(models.LeadingFactoryAnswer)
_SELF_ASSESSMENTS = TypeAdapter(models.SelfAssessmentPage)
_SELF_ASSESSMENT = TypeAdapter(models.SelfAssessmentRecordAnswer)
_CAMPAIGNS = TypeAdapter(list[models.CampaignAnswer])
_CAMPAIGN = TypeAdapter(models.CampaignAnswer)
_DEADLINES = TypeAdapter(models.RegionDeadlinesAnswer)
_NATIONAL_CASE = TypeAdapter(models.NationalCaseAnswer)
_CULTIVATION = TypeAdapter(models.CultivationAnswer)
_PUBLISHED = TypeAdapter(models.PublishedListAnswer)
_NOTICE = TypeAdapter(models.PublicNoticeAnswer)
_COUNTS = TypeAdapter(models.CountsAnswer)


def _refused(info: GatewayInfo, *, public: bool = False) -> Any:
    """`Unauthenticated` for a caller without a verified token (a public field: only for a
    token that does not verify); None to go on."""
    ctx = info.context
    if ctx.principal is None and (ctx.auth_failure is not None or not public):
        return unauthenticated(ctx.auth_failure)
    return None


def _params(**given: Any) -> dict[str, Any]:
    """The query parameters given (None: not sent)."""
    return {k: v for k, v in given.items() if v is not None}


def _uuid(value: str, field: str) -> Any:
    try:
        return uuid.UUID(value)
    except ValueError:
        return invalid_argument(field, f"{field} 不是有效的标识", f"{field} is not a valid id")


async def one(info: GatewayInfo, key: Callable[[], Any], load: Callable[..., Any]) -> Any:
    """One object by its key, through its loader: the typed errors, or the object."""
    if (refusal := _refused(info)) is not None:
        return refusal
    found = key()
    if isinstance(found, InvalidArgumentError):
        return found
    return await load(info, found)


async def get(
    info: GatewayInfo,
    service: str,
    path: str,
    params: dict[str, Any] | None,
    answer: TypeAdapter[Any],
    build_: Callable[[Any], Any],
    *,
    public: bool = False,
) -> Any:
    """One upstream object as the caller: the typed errors, or `build_(answer)`."""
    if (refusal := _refused(info, public=public)) is not None:
        return refusal
    try:
        found = await info.context.upstreams[service].read(path, params, answer)
    except UpstreamFailure as failure:
        return failure.error
    return build_(found)


async def paged(
    info: GatewayInfo,
    service: str,
    path: str,
    params: dict[str, Any],
    first: int,
    after: str | None,
    answer: TypeAdapter[Any],
    build_: Callable[[Any], Any],
    *,
    public: bool = False,
    wrap: Callable[[Any, Connection[Any]], Any] | None = None,
) -> Any:
    """A window of an upstream page/page_size list as a connection, as the caller (`wrap`:
    the connection within an object of the last page's answer)."""
    if (refusal := _refused(info, public=public)) is not None:
        return refusal
    if (problem := check_first(first)) is not None:
        return problem
    start = offset_of(after)
    if isinstance(start, InvalidArgumentError):
        return start
    pages = offset_window(start, first)
    if isinstance(pages, InvalidArgumentError):
        return pages
    items: list[Any] = []
    body: Any = None
    try:
        for page in pages:
            query = {**params, "page": page.page, "page_size": page.page_size}
            body = await info.context.upstreams[service].read(path, query, answer)
            items += body.items[page.skip :]
    except UpstreamFailure as failure:
        return failure.error
    connection = offset_connection(items, start, first, body.total, build_)
    return connection if wrap is None else wrap(body, connection)


def sliced(items: list[Any], first: int, after: str | None, build_: Callable[[Any], Any]) -> Any:
    """A connection over a list a service answers whole (a handful: the campaigns)."""
    if (problem := check_first(first)) is not None:
        return problem
    start = offset_of(after)
    if isinstance(start, InvalidArgumentError):
        return start
    return offset_connection(items[start : start + first], start, first, len(items), build_)


@strawberry.type
class DeclarationQueries:
    """The declaration service's reads."""

    @strawberry.field(description="Declarations (申报书) the caller may see, newest first")
    async def declarations(
        self, info: GatewayInfo, first: First, after: After = None, status: str | None = None
    ) -> DeclarationsResult:
        def build_(d: models.DeclarationAnswer) -> Declaration:
            info.context.loaders.declaration.prime(d.id, d)
            return Declaration.of(d)

        return await paged(
            info,
            "declaration",
            "/v1/declarations",
            _params(status=status),
            first,
            after,
            _DECLARATIONS,
            build_,
        )

    @strawberry.field(description="One declaration by its id")
    async def declaration(self, info: GatewayInfo, id: strawberry.ID) -> DeclarationResult:
        return await one(info, lambda: _uuid(id, "id"), load_declaration)

    @strawberry.field(description="One enterprise by its 统一社会信用代码")
    async def enterprise(self, info: GatewayInfo, uscc: str) -> EnterpriseResult:
        def key() -> Any:
            if len(uscc) != 18:
                return invalid_argument(
                    "uscc", "统一社会信用代码须为 18 位", "A USCC has 18 characters"
                )
            return uscc

        return await one(info, key, load_enterprise)

    @strawberry.field(
        description="基础级 self-assessments of a campaign year: an enterprise its own, an "
        "authority those in its jurisdiction; by region, USCC and factory (by name with `name`)"
    )
    async def self_assessments(
        self,
        info: GatewayInfo,
        campaign_year: int,
        first: First,
        after: After = None,
        region: Annotated[str | None, strawberry.argument(description="a prefix")] = None,
        enterprise_uscc: str | None = None,
        outcome: str | None = None,
        name: Annotated[str | None, strawberry.argument(description="a name prefix")] = None,
    ) -> SelfAssessmentsResult:
        if (refusal := _refused(info)) is not None:
            return refusal
        if (problem := check_first(first)) is not None:
            return problem
        at = keyset_of(after)
        if isinstance(at, InvalidArgumentError):
            return at
        params = _params(
            campaign_year=campaign_year,
            region=region,
            enterprise_uscc=enterprise_uscc,
            outcome=outcome,
            name=name,
            cursor=at.cursor,
            limit=at.skip + first,
        )
        try:
            page = await info.context.upstreams["declaration"].read(
                "/v1/self-assessments", params, _SELF_ASSESSMENTS
            )
        except UpstreamFailure as failure:
            return failure.error
        return keyset_connection(
            page.items, at, first, page.next_cursor, lambda a: build(SelfAssessment, a)
        )

    @strawberry.field(description="One self-assessment with its facts and findings")
    async def self_assessment(self, info: GatewayInfo, id: strawberry.ID) -> SelfAssessmentResult:
        key = _uuid(id, "id")
        if isinstance(key, InvalidArgumentError):
            return key
        path = f"/v1/self-assessments/{key}"
        return await get(info, "declaration", path, None, _SELF_ASSESSMENT, SelfAssessmentRecord.of)

    @strawberry.field(description="Campaigns (申报批次), with their deadline chains")
    async def campaigns(
        self, info: GatewayInfo, first: First, after: After = None
    ) -> CampaignsResult:
        found = await get(info, "declaration", "/v1/campaigns", None, _CAMPAIGNS, list)
        if failed(found):
            return found
        return sliced(found, first, after, Campaign.of)

    @strawberry.field(description="One campaign by its year")
    async def campaign(self, info: GatewayInfo, year: int) -> CampaignResult:
        if (problem := _year(year, "year")) is not None:
            return problem
        return await get(info, "declaration", f"/v1/campaigns/{year}", None, _CAMPAIGN, Campaign.of)

    @strawberry.field(
        description="The deadline chain of a tier that applies to a region (longest prefix), "
        "each deadline with whether it has passed"
    )
    async def deadlines(
        self, info: GatewayInfo, year: int, region: str, tier: str
    ) -> RegionDeadlinesResult:
        if (problem := _year(year, "year")) is not None:
            return problem
        return await get(
            info,
            "declaration",
            f"/v1/campaigns/{year}/deadlines",
            {"region": region, "tier": tier},
            _DEADLINES,
            RegionDeadlines.of,
        )


@strawberry.type
class ReviewQueries:
    """The review service's reads for the authorities, enterprises and experts."""

    @strawberry.field(
        description="Review cases: those the caller holds (its move), or with held: false every "
        "case in its jurisdiction; oldest received first"
    )
    async def inbox(
        self,
        info: GatewayInfo,
        first: First,
        after: After = None,
        held: bool = True,
        tier: str | None = None,
        status: str | None = None,
    ) -> CasesResult:
        params = _params(held="true" if held else "false", tier=tier, status=status)
        return await paged(info, "review", "/v1/inbox", params, first, after, _CASES, Case.of)

    @strawberry.field(name="case", description="One review case by its declaration's id")
    async def review_case(self, info: GatewayInfo, declaration_id: strawberry.ID) -> CaseResult:
        return await one(info, lambda: _uuid(declaration_id, "declarationId"), load_case)

    @strawberry.field(
        description="Recommendation lists (推荐汇总表) the caller may read — a unit its own, the "
        "ministry every submitted one — newest change first"
    )
    async def recommendation_lists(
        self,
        info: GatewayInfo,
        first: First,
        after: After = None,
        campaign: int | None = None,
        tier: str | None = None,
        status: str | None = None,
    ) -> RecommendationListsResult:
        if campaign is not None and (problem := _year(campaign, "campaign")) is not None:
            return problem
        params = _params(campaign=campaign, tier=tier, status=status)
        return await paged(
            info,
            "review",
            "/v1/recommendation-lists",
            params,
            first,
            after,
            _LISTS,
            RecommendationList.of,
        )

    @strawberry.field(description="One recommendation list, by campaign, tier and unit")
    async def recommendation_list(
        self, info: GatewayInfo, campaign: int, tier: str, unit: str
    ) -> RecommendationListResult:
        if (problem := _year(campaign, "campaign")) is not None:
            return problem

        async def load(info: GatewayInfo, key: tuple[int, str, str]) -> Any:
            found = await info.context.loaders.recommendation_list.load(key)
            return found if failed(found) else RecommendationList.of(found)

        return await one(info, lambda: (campaign, tier, unit), load)

    @strawberry.field(description="Cases in the national review (the ministry all; an expert its)")
    async def national_cases(
        self,
        info: GatewayInfo,
        first: First,
        after: After = None,
        tier: str | None = None,
        status: str | None = None,
        campaign: int | None = None,
    ) -> NationalCasesResult:
        if campaign is not None and (problem := _year(campaign, "campaign")) is not None:
            return problem
        params = _params(tier=tier, status=status, campaign=campaign)
        return await paged(
            info,
            "review",
            "/v1/national/cases",
            params,
            first,
            after,
            _NATIONAL,
            lambda c: build(NationalCase, c),
        )

    @strawberry.field(description="One national case with its details, experts and history")
    async def national_case(
        self, info: GatewayInfo, declaration_id: strawberry.ID
    ) -> NationalCaseResult:
        key = _uuid(declaration_id, "declarationId")
        if isinstance(key, InvalidArgumentError):
            return key
        path = f"/v1/national/cases/{key}"
        return await get(info, "review", path, None, _NATIONAL_CASE, NationalCaseRecord.of)

    @strawberry.field(description="Cultivation records (领航级 培育) the caller may read")
    async def cultivations(
        self,
        info: GatewayInfo,
        first: First,
        after: After = None,
        status: str | None = None,
        region: str | None = None,
    ) -> CultivationsResult:
        params = _params(status=status, region=region)
        return await paged(
            info,
            "review",
            "/v1/cultivations",
            params,
            first,
            after,
            _CULTIVATIONS,
            lambda c: build(Cultivation, c),
        )

    @strawberry.field(description="One cultivation record with its history and application")
    async def cultivation(
        self, info: GatewayInfo, declaration_id: strawberry.ID
    ) -> CultivationResult:
        key = _uuid(declaration_id, "declarationId")
        if isinstance(key, InvalidArgumentError):
            return key
        path = f"/v1/cultivations/{key}"
        return await get(info, "review", path, None, _CULTIVATION, CultivationRecord.of)

    @strawberry.field(description="Counts of the cases the caller may see, by one dimension")
    async def case_counts(
        self,
        info: GatewayInfo,
        campaign: int,
        by: Annotated[
            str,
            strawberry.argument(
                description="province | industry | tier | status | scene | recommending_unit"
            ),
        ],
        tier: str | None = None,
        status: str | None = None,
    ) -> CaseCountsResult:
        if (problem := _year(campaign, "campaign")) is not None:
            return problem
        params = _params(campaign=campaign, by=by, tier=tier, status=status)
        return await get(info, "review", "/v1/dashboards/cases", params, _COUNTS, CaseCounts.of)


@strawberry.type
class PublicQueries:
    """What anyone may read, with or without a token (REST's `/public/v1/…`)."""

    @strawberry.field(
        description="A published list (卓越级 名单 / 领航级 培育对象名单) of a campaign and tier"
    )
    async def published_list(
        self, info: GatewayInfo, campaign: int, tier: str, first: First, after: After = None
    ) -> PublishedListResult:
        if (problem := _year(campaign, "campaign") or _segment(tier, "tier")) is not None:
            return problem

        def wrap(body: models.PublishedListAnswer, entries: Connection[Any]) -> PublishedList:
            return PublishedList(
                campaign_year=body.campaign_year,
                tier=body.tier,
                published_at=body.published_at,
                entries=entries,
            )

        return await paged(
            info,
            "review",
            f"/public/v1/published-lists/{campaign}/{tier}",
            {},
            first,
            after,
            _PUBLISHED,
            lambda e: build(PublicEntry, e),
            public=True,
            wrap=wrap,
        )

    @strawberry.field(description="The 公示 of a campaign and tier: projects and period")
    async def publicity(self, info: GatewayInfo, campaign: int, tier: str) -> PublicNoticeResult:
        if (problem := _year(campaign, "campaign") or _segment(tier, "tier")) is not None:
            return problem
        path = f"/public/v1/publicity/{campaign}/{tier}"
        return await get(info, "review", path, None, _NOTICE, PublicNotice.of, public=True)

    @strawberry.field(description="The recognised 领航级 智能工厂, the latest first")
    async def leading_factories(
        self, info: GatewayInfo, first: First, after: After = None
    ) -> LeadingFactoriesResult:
        return await paged(
            info,
            "review",
            "/public/v1/leading-factories",
            {},
            first,
            after,
            _LEADING,
            lambda f: build(LeadingFactory, f),
            public=True,
        )


def _year(year: int, field: str) -> InvalidArgumentError | None:
    """A campaign year within the services' range (a path segment is not the place for
    whatever integer a caller sends)."""
    if FIRST_CAMPAIGN_YEAR <= year <= LAST_CAMPAIGN_YEAR:
        return None
    first, last = FIRST_CAMPAIGN_YEAR, LAST_CAMPAIGN_YEAR
    return invalid_argument(
        field, f"{field} 须在 {first} 至 {last} 之间", f"{field} must be {first}..{last}"
    )


def _segment(value: str, field: str) -> InvalidArgumentError | None:
    """A word put in an upstream path (a tier): letters only, so nothing else is addressed."""
    if _WORD.fullmatch(value):
        return None
    return invalid_argument(field, f"{field} 不是有效的值", f"{field} is not a valid value")
