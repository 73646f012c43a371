"""A campaign (申报批次): the year, which tiers it opens, which rules edition it uses, the named
quota policy, 公示 period and cultivation period the other services apply, and its deadline
chains (截止时间) per jurisdiction and tier.

The meaning of a deadline (levels, Beijing time, "X日前", longest prefix, one chain per tier) is
written down in `campaigns/deadlines.py`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from ladder.declaration.campaigns.deadlines import LEVELS, jurisdiction_key
from ladder.declaration.settings import SCHEMA
from ladder.declaration.vocabulary import Tier
from ladder.kit.concurrency import Versioned

_LEVEL_LIST = ", ".join(f"'{level.value}'" for level in LEVELS)
_TIER_LIST = ", ".join(f"'{tier.value}'" for tier in Tier)


class Campaign(Versioned, table=True):
    """A campaign; its row version is the ETag a `PATCH` must send (If-Match)."""

    etag_kind: ClassVar[str] = "campaign"

    __tablename__ = "campaign"
    __table_args__ = ({"schema": SCHEMA},)

    year: int = Field(primary_key=True)
    title: str = Field(max_length=200)
    rules_edition: str = Field(max_length=20, description="要素条件 edition used for checks")
    source: str = Field(max_length=200, description="the notice that opened it")
    open_tiers: list[str] = Field(sa_column=Column(JSONB, nullable=False))
    quota_policy: str = Field(max_length=40, description="the rules service's quota policy id")
    publicity_period: str = Field(
        max_length=40, description="the review service's named 公示 period"
    )
    cultivation_period: str = Field(
        max_length=40, description="the review service's named 领航级 cultivation period"
    )
    created_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    )
    updated_by: str = Field(max_length=200)
    updated_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))

    def etag_ident(self) -> object:
        return self.year


class CampaignRevision(SQLModel, table=True):
    """Every version of a campaign's own fields as written: what, who, when."""

    __tablename__ = "campaign_revision"
    __table_args__ = (Index(None, "campaign_year"), {"schema": SCHEMA})

    id: int | None = Field(default=None, primary_key=True)
    campaign_year: int
    row_version: int
    fields: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    changed: list[str] = Field(
        sa_column=Column(JSONB, nullable=False), description="the fields this revision changed"
    )
    changed_by: str = Field(max_length=200)
    changed_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class DeadlineChain(Versioned, table=True):
    """One jurisdiction's deadline chain for one tier in a campaign; its row version is the
    ETag."""

    etag_kind: ClassVar[str] = "deadlines"

    __tablename__ = "campaign_deadline_chain"
    __table_args__ = (
        CheckConstraint("jurisdiction ~ '^([0-9]{2}){0,3}$'", name="jurisdiction_prefix"),
        CheckConstraint(f"tier IN ({_TIER_LIST})", name="tier_known"),
        {"schema": SCHEMA},
    )

    campaign_year: int = Field(
        sa_column=Column(Integer, ForeignKey(f"{SCHEMA}.campaign.year"), primary_key=True)
    )
    jurisdiction: str = Field(
        primary_key=True, max_length=6, description='GB/T 2260 prefix; "" = national default'
    )
    tier: str = Field(primary_key=True, max_length=20, description="the tier it applies to")
    updated_by: str = Field(max_length=200)
    updated_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))

    def etag_ident(self) -> object:
        return f"{self.campaign_year}-{jurisdiction_key(self.jurisdiction)}-{self.tier}"


class Deadline(SQLModel, table=True):
    """One level's deadline in a chain, with the clause it comes from quoted beside it."""

    __tablename__ = "campaign_deadline"
    __table_args__ = (
        ForeignKeyConstraint(
            ["campaign_year", "jurisdiction", "tier"],
            [
                f"{SCHEMA}.campaign_deadline_chain.campaign_year",
                f"{SCHEMA}.campaign_deadline_chain.jurisdiction",
                f"{SCHEMA}.campaign_deadline_chain.tier",
            ],
            ondelete="CASCADE",
        ),
        CheckConstraint(f"level IN ({_LEVEL_LIST})", name="level_known"),
        {"schema": SCHEMA},
    )

    campaign_year: int = Field(primary_key=True)
    jurisdiction: str = Field(primary_key=True, max_length=6)
    tier: str = Field(primary_key=True, max_length=20)
    level: str = Field(primary_key=True, max_length=20)
    closes_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False),
        description="first late instant; in time means strictly before it",
    )
    source: str = Field(max_length=200, description="the notice, e.g. 工信厅联通装函〔2025〕251号")
    clause: str = Field(max_length=100, description="e.g. 二(二)1")
    clause_text: str = Field(sa_column=Column(Text, nullable=False))
    note: str | None = Field(default=None, max_length=500)


class DeadlineChainRevision(SQLModel, table=True):
    """Every version of a chain as written: what it said, who wrote it, when."""

    __tablename__ = "campaign_deadline_revision"
    __table_args__ = (
        Index(None, "campaign_year", "jurisdiction"),
        {"schema": SCHEMA},
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_year: int
    jurisdiction: str = Field(max_length=6)
    tier: str = Field(max_length=20)
    row_version: int
    deadlines: list[dict[str, Any]] = Field(sa_column=Column(JSONB, nullable=False))
    changed_by: str = Field(max_length=200)
    changed_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
