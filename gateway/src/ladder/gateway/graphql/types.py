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
)
from ladder.kit.auth import Principal
from ladder.kit.auth import Role as KitRole

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


@strawberry.type(description="The caller's organisation, as the identity service holds it")
class Organisation:
    id: strawberry.ID
    kind: str = strawberry.field(description="enterprise, authority, …")
    role: str
    name: str
    region: str | None
    uscc: str | None
    status: str


@strawberry.type(description="The caller's account at the identity service")
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
    def of(cls, me: models.MeAnswer) -> Account:
        return build(cls, me.user, organisation=build(Organisation, me.organisation))


AccountResult = result("AccountResult", Account)


@strawberry.type(description="The verified caller")
class Viewer:
    sub: str
    role: Role  # type: ignore[valid-type]
    name: str
    org: str | None = strawberry.field(description="enterprise USCC or SOE group id")
    region: str | None = strawberry.field(description="GB/T 2260 code of the jurisdiction")

    @classmethod
    def from_principal(cls, principal: Principal) -> Viewer:
        return cls(
            sub=principal.sub,
            role=Role(principal.role.value),
            name=principal.name,
            org=principal.org,
            region=principal.region,
        )

    @strawberry.field(
        description="The person's account and organisation (identity service); `Forbidden` "
        "for a token that is not an account's (a service, a machine client)"
    )
    async def account(self, info: Info) -> AccountResult:
        me = await info.context.loaders.me.load("me")
        return me if failed(me) else Account.of(me)


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
