"""Organisations: the actors of the process (an enterprise, a recommending/reviewing unit, the
ministry, the expert pool). A user's token claims come from their organisation, never from
what the user typed: `role` from `role`, `org` from `uscc`, `region` from `region`."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from sqlalchemy import CheckConstraint, Index, text
from sqlmodel import Field

from ladder.identity.settings import SCHEMA
from ladder.kit.concurrency import Versioned
from ladder.kit.db import timestamp_field


class OrgKind(StrEnum):
    enterprise = "enterprise"  # 申报企业 (its USCC)
    unit = (
        "unit"  # 推荐/初审单位 from the units registry (county, city, province, zone, 管委会, XPCC)
    )
    central_soe_hq = "central_soe_hq"  # 中央企业集团总部 (its group's USCC)
    ministry = "ministry"  # 工业和信息化部 (and the ministries it works with)
    expert_pool = "expert_pool"  # 专家库


class OrgStatus(StrEnum):
    pending = "pending"  # an enterprise's registration awaiting its authority
    active = "active"
    rejected = "rejected"
    deactivated = "deactivated"


class Organisation(Versioned, table=True):
    etag_kind: ClassVar[str] = "organisation"

    __tablename__ = "organisation"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('enterprise', 'unit', 'central_soe_hq', 'ministry', 'expert_pool')",
            name="kind_known",
        ),
        CheckConstraint(
            "status IN ('pending', 'active', 'rejected', 'deactivated')", name="status_known"
        ),
        # One live organisation per enterprise (a rejected registration may be filed again).
        Index(
            "uq_organisation_enterprise_uscc",
            "uscc",
            unique=True,
            postgresql_where=text("kind = 'enterprise' AND status IN ('pending', 'active')"),
        ),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    kind: str = Field(max_length=20)
    role: str = Field(max_length=20, description="the token's role (ladder.kit.auth.Role)")
    name: str = Field(max_length=200)
    uscc: str | None = Field(
        default=None, max_length=18, index=True, description="统一社会信用代码"
    )
    region: str | None = Field(
        default=None,
        max_length=30,
        description="the token's region: a unit's id (350102, 350128, xpcc, sh-lingang) or an "
        "enterprise's GB/T 2260 code (its county)",
    )
    parent_id: uuid.UUID | None = Field(
        default=None,
        foreign_key=f"{SCHEMA}.organisation.id",
        description="the organisation that created it, or approves it (an enterprise's authority)",
    )
    status: str = Field(max_length=12)
    status_reason: str | None = Field(default=None, max_length=500)
    contact_name: str | None = Field(default=None, max_length=100)
    contact_email: str | None = Field(default=None, max_length=254)
    contact_phone: str | None = Field(default=None, max_length=30)
    created_by: str = Field(max_length=200)
    decided_by: str | None = Field(default=None, max_length=200)
    decided_at: datetime | None = timestamp_field(nullable=True)
    created_at: datetime | None = timestamp_field()
    updated_at: datetime | None = timestamp_field()
