"""GraphQL types: the gateway's read model, separate from any service's tables or schemas.

Each type is built from a parsed upstream answer (`models.py`); a field that needs another
service, or another read of the same one, goes through the request's DataLoaders
(`loaders.py`) and answers a union of its type and the typed errors (`errors.py`), so one
item that cannot be read says why where it is, and the rest of the page stands.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Annotated, Any, TypeVar, Union

import strawberry
from pydantic import BaseModel
from strawberry.scalars import JSON
from strawberry.types import Info
from strawberry.types.private import is_private

from ladder.gateway.graphql import models
from ladder.gateway.graphql.errors import (
    ForbiddenError,
    InvalidArgumentError,
    NotFoundError,
    ServiceUnavailableError,
    UnauthenticatedError,
    UpstreamFailedError,
    invalid_argument,
)
from ladder.gateway.me import capabilities as me_capabilities
from ladder.gateway.me import service as me_service
from ladder.gateway.me.schemas import IdentityMe
from ladder.kit.auth import Principal
from ladder.kit.auth import Role as KitRole
from ladder.kit.params import MAX_VERSION

T = TypeVar("T")
# A copy of the kit's roles for GraphQL, so the kit's own enum is not decorated by strawberry.
Role = strawberry.enum(
    enum.Enum("Role", {r.name: r.value for r in KitRole}), name="Role", description="kind of caller"
)
READ_ERRORS = (
    UnauthenticatedError,
    ForbiddenError,
    NotFoundError,
    InvalidArgumentError,
    ServiceUnavailableError,
    UpstreamFailedError,
)


def result(name: str, *types: type) -> Any:
    """The union `name` of `types` and every typed read error."""
    return Annotated[Union[(*types, *READ_ERRORS)], strawberry.union(name)]


def failed(value: object) -> bool:
    return isinstance(value, READ_ERRORS)


def build(cls: type[T], answer: BaseModel, **given: Any) -> T:
    """`cls` from the answer's fields of the same names (ids as strings), but for those
    `given`; fields with resolvers are left to them."""
    values = dict(given)
    for f in cls.__strawberry_definition__.fields:  # type: ignore[attr-defined]
        if f.base_resolver is not None or f.python_name in values or is_private(f.type):
            continue
        value = getattr(answer, f.python_name)
        values[f.python_name] = str(value) if isinstance(value, uuid.UUID) else value
    return cls(**values)


# --- the viewer -------------------------------------------------------------------------

CallerKind = strawberry.enum(
    enum.Enum("CallerKind", {k.name: k.value for k in me_capabilities.CallerKind}),
    name="CallerKind",
    description="a person, another platform's system (machine client), a Ladder service",
)


@strawberry.type(description="The caller's organisation, as the identity service holds it")
class Organisation:
    id: strawberry.ID
    kind: str = strawberry.field(
        description="enterprise | unit | central_soe_hq | ministry | expert_pool"
    )
    role: str
    name: str
    region: str | None
    uscc: str | None
    status: str


@strawberry.type(description="A person's account at the identity service")
class Account:
    id: strawberry.ID
    username: str
    email: str
    display_name: str
    org_role: str = strawberry.field(description="admin or member of its organisation")
    status: str
    mfa_enrolled: bool
    last_sign_in_at: datetime | None
    organisation: Organisation

    @classmethod
    def of(cls, me: IdentityMe) -> Account:
        return build(cls, me.user, organisation=build(Organisation, me.organisation))


AccountResult = result("AccountResult", Account)


@strawberry.type(description="A unit of the units registry the caller speaks for")
class Unit:
    id: str
    name: str
    level: str
    kind: str
    source: str = strawberry.field(description="the clause that makes it a unit")


@strawberry.type(description="Whose cases the caller sees (ladder.kit.jurisdiction)")
class Jurisdiction:
    region: str | None
    org: str | None
    unit: Unit | None
    recommending_unit: str | None = strawberry.field(
        description="the recommending unit it speaks for: a province's code, xpcc, soe:<USCC>"
    )
    nationwide: bool
    covers_regions: list[str]
    covers_enterprises: list[str]
    excluded_regions: list[str]


@strawberry.type(description="Something the caller may do at all (each service decides per object)")
class Capability:
    name: str
    summary: str
    summary_zh: str
    method: str
    path: str = strawberry.field(description="a route that does it, through the gateway")
    scope: str = strawberry.field(description="the scope a machine client needs for it")
    source: str = strawberry.field(description="the clause it comes from, or Ladder's reading")


@strawberry.type(description="The caller's roles and capabilities (as GET /v1/me answers them)")
class Permissions:
    roles: list[str] = strawberry.field(description="its role, and org_admin for an admin")
    capabilities: list[Capability]


PermissionsResult = result("PermissionsResult", Permissions)


@strawberry.type(description="The verified caller")
class Viewer:
    sub: str
    role: Role  # type: ignore[valid-type]
    name: str
    org: str | None = strawberry.field(description="enterprise USCC or SOE group id")
    region: str | None = strawberry.field(description="GB/T 2260 code of the jurisdiction")
    kind: CallerKind  # type: ignore[valid-type]
    scopes: list[str] | None = strawberry.field(description="a machine client's; null for people")
    jurisdiction: Jurisdiction
    principal: strawberry.Private[Principal]

    @classmethod
    def from_principal(cls, principal: Principal) -> Viewer:
        j = me_service.jurisdiction_of(principal)
        return cls(
            sub=principal.sub,
            role=Role(principal.role.value),
            name=principal.name,
            org=principal.org,
            region=principal.region,
            kind=CallerKind(me_service.kind_of(principal).value),
            scopes=None if principal.scopes is None else sorted(principal.scopes),
            jurisdiction=build(Jurisdiction, j, unit=build(Unit, j.unit) if j.unit else None),
            principal=principal,
        )

    @strawberry.field(
        description="A person's account and organisation (identity service); null for a token "
        "of no account (a machine client, a Ladder service, an external issuer's)"
    )
    async def account(self, info: Info) -> AccountResult | None:
        me = await info.context.loaders.me.load("me")
        return me if me is None or failed(me) else Account.of(me)

    @strawberry.field(description="What the caller may do: GET /v1/me's roles and capabilities")
    async def permissions(self, info: Info) -> PermissionsResult:
        me = await info.context.loaders.me.load("me")
        if failed(me):
            return me
        composed = me_service.compose(self.principal, me)
        return Permissions(
            roles=list(composed.roles),
            capabilities=[build(Capability, c) for c in composed.capabilities],
        )


# --- enterprises ------------------------------------------------------------------------


@strawberry.type
class Contact:
    name: str
    role: str | None
    mobile: str = strawberry.field(description="masked (138****0000) outside the chain")


@strawberry.type(description="An enterprise (企业), by its 统一社会信用代码")
class Enterprise:
    id: strawberry.ID
    uscc: str
    name: str
    region_code: str
    region_name: str | None
    address: str | None
    nature: str | None = strawberry.field(description="企业性质")
    industry: str | None = strawberry.field(description="GB/T 4754 code")
    operating_regions: list[str]
    above_scale: bool | None = strawberry.field(description="规模以上工业企业")
    legal_form: str | None
    central_soe_group: str | None = strawberry.field(description="its central-SOE group's USCC")
    contacts: list[Contact]
    created_at: datetime
    updated_at: datetime | None

    @classmethod
    def of(cls, e: models.EnterpriseAnswer) -> Enterprise:
        return build(cls, e, contacts=[build(Contact, c) for c in e.contacts])

    @strawberry.field(description="Its factories (智能工厂项目), oldest first")
    async def factories(self, info: Info) -> FactoriesResult:
        found = await info.context.loaders.factories.load(self.uscc)
        return found if failed(found) else FactoryList(items=[build(Factory, f) for f in found])


@strawberry.type(description="A factory (智能工厂项目) of an enterprise")
class Factory:
    id: strawberry.ID
    enterprise_id: strawberry.ID
    enterprise_uscc: str
    name: str
    region_code: str
    created_at: datetime


@strawberry.type
class FactoryList:
    items: list[Factory]


FactoriesResult = result("FactoriesResult", FactoryList)
EnterpriseResult = result("EnterpriseResult", Enterprise)


async def load_enterprise(info: Info, uscc: str) -> Any:
    found = await info.context.loaders.enterprise.load(uscc.upper())
    return found if failed(found) else Enterprise.of(found)


# --- declarations -----------------------------------------------------------------------


@strawberry.type(description="One rule's answer in a pre-check (要素条件)")
class Finding:
    rule_id: str
    clause: str = strawberry.field(description="e.g. 要素条件(2025) 四(二)1")
    severity: str
    status: str = strawberry.field(description="passed | failed | not_provided")
    passed: bool
    field: str | None = strawberry.field(description="where to fix it, e.g. facts.kpis.oee")
    fact: str | None
    overlay: str | None
    message: str
    message_en: str
    expected: JSON | None
    actual: JSON | None


@strawberry.type(description="Text that looks like a classification marking (密级标志)")
class MarkingWarning:
    field: str
    marking: str
    message: str
    message_en: str


@strawberry.type(description="The latest pre-check (or submission check) against 要素条件")
class Precheck:
    edition: str
    tier: str
    outcome: str = strawberry.field(description="eligible | ineligible | incomplete")
    eligible: bool
    complete: bool
    findings: list[Finding]
    overlays: list[str]
    warnings: list[MarkingWarning]

    @classmethod
    def of(cls, p: models.PrecheckAnswer) -> Precheck:
        return build(
            cls,
            p,
            findings=[build(Finding, f) for f in p.findings],
            warnings=[build(MarkingWarning, w) for w in p.warnings],
        )


@strawberry.type(description="Where the review stands, as the review service last said")
class ReviewStatus:
    status: str = strawberry.field(description="e.g. awaiting_initial_review")
    event: str = strawberry.field(description="what happened, e.g. received, resubmitted")
    version: int = strawberry.field(description="the declaration version the status is about")
    at: datetime
    reason: str | None


@strawberry.type(description="The last reminder before the cultivation period ends")
class CultivationReminder:
    days_before: int | None
    deadline: datetime | None
    at: datetime


@strawberry.type(description="领航级: the cultivation (培育), as the review service last said")
class CultivationStatus:
    status: str
    event: str
    period_end: date = strawberry.field(description="the period ends (exclusive) this day")
    at: datetime
    reason: str | None
    reminder: CultivationReminder | None


@strawberry.type(description="A declaration (申报书) as the caller may see it")
class Declaration:
    id: strawberry.ID
    campaign_year: int
    tier: str = strawberry.field(description="basic | advanced | excellence | pilot")
    status: str
    enterprise_uscc: str
    enterprise_name: str
    factory_id: strawberry.ID
    factory_name: str
    region_code: str
    facts: JSON = strawberry.field(description="the 申报书 document (DeclarationFacts)")
    etag: str
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    current_version: int | None = strawberry.field(
        description="the latest submitted version (on a single read; null in lists)"
    )
    current_fingerprint: str | None
    latest_precheck: Precheck | None = strawberry.field(
        description="the latest pre-check or submission check and its findings"
    )
    review_status: ReviewStatus | None
    cultivation_status: CultivationStatus | None

    @classmethod
    def of(cls, d: models.DeclarationAnswer) -> Declaration:
        review, cultivation = d.review_status, d.cultivation_status
        return build(
            cls,
            d,
            latest_precheck=Precheck.of(d.last_precheck) if d.last_precheck else None,
            review_status=build(ReviewStatus, review) if review else None,
            cultivation_status=build(
                CultivationStatus,
                cultivation,
                reminder=build(CultivationReminder, cultivation.reminder)
                if cultivation.reminder
                else None,
            )
            if cultivation
            else None,
        )

    @strawberry.field(description="The applicant enterprise (declaration service)")
    async def enterprise(self, info: Info) -> EnterpriseResult:
        return await load_enterprise(info, self.enterprise_uscc)

    @strawberry.field(
        name="case",
        description="Its review case (review service): for the authorities of its chain",
    )
    async def review_case(self, info: Info) -> CaseResult:
        return await load_case(info, uuid.UUID(self.id))

    @strawberry.field(description="Its submitted versions (each frozen, fingerprinted)")
    async def versions(self, info: Info) -> VersionsResult:
        found = await info.context.loaders.versions.load(uuid.UUID(self.id))
        return found if failed(found) else VersionList(items=[build(Version, v) for v in found])

    @strawberry.field(description="Its history: who moved it, from what, to what")
    async def history(self, info: Info) -> DeclarationHistoryResult:
        found = await info.context.loaders.history.load(uuid.UUID(self.id))
        if failed(found):
            return found
        return DeclarationHistory(transitions=[build(DeclarationTransition, t) for t in found])

    @strawberry.field(description="What changed between two of its submitted versions")
    async def diff(self, info: Info, before: int, after: int) -> VersionDiffResult:
        for name, n in (("before", before), ("after", after)):
            if not 1 <= n <= MAX_VERSION:
                return invalid_argument(name, f"{name} 须在 1 至 {MAX_VERSION} 之间",
                                        f"{name} must be 1..{MAX_VERSION}")  # fmt: skip
        found = await info.context.loaders.diff.load((uuid.UUID(self.id), before, after))
        if failed(found):
            return found
        return build(VersionDiff, found, changes=[build(Change, c) for c in found.changes])


@strawberry.type(description="A submitted version of a declaration")
class Version:
    number: int
    fingerprint: str = strawberry.field(description="SHA-256 of the frozen content")
    submitted_by: str
    submitted_at: datetime
    content: JSON


@strawberry.type
class VersionList:
    items: list[Version]


@strawberry.type(description="A change between two versions, at a path such as facts.kpis.oee")
class Change:
    path: str
    change: str = strawberry.field(description="added | removed | changed")
    before: JSON | None
    after: JSON | None


@strawberry.type(description="What changed between two submitted versions, field by field")
class VersionDiff:
    before: int
    after: int
    before_fingerprint: str
    after_fingerprint: str
    changes: list[Change]


@strawberry.type(description="A step of a declaration: who moved it, from what, to what")
class DeclarationTransition:
    event: str
    from_status: str
    to_status: str
    actor: str
    reason: str | None
    at: datetime


@strawberry.type
class DeclarationHistory:
    transitions: list[DeclarationTransition]


VersionsResult = result("VersionsResult", VersionList)
DeclarationHistoryResult = result("DeclarationHistoryResult", DeclarationHistory)
VersionDiffResult = result("VersionDiffResult", VersionDiff)
DeclarationResult = result("DeclarationResult", Declaration)


async def load_declaration(info: Info, declaration_id: uuid.UUID) -> Any:
    found = await info.context.loaders.declaration.load(declaration_id)
    return found if failed(found) else Declaration.of(found)


# --- review cases -----------------------------------------------------------------------


@strawberry.type(description="A step of a review case: who moved it, from what, to what")
class CaseTransition:
    event: str
    from_status: str | None
    to_status: str
    actor: str
    reason: str | None
    version: int | None
    level: str | None
    holder_region: str | None
    at: datetime


@strawberry.type(description="The history of a review case, oldest first")
class CaseHistory:
    transitions: list[CaseTransition]


CaseHistoryResult = result("CaseHistoryResult", CaseHistory)


@strawberry.type(description="A review case (评审案件) of a declaration, as the chain holds it")
class Case:
    declaration_id: strawberry.ID
    tier: str
    campaign_year: int
    enterprise_uscc: str
    enterprise_name: str
    factory_name: str
    region_code: str
    version: int
    fingerprint: str
    status: str
    level: str = strawberry.field(description="the chain level holding the case")
    holder_region: str = strawberry.field(description="the unit holding it (GET /v1/units)")
    recommending_unit: str = strawberry.field(description="whose list it goes on")
    central_soe_group: str | None
    industry: str | None
    received_at: datetime
    read: strawberry.Private[models.CaseAnswer | None] = None

    @classmethod
    def of(cls, c: models.CaseSummaryAnswer) -> Case:
        return build(cls, c, read=c if isinstance(c, models.CaseAnswer) else None)

    @strawberry.field(description="Its history (the case read, batched)")
    async def history(self, info: Info) -> CaseHistoryResult:
        read = self.read or await info.context.loaders.case.load(uuid.UUID(self.declaration_id))
        if failed(read):
            return read
        return CaseHistory(transitions=[build(CaseTransition, t) for t in read.history])

    @strawberry.field(description="The declaration (declaration service)")
    async def declaration(self, info: Info) -> DeclarationResult:
        return await load_declaration(info, uuid.UUID(self.declaration_id))


CaseResult = result("CaseResult", Case)


async def load_case(info: Info, declaration_id: uuid.UUID) -> Any:
    found = await info.context.loaders.case.load(declaration_id)
    return found if failed(found) else Case.of(found)


# --- self-assessments (基础级) -------------------------------------------------------------


@strawberry.type(description="A 基础级 self-assessment (自评), as the rules judged it")
class SelfAssessment:
    id: strawberry.ID
    campaign_year: int
    enterprise_uscc: str
    enterprise_name: str
    region_code: str
    factory_name: str | None = strawberry.field(description="null: the enterprise as a whole")
    cmmm_level: int = strawberry.field(description="智能制造能力成熟度 (GB/T 39116)")
    outcome: str = strawberry.field(description="eligible | ineligible | incomplete")
    rules_edition: str
    source: str = strawberry.field(description="form | import:<import id>")
    central_soe_group: str | None
    created_at: datetime

    @strawberry.field(description="The enterprise, where it is registered (declaration service)")
    async def enterprise(self, info: Info) -> EnterpriseResult:
        return await load_enterprise(info, self.enterprise_uscc)


@strawberry.type(description="A rule of 基础级 that the self-assessment did not pass")
class SelfAssessmentFinding:
    rule_id: str | None
    clause: str | None
    severity: str | None
    status: str | None
    field: str | None
    message: str | None
    message_en: str | None


@strawberry.type(description="A self-assessment with what it declared and what the rules found")
class SelfAssessmentRecord(SelfAssessment):
    segments: JSON
    attestations: JSON
    kpis: JSON
    findings: list[SelfAssessmentFinding]
    created_by: str

    @classmethod
    def of(cls, a: models.SelfAssessmentRecordAnswer) -> SelfAssessmentRecord:
        return build(cls, a, findings=[build(SelfAssessmentFinding, f) for f in a.findings])


SelfAssessmentResult = result("SelfAssessmentResult", SelfAssessmentRecord)


# --- campaigns and deadlines ---------------------------------------------------------------


@strawberry.type(description="A deadline of a chain, in Beijing time, with its source")
class Deadline:
    level: str
    level_name: str
    closes_at: datetime = strawberry.field(description="the first late instant")
    last_day: date
    source: str
    clause: str
    clause_text: str
    note: str | None


@strawberry.type(description="A deadline that applies, and whether it has passed")
class ApplicableDeadline(Deadline):
    passed: bool


@strawberry.type(description="A jurisdiction's deadline chain for a tier")
class DeadlineChain:
    campaign_year: int
    jurisdiction: str = strawberry.field(description='GB/T 2260 prefix; "" = national')
    jurisdiction_key: str
    tier: str
    updated_by: str
    updated_at: datetime
    deadlines: list[Deadline]


@strawberry.type(description="A campaign (申报批次): its tiers, rules edition, parameters, chains")
class Campaign:
    year: int
    title: str
    rules_edition: str
    source: str = strawberry.field(description="the notice that opens it")
    open_tiers: list[str]
    quota_policy: str
    publicity_period: str
    cultivation_period: str
    updated_by: str
    updated_at: datetime
    deadline_chains: list[DeadlineChain]

    @classmethod
    def of(cls, c: models.CampaignAnswer) -> Campaign:
        chains = [
            build(DeadlineChain, ch, deadlines=[build(Deadline, d) for d in ch.deadlines])
            for ch in c.deadline_chains
        ]
        return build(cls, c, deadline_chains=chains, open_tiers=list(c.open_tiers))


@strawberry.type(description="The deadline chain of a tier that applies to a region")
class RegionDeadlines:
    campaign_year: int
    region: str
    tier: str
    jurisdiction: str | None = strawberry.field(description="the chain chosen; null: none")
    jurisdiction_key: str | None
    now: datetime = strawberry.field(description="the service clock, Beijing time")
    deadlines: list[ApplicableDeadline]

    @classmethod
    def of(cls, r: models.RegionDeadlinesAnswer) -> RegionDeadlines:
        return build(cls, r, deadlines=[build(ApplicableDeadline, d) for d in r.deadlines])


CampaignResult = result("CampaignResult", Campaign)
RegionDeadlinesResult = result("RegionDeadlinesResult", RegionDeadlines)
