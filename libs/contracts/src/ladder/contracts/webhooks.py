"""The public events other platforms subscribe to (webhooks), each versioned, with its JSON
Schema published under `docs/webhooks/` (`python -m ladder.contracts.export`).

These are Ladder's outside contract, kept apart from the events between Ladder's own services
(`ladder.contracts.review`, `.declaration`): an internal payload may change with a release, a
public one only by a new `version` of its type, announced beside the old one. Each message a
subscriber receives is the envelope `WebhookMessage`:

    {"type": "declaration.submitted", "version": 1, "id": "<event id>",
     "timestamp": "2025-07-20T08:30:00+00:00", "data": {…the type's model…}}

`id` is also the `webhook-id` header (the same on every retry and replay: dedupe on it);
`timestamp` is when the change happened in Ladder (not when it was sent).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from ladder.contracts.types import USCC, Name, Reason, RegionCode, Tier, Unit

_DECLARATION = uuid.UUID("0a7c6f6e-3c1b-4c1e-9d0e-6a1f2b3c4d5e")
_AT = datetime(2025, 7, 20, 8, 30, tzinfo=UTC)
_USCC = "91350100M000100Y43"


class _Public(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class CaseRef(_Public):
    """Which declaration, and where: what every declaration-level event carries."""

    declaration_id: uuid.UUID
    version: int = Field(ge=1, description="the submitted version (申报书版本)")
    campaign_year: int = Field(ge=2024, le=2100)
    tier: Tier
    enterprise_uscc: USCC
    enterprise_name: Name
    factory_name: Name
    region_code: RegionCode
    recommending_unit: Unit | None = Field(
        default=None, description="where the case is routed (province, `xpcc`, `soe:<USCC>`)"
    )


class DeclarationSubmitted(CaseRef):
    """An enterprise submitted a declaration (申报); its case starts at the first level."""

    submitted_at: AwareDatetime
    fingerprint: str = Field(description="SHA-256 of the submitted version's content")


class DeclarationWithdrawn(CaseRef):
    """The enterprise withdrew its declaration (撤回)."""

    at: AwareDatetime
    reason: Reason | None = None


class DeclarationReturned(CaseRef):
    """An authority returned the declaration for revision (退回修改), with its reason."""

    at: AwareDatetime
    reason: Reason | None = None
    level: str | None = Field(default=None, description="the level that returned it")


class CaseStatusChanged(CaseRef):
    """A review case moved (受理, 转报, 退回修改, 推荐, 形式审查, 现场核查, 公示, 发布 …)."""

    event: str = Field(max_length=60, description="what happened (forwarded, recommended …)")
    status: str = Field(max_length=60, description="the case's status after it")
    level: str | None = Field(default=None, description="the level now holding the case")
    at: AwareDatetime
    reason: Reason | None = None


class ListSubmitted(_Public):
    """A recommending unit submitted its 推荐汇总表 to the ministries."""

    campaign_year: int = Field(ge=2024, le=2100)
    tier: Tier
    unit: Unit
    declaration_ids: list[uuid.UUID] = Field(max_length=10_000, description="in rank order")
    sha256: str = Field(description="of the frozen 推荐汇总表 workbook")
    at: AwareDatetime


class ListedFactory(_Public):
    declaration_id: uuid.UUID
    enterprise_name: Name
    factory_name: Name
    region_code: RegionCode


class PublicityOpened(_Public):
    """The ministries opened a 公示 of the factories they intend to list."""

    campaign_year: int = Field(ge=2024, le=2100)
    tier: Tier
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    entries: list[ListedFactory] = Field(max_length=10_000)


class PublicityClosed(_Public):
    """The 公示 closed; `published` of its entries went on the list, `withdrawn` did not."""

    campaign_year: int = Field(ge=2024, le=2100)
    tier: Tier
    closed_at: AwareDatetime
    published: int = Field(ge=0)
    withdrawn: int = Field(ge=0)


class DecisionPublished(_Public):
    """The ministries published the list (发布名单) of a tier."""

    campaign_year: int = Field(ge=2024, le=2100)
    tier: Tier
    published_at: AwareDatetime
    entries: list[ListedFactory] = Field(max_length=10_000)


class CultivationChanged(CaseRef):
    """A 领航级 cultivation (培育) started, was reminded of its deadline, was accepted (验收
    通过) or expired (培育期满未验收)."""

    event: str = Field(max_length=60)
    status: str = Field(max_length=40)
    period_end: date = Field(description="the cultivation period's last day (≤ 2 years)")
    at: AwareDatetime
    days_before: int | None = Field(default=None, description="reminders: days left")
    deadline: AwareDatetime | None = None
    reason: Reason | None = None


class WebhookMessage(_Public):
    """The body of every webhook request."""

    type: str = Field(description="the event type, e.g. `declaration.submitted`")
    version: int = Field(ge=1, description="the version of the type's `data` schema")
    id: uuid.UUID = Field(description="the event's id; also the `webhook-id` header")
    timestamp: AwareDatetime = Field(description="when it happened in Ladder")
    data: dict[str, Any]


@dataclass(frozen=True)
class PublicEventType:
    """One public type: its `data` model, a valid example, and whom it goes to."""

    type: str
    model: type[BaseModel]
    example: BaseModel
    summary: str
    scope: str = "case"
    """`case`: to the subscribers whose jurisdiction covers the case; `list`: to those who may
    read the list (its unit, the ministry); `public`: to every subscriber (it is published)."""
    version: int = 1

    def schema(self) -> dict[str, Any]:
        doc = self.model.model_json_schema(mode="serialization")
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"https://ladder.invalid/webhooks/{self.type}.v{self.version}.json",
            "x-event-type": self.type,
            "x-version": self.version,
            "x-audience": self.scope,
            "description": self.summary,
            **doc,
        }


_CASE = CaseRef(
    declaration_id=_DECLARATION,
    version=1,
    campaign_year=2025,
    tier="excellence",
    enterprise_uscc=_USCC,
    enterprise_name="福州某某智能制造有限公司",
    factory_name="福州某某智能工厂",
    region_code="350102",
    recommending_unit="350000",
).model_dump()
_LISTED = ListedFactory(
    declaration_id=_DECLARATION,
    enterprise_name="福州某某智能制造有限公司",
    factory_name="福州某某智能工厂",
    region_code="350102",
)

_TYPES = [
    PublicEventType(
        "declaration.submitted",
        DeclarationSubmitted,
        DeclarationSubmitted(**_CASE, submitted_at=_AT, fingerprint="0" * 64),
        "An enterprise submitted a declaration (申报)",
    ),
    PublicEventType(
        "declaration.withdrawn",
        DeclarationWithdrawn,
        DeclarationWithdrawn(**_CASE, at=_AT, reason="企业主动撤回"),
        "The enterprise withdrew its declaration (撤回)",
    ),
    PublicEventType(
        "declaration.returned",
        DeclarationReturned,
        DeclarationReturned(**_CASE, at=_AT, reason="请补充场景实例说明", level="county"),
        "An authority returned the declaration for revision (退回修改)",
    ),
    PublicEventType(
        "case.status_changed",
        CaseStatusChanged,
        CaseStatusChanged(**_CASE, event="forwarded", status="pending_initial", at=_AT),
        "A review case changed status",
    ),
    PublicEventType(
        "list.submitted",
        ListSubmitted,
        ListSubmitted(
            campaign_year=2025,
            tier="excellence",
            unit="350000",
            declaration_ids=[_DECLARATION],
            sha256="0" * 64,
            at=_AT,
        ),
        "A recommending unit submitted its 推荐汇总表",
        scope="list",
    ),
    PublicEventType(
        "publicity.opened",
        PublicityOpened,
        PublicityOpened(
            campaign_year=2025, tier="excellence", starts_at=_AT, ends_at=_AT, entries=[_LISTED]
        ),
        "A 公示 opened",
        scope="public",
    ),
    PublicEventType(
        "publicity.closed",
        PublicityClosed,
        PublicityClosed(
            campaign_year=2025, tier="excellence", closed_at=_AT, published=1, withdrawn=0
        ),
        "A 公示 closed",
        scope="public",
    ),
    PublicEventType(
        "decision.published",
        DecisionPublished,
        DecisionPublished(
            campaign_year=2025, tier="excellence", published_at=_AT, entries=[_LISTED]
        ),
        "The ministries published a tier's list (发布名单)",
        scope="public",
    ),
    *(
        PublicEventType(
            f"cultivation.{name}",
            CultivationChanged,
            CultivationChanged(
                **{**_CASE, "tier": "pilot"},
                event=event,
                status=status,
                period_end=date(2027, 7, 19),
                at=_AT,
            ),
            f"A 领航级 cultivation {summary}",
        )
        for name, event, status, summary in (
            ("started", "started", "cultivating", "started (培育期开始)"),
            ("reminded", "reminder", "cultivating", "was reminded of its deadline"),
            ("accepted", "accepted", "accepted", "passed acceptance (验收通过)"),
            ("expired", "expired", "expired", "ended without acceptance (培育期满)"),
        )
    ),
]

PUBLIC_TYPES: dict[str, PublicEventType] = {}
for _t in _TYPES:
    assert _t.type not in PUBLIC_TYPES, _t.type
    _t.model.model_validate(_t.example.model_dump(mode="json"))
    PUBLIC_TYPES[_t.type] = _t


def message(event_type: str, event_id: uuid.UUID, at: datetime, data: BaseModel) -> dict[str, Any]:
    """The webhook body for `data` of `event_type` (validated against the type's model)."""
    public = PUBLIC_TYPES[event_type]
    checked = public.model.model_validate(data.model_dump(mode="json"))
    return WebhookMessage(
        type=event_type,
        version=public.version,
        id=event_id,
        timestamp=at,
        data=checked.model_dump(mode="json", exclude_none=True),
    ).model_dump(mode="json")
