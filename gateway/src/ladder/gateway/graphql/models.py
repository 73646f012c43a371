"""What the gateway reads of the services' answers, as pydantic models of its own.

A service never imports another, and the gateway imports none: these models say which fields
of each answer GraphQL reads and of what type (a service's schemas.py may have more; what is
not named here is ignored). Every answer is parsed whole, strictly (JSON types as they are:
no "2025" for a year), before anything of it is shown; one that does not parse is the typed
`UpstreamFailed` of its field, never a null or a missing item.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True, frozen=True)


class Page(Answer, Generic[T]):
    """`ladder.kit.pagination.Page`: a page of a list with page/page_size."""

    items: list[T]
    total: int
    page: int
    page_size: int


# --- identity ---------------------------------------------------------------------------


class AccountAnswer(Answer):
    id: uuid.UUID
    username: str
    email: str
    display_name: str
    org_role: str
    status: str
    mfa_enrolled: bool
    last_sign_in_at: datetime | None


class OrganisationAnswer(Answer):
    id: uuid.UUID
    kind: str
    role: str
    name: str
    region: str | None
    uscc: str | None
    status: str


class ClaimsAnswer(Answer):
    role: str
    org: str | None = None
    region: str | None = None


class MeAnswer(Answer):
    """identity `GET /v1/me`."""

    user: AccountAnswer
    organisation: OrganisationAnswer
    claims: ClaimsAnswer


# --- declaration: enterprises and declarations --------------------------------------------


class ContactAnswer(Answer):
    name: str
    role: str | None = None
    mobile: str


class EnterpriseAnswer(Answer):
    """declaration `GET /v1/enterprises/{uscc}` and each of `GET /v1/enterprises?uscc=`."""

    id: uuid.UUID
    uscc: str
    name: str
    region_code: str
    region_name: str | None = None
    address: str | None
    nature: str | None
    industry: str | None
    operating_regions: list[str]
    above_scale: bool | None
    legal_form: str | None
    central_soe_group: str | None
    contacts: list[ContactAnswer]
    created_at: datetime
    updated_at: datetime | None = None


class FindingAnswer(Answer):
    rule_id: str
    clause: str
    severity: str
    status: str
    passed: bool
    field: str | None = None
    fact: str | None = None
    overlay: str | None = None
    message: str
    message_en: str
    expected: Any = None
    actual: Any = None


class MarkingWarningAnswer(Answer):
    field: str
    marking: str
    message: str
    message_en: str


class PrecheckAnswer(Answer):
    """A declaration's `last_precheck`: the rules service's answer as the declaration kept it."""

    edition: str
    tier: str
    outcome: str
    eligible: bool
    complete: bool
    findings: list[FindingAnswer]
    overlays: list[str] = Field(default_factory=list)
    warnings: list[MarkingWarningAnswer] = Field(default_factory=list)


class ReviewStatusAnswer(Answer):
    status: str
    event: str
    version: int
    at: datetime
    reason: str | None = None


class ReminderAnswer(Answer):
    days_before: int | None
    deadline: datetime | None
    at: datetime


class CultivationStatusAnswer(Answer):
    status: str
    event: str
    period_end: date
    at: datetime
    reason: str | None = None
    reminder: ReminderAnswer | None = None


class DeclarationAnswer(Answer):
    """declaration `GET /v1/declarations/{id}` and each item of `GET /v1/declarations`."""

    id: uuid.UUID
    campaign_year: int
    tier: str
    status: str
    enterprise_uscc: str
    enterprise_name: str
    factory_id: uuid.UUID
    factory_name: str
    region_code: str
    facts: dict[str, Any]
    etag: str
    last_precheck: PrecheckAnswer | None
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    current_version: int | None = None
    current_fingerprint: str | None = None
    review_status: ReviewStatusAnswer | None = None
    cultivation_status: CultivationStatusAnswer | None = None


# --- review: cases ----------------------------------------------------------------------


class CaseSummaryAnswer(Answer):
    """review: an item of `GET /v1/inbox`."""

    declaration_id: uuid.UUID
    tier: str
    campaign_year: int
    enterprise_uscc: str
    enterprise_name: str
    factory_name: str
    region_code: str
    version: int
    fingerprint: str
    status: str
    level: str
    holder_region: str
    recommending_unit: str
    central_soe_group: str | None
    industry: str | None
    received_at: datetime


class CaseTransitionAnswer(Answer):
    event: str
    from_status: str | None
    to_status: str
    actor: str
    reason: str | None
    version: int | None
    level: str | None
    holder_region: str | None
    at: datetime


class CaseAnswer(CaseSummaryAnswer):
    """review `GET /v1/cases/{declaration_id}` and each of `GET /v1/cases?declaration_id=`."""

    details: dict[str, Any]
    submitted_at: datetime
    updated_at: datetime
    etag: str
    history: list[CaseTransitionAnswer]
