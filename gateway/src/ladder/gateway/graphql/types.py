"""GraphQL types: the gateway's read model, separate from any service's tables or schemas.

Upstream JSON is parsed defensively: a missing or mistyped field is null, an item without an
id is dropped (and logged), so one odd record does not fail a whole page.
"""

import enum
import logging
from datetime import datetime
from typing import Any

import strawberry

from ladder.kit.auth import Principal
from ladder.kit.auth import Role as KitRole

log = logging.getLogger("ladder.gateway.graphql")

# A copy of the kit's roles for GraphQL, so the kit's own enum is not decorated by strawberry.
Role = strawberry.enum(
    enum.Enum("Role", {r.name: r.value for r in KitRole}), name="Role", description="kind of caller"
)


@strawberry.type(description="The verified caller")
class Viewer:
    sub: str
    role: Role  # type: ignore[valid-type]
    name: str
    org: str | None = strawberry.field(description="enterprise USCC or SOE group id")
    region: str | None = strawberry.field(description="GB/T 2260 code of the jurisdiction")

    @classmethod
    def from_principal(cls, principal: Principal) -> "Viewer":
        return cls(
            sub=principal.sub,
            role=Role(principal.role.value),
            name=principal.name,
            org=principal.org,
            region=principal.region,
        )


@strawberry.type(description="A declaration (申报书) as the caller may see it")
class Declaration:
    id: strawberry.ID
    status: str | None
    tier: str | None = strawberry.field(description="basic | advanced | excellence | pilot")
    factory_name: str | None
    enterprise_name: str | None
    campaign_year: int | None


@strawberry.type
class DeclarationPage:
    items: list[Declaration]
    total: int
    page: int
    page_size: int


@strawberry.type(description="A declaration waiting in the caller's review inbox")
class InboxItem:
    declaration_id: strawberry.ID
    tier: str | None
    enterprise_name: str | None
    factory_name: str | None
    region_code: str | None
    status: str | None
    received_at: datetime | None


@strawberry.type
class InboxPage:
    items: list[InboxItem]
    total: int
    page: int
    page_size: int


def declaration_page(body: dict[str, Any], page: int, page_size: int) -> DeclarationPage:
    items = [
        Declaration(
            id=strawberry.ID(str(raw["id"])),
            status=_str(raw, "status"),
            tier=_str(raw, "tier"),
            factory_name=_str(raw, "factory_name"),
            enterprise_name=_str(raw, "enterprise_name"),
            campaign_year=_int(raw, "campaign_year"),
        )
        for raw in _items(body, "id")
    ]
    return DeclarationPage(
        items=items,
        total=_int(body, "total") or len(items),
        page=_int(body, "page") or page,
        page_size=_int(body, "page_size") or page_size,
    )


def inbox_page(body: dict[str, Any], page: int, page_size: int) -> InboxPage:
    items = [
        InboxItem(
            declaration_id=strawberry.ID(str(raw["declaration_id"])),
            tier=_str(raw, "tier"),
            enterprise_name=_str(raw, "enterprise_name"),
            factory_name=_str(raw, "factory_name"),
            region_code=_str(raw, "region_code"),
            status=_str(raw, "status"),
            received_at=_datetime(raw, "received_at"),
        )
        for raw in _items(body, "declaration_id")
    ]
    return InboxPage(
        items=items,
        total=_int(body, "total") or len(items),
        page=_int(body, "page") or page,
        page_size=_int(body, "page_size") or page_size,
    )


def _items(body: dict[str, Any], id_key: str) -> list[dict[str, Any]]:
    raw = body.get("items")
    if not isinstance(raw, list):
        return []
    good = [i for i in raw if isinstance(i, dict) and isinstance(i.get(id_key), str | int)]
    if len(good) != len(raw):
        log.warning("dropped %d upstream items without %s", len(raw) - len(good), id_key)
    return good


def _str(raw: dict[str, Any], key: str) -> str | None:
    value = raw.get(key)
    return value if isinstance(value, str) else None


def _int(raw: dict[str, Any], key: str) -> int | None:
    value = raw.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _datetime(raw: dict[str, Any], key: str) -> datetime | None:
    value = raw.get(key)
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
