"""A factory's 基础级 self-assessment for a campaign year, and the record of each bulk import.

One self-assessment per (enterprise, campaign year, factory): a later one for the same key
replaces it, so the row is "the factory's 基础级 self-assessment for that year". `factory_name`
is '' when the enterprise assesses itself as a whole (a NULL would not take part in the
uniqueness).

Text columns that are listed or searched by prefix use the "C" collation: code-point order is
what a keyset cursor needs (total and stable), and it lets a btree answer a prefix range
(`region_code` 35…, `enterprise_name` 福州…) without pattern operator classes.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from ladder.declaration.settings import SCHEMA

OUTCOMES = ("eligible", "ineligible", "incomplete")
_OUTCOME_LIST = ", ".join(f"'{o}'" for o in OUTCOMES)


def _c(length: int, **kw: Any) -> Column:
    return Column(String(length, collation="C"), nullable=False, **kw)


def _jsonb(default: str) -> Any:
    return Field(sa_column=Column(JSONB, nullable=False, server_default=text(default)))


class SelfAssessment(SQLModel, table=True):
    __tablename__ = "self_assessment"
    __table_args__ = (
        UniqueConstraint("enterprise_uscc", "campaign_year", "factory_name"),
        # Listing by region (a province's prefix is a range of this index) and by name prefix;
        # both end with the unique key, so the keyset cursor is the index order itself.
        Index(
            "ix_self_assessment_by_region",
            "campaign_year",
            "region_code",
            "enterprise_uscc",
            "factory_name",
        ),
        Index(
            "ix_self_assessment_by_name",
            "campaign_year",
            "enterprise_name",
            "enterprise_uscc",
            "factory_name",
        ),
        # A group HQ lists its group's imports by region (a partial index: most rows have none).
        Index(
            "ix_self_assessment_by_group",
            "campaign_year",
            "central_soe_group",
            "region_code",
            "enterprise_uscc",
            "factory_name",
            postgresql_where=text("central_soe_group IS NOT NULL"),
        ),
        CheckConstraint("cmmm_level BETWEEN 1 AND 5", name="cmmm_level_range"),
        CheckConstraint(f"outcome IN ({_OUTCOME_LIST})", name="outcome_known"),
        CheckConstraint("source = 'form' OR source LIKE 'import:%'", name="source_known"),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    campaign_year: int = Field(
        sa_column=Column(Integer, ForeignKey(f"{SCHEMA}.campaign.year"), nullable=False)
    )
    enterprise_uscc: str = Field(sa_column=_c(18), description="统一社会信用代码")
    enterprise_name: str = Field(sa_column=_c(200))
    region_code: str = Field(sa_column=_c(6), description="GB/T 2260 registered region")
    factory_name: str = Field(
        sa_column=_c(200, server_default=text("''")),
        description="'' when the enterprise assesses itself as a whole",
    )
    cmmm_level: int = Field(sa_column=Column(SmallInteger, nullable=False))
    segments: list[dict[str, Any]] = _jsonb("'[]'::jsonb")  # [{segment, built}]
    attestations: dict[str, bool] = _jsonb("'{}'::jsonb")  # 基础要求 fact key → attested
    kpis: dict[str, float | None] = _jsonb("'{}'::jsonb")  # key → value, null = 不适用
    outcome: str = Field(max_length=20, description="the rules' answer for 基础级")
    rules_edition: str = Field(max_length=20)
    findings: list[dict[str, Any]] = _jsonb("'[]'::jsonb")  # what did not pass, bounded
    source: str = Field(max_length=60, description="form | import:<import id>")
    central_soe_group: str | None = Field(
        default=None,
        sa_column=Column(String(18, collation="C"), nullable=True),
        description="the central-SOE group HQ (USCC) whose import wrote it (251号 一(一))",
    )
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now()),
        default=None,
    )


class SelfAssessmentImport(SQLModel, table=True):
    """One file a province (or the ministry) imported: accepted whole, or rejected whole."""

    __tablename__ = "self_assessment_import"
    __table_args__ = (
        CheckConstraint("status IN ('accepted', 'rejected')", name="status_known"),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    campaign_year: int = Field(
        sa_column=Column(Integer, ForeignKey(f"{SCHEMA}.campaign.year"), nullable=False)
    )
    created_by: str = Field(max_length=200)
    jurisdiction: str = Field(
        max_length=6, description="the importer's region prefix ('' = nationwide)"
    )
    central_soe_group: str | None = Field(
        default=None,
        max_length=18,
        description="the importing group HQ's USCC: its rows are its group's enterprises",
    )
    file_name: str | None = Field(default=None, max_length=255)
    file_sha256: str = Field(max_length=64)
    content_type: str = Field(max_length=100)
    byte_size: int
    row_count: int = Field(description="data rows read (header excluded)")
    status: str = Field(max_length=20)
    rules_edition: str = Field(max_length=20)
    outcomes: dict[str, int] = _jsonb("'{}'::jsonb")  # eligible/ineligible/incomplete → rows
    error_count: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    errors: list[dict[str, Any]] = _jsonb("'[]'::jsonb")  # the first errors (capped)
    written: int = Field(
        default=0,
        sa_column_kwargs={"server_default": text("0")},
        description="self-assessments inserted or replaced",
    )
    created_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now()),
        default=None,
    )
