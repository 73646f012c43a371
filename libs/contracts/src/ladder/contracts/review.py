"""Events the review service publishes: a case's status, lists submitted and published, the
experts who may read a declaration under review, and the 领航级 cultivation (培育) of each
declaration."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from ladder.contracts.registry import EventContract, register
from ladder.contracts.types import USCC, Fingerprint, Name, Reason, RegionCode, Tier, Unit

REVIEW_STATUS_CHANGED = "review.status_changed"
LIST_SUBMITTED = "review.list_submitted"
LIST_PUBLISHED = "review.list_published"
EXPERT_ACCESS_CHANGED = "review.expert_access_changed"
CULTIVATION_PREFIX = "cultivation."
CULTIVATION_EVENTS = (
    "started",
    "acceptance_applied",
    "forwarded",
    "initial_review_passed",
    "application_returned",
    "accepted",
    "failed",
    "expired",
)
CULTIVATION_REMINDER = "cultivation.reminder"
CULTIVATION_TOPICS = (*(CULTIVATION_PREFIX + e for e in CULTIVATION_EVENTS), CULTIVATION_REMINDER)

_SOME_DECLARATION = uuid.UUID("0a7c6f6e-3c1b-4c1e-9d0e-6a1f2b3c4d5e")
_AT = datetime(2025, 7, 20, 8, 30, tzinfo=UTC)


class StatusChanged(BaseModel):
    """A review case moved (受理, 转报, 退回修改, 推荐, 形式审查, 现场核查, 公示, 发布 …). On
    `returned_for_revision` the declaration service reopens the declaration, showing `reason`."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    declaration_id: uuid.UUID
    version: int = Field(ge=1)
    event: str = Field(max_length=60)
    status: str = Field(max_length=60)
    at: AwareDatetime
    reason: Reason | None = None
    recommending_unit: Unit | None = Field(
        default=None, description="where the case is routed: who may read the declaration"
    )


ExpertAccessCause = Literal[
    "assigned",
    "unassigned",
    "conflict_of_interest",
    "conflict_cleared",
    "account_changed",
    "review_ended",
]


class ExpertAccessChanged(BaseModel):
    """An expert's read access (专家查阅申报材料) to one submitted version of a declaration began
    (`granted`) or ended (`revoked`): the declaration service lets the expert read that version,
    its printed copy (PDF) and its attachments while the access lasts, and nothing after.

    `cause`: `assigned` (put on the case as reviewer or 现场核查 member, with no conflict of
    interest), `unassigned` (taken off), `conflict_of_interest` (a 回避 found after the
    assignment), `conflict_cleared` (that conflict no longer found), `account_changed` (the
    expert logs in under another `sub`), `review_ended` (the case left the expert review:
    decided or withdrawn)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    declaration_id: uuid.UUID
    version: int = Field(ge=1, description="the version under review: the only one readable")
    expert: Name = Field(description="the expert's account: the `sub` of their token")
    expert_id: uuid.UUID = Field(description="the expert in the review service's pool (专家库)")
    access: Literal["granted", "revoked"]
    cause: ExpertAccessCause
    at: AwareDatetime


class ListSubmitted(BaseModel):
    """A recommending unit submitted its ranked list (推荐汇总表) to the ministry."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    campaign_year: int = Field(ge=2024, le=2100)
    tier: Tier
    unit: Unit
    declaration_ids: list[uuid.UUID] = Field(max_length=10_000)
    sha256: Fingerprint = Field(description="SHA-256 of the submitted 推荐汇总表")
    at: AwareDatetime


class PublishedEntry(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    declaration_id: uuid.UUID
    version: int = Field(ge=1)
    enterprise_uscc: USCC
    enterprise_name: Name
    factory_name: Name
    region_code: RegionCode


class ListPublished(BaseModel):
    """The ministry published a tier's list (名单发布) after its 公示."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    campaign_year: int = Field(ge=2024, le=2100)
    tier: Tier
    published_at: AwareDatetime
    entries: list[PublishedEntry] = Field(max_length=10_000)


class CultivationChanged(BaseModel):
    """A 领航级 cultivation moved (`cultivation.<event>`), or a reminder before its period ends
    (`cultivation.reminder`, with `days_before` and `deadline`)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    declaration_id: uuid.UUID
    enterprise_uscc: USCC | None = None
    event: str = Field(max_length=60)
    status: str = Field(max_length=40)
    period_end: date
    at: AwareDatetime
    reason: Reason | None = None
    days_before: int | None = Field(default=None, ge=0, le=3650)
    deadline: AwareDatetime | None = None


register(
    EventContract(
        topic=REVIEW_STATUS_CHANGED,
        model=StatusChanged,
        producer="review",
        consumers=("declaration",),
        summary="A review case changed status; the declaration service mirrors it.",
        example=StatusChanged(
            declaration_id=_SOME_DECLARATION,
            version=1,
            event="returned_for_revision",
            status="returned_for_revision",
            at=_AT,
            reason="附件不全，请补充",
            recommending_unit="350100",
        ),
    )
)
register(
    EventContract(
        topic=EXPERT_ACCESS_CHANGED,
        model=ExpertAccessChanged,
        producer="review",
        consumers=("declaration",),
        summary="An expert's read access to a declaration version under review began or ended.",
        example=ExpertAccessChanged(
            declaration_id=_SOME_DECLARATION,
            version=1,
            expert="expert-zhang",
            expert_id=uuid.UUID("5b0e2f7a-9c1d-4e3f-8a2b-1c0d9e8f7a6b"),
            access="granted",
            cause="assigned",
            at=_AT,
        ),
    )
)
register(
    EventContract(
        topic=LIST_SUBMITTED,
        model=ListSubmitted,
        producer="review",
        consumers=("declaration",),
        summary="A recommendation list (推荐汇总表) was submitted to the ministry.",
        example=ListSubmitted(
            campaign_year=2025,
            tier="excellence",
            unit="350000",
            declaration_ids=[_SOME_DECLARATION],
            sha256="1" * 64,
            at=_AT,
        ),
    )
)
register(
    EventContract(
        topic=LIST_PUBLISHED,
        model=ListPublished,
        producer="review",
        consumers=("declaration",),
        summary="A tier's national list was published (名单发布).",
        example=ListPublished(
            campaign_year=2025,
            tier="excellence",
            published_at=_AT,
            entries=[
                PublishedEntry(
                    declaration_id=_SOME_DECLARATION,
                    version=1,
                    enterprise_uscc="91350100M000100Y43",
                    enterprise_name="福州示例智能制造有限公司",
                    factory_name="福州示例工厂",
                    region_code="350102",
                )
            ],
        ),
    )
)
for _event in CULTIVATION_EVENTS:
    register(
        EventContract(
            topic=CULTIVATION_PREFIX + _event,
            model=CultivationChanged,
            producer="review",
            consumers=("declaration",),
            summary=f"A 领航级 cultivation (培育): {_event}.",
            example=CultivationChanged(
                declaration_id=_SOME_DECLARATION,
                enterprise_uscc="91350100M000100Y43",
                event=_event,
                status="cultivating" if _event == "started" else _event,
                period_end=date(2027, 9, 30),
                at=_AT,
            ),
        )
    )
register(
    EventContract(
        topic=CULTIVATION_REMINDER,
        model=CultivationChanged,
        producer="review",
        consumers=("declaration",),
        summary="A reminder before a 领航级 cultivation period ends (90 / 30 days).",
        example=CultivationChanged(
            declaration_id=_SOME_DECLARATION,
            enterprise_uscc="91350100M000100Y43",
            event="reminder",
            status="cultivating",
            period_end=date(2027, 9, 30),
            at=_AT,
            days_before=90,
            deadline=datetime(2027, 9, 30, 15, 59, 59, tzinfo=UTC),
        ),
    )
)
