"""The register of recognised tiers (认定记录) and the record of each import of earlier lists.

A recognition is per factory, with its enterprise's USCC: (enterprise USCC, factory name) is
the key, because that is how every source names a factory — a self-assessment names it, the
published and provincial lists (名单) carry 申报单位名称 and 工厂/项目名称, and an imported list
of an earlier year names factories that may not yet exist in Ladder. Where the source is a
declaration (a submitted 先进级 list, a published 卓越级 list, an accepted 领航级 cultivation)
the declaration's factory is also kept (`factory_id`). `factory_name` '' is the enterprise as
a whole (a self-assessment of the enterprise, not of one factory). One entry per factory, tier
and year: the first source that recognises it is kept, a second one changes nothing.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from ladder.declaration.settings import SCHEMA
from ladder.kit.db import timestamp_field

TIERS = ("basic", "advanced", "excellence", "pilot")
SOURCES = ("self_assessment", "list_submission", "publication", "acceptance", "import")


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


class Recognition(SQLModel, table=True):
    __tablename__ = "recognition"
    __table_args__ = (
        UniqueConstraint("enterprise_uscc", "factory_name", "tier", "year"),
        Index("ix_recognition_by_region", "region_code", "enterprise_uscc"),
        CheckConstraint(f"tier IN ({_in(TIERS)})", name="tier_known"),
        CheckConstraint(f"source_kind IN ({_in(SOURCES)})", name="source_known"),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    enterprise_uscc: str = Field(
        sa_column=Column(String(18, collation="C"), nullable=False), description="统一社会信用代码"
    )
    enterprise_name: str = Field(max_length=200)
    factory_name: str = Field(
        sa_column=Column(String(200, collation="C"), nullable=False, server_default=text("''")),
        description="'' for the enterprise as a whole",
    )
    factory_id: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(ForeignKey(f"{SCHEMA}.factory.id"), nullable=True, index=True),
        description="the declaration's factory, where the source is a declaration",
    )
    region_code: str = Field(max_length=6, description="GB/T 2260 region of the factory")
    tier: str = Field(max_length=20)
    year: int = Field(sa_column=Column(Integer, nullable=False), description="year recognised")
    authority: str = Field(
        max_length=40,
        description="who recognised it: a unit (350000, xpcc, soe:<USCC>), ministry, or self",
    )
    source_kind: str = Field(max_length=20)
    source_ref: str = Field(
        max_length=200,
        description="self-assessment id, unit:list sha256, published_at, declaration id, or "
        "the imported list's document number",
    )
    declaration_id: uuid.UUID | None = Field(default=None)
    import_id: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(ForeignKey(f"{SCHEMA}.recognition_import.id"), nullable=True),
    )
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime = timestamp_field()


class RecognitionImport(SQLModel, table=True):
    """One import of an earlier year's recognised list: accepted whole, or rejected whole."""

    __tablename__ = "recognition_import"
    __table_args__ = (
        CheckConstraint("status IN ('accepted', 'rejected')", name="status_known"),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    created_by: str = Field(max_length=200)
    jurisdiction: str = Field(max_length=6, description="the importer's region prefix ('' = all)")
    document_number: str = Field(max_length=200, description="文号 of the list imported")
    source_note: str | None = Field(default=None, max_length=2000)
    complete_national_list: bool = Field(
        default=False,
        sa_column_kwargs={"server_default": text("false")},
        description="a ministry import of the whole national list (completes its years' counts)",
    )
    content_type: str = Field(max_length=100)
    file_name: str | None = Field(default=None, max_length=255)
    sha256: str = Field(max_length=64)
    row_count: int
    status: str = Field(max_length=20)
    written: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    already_recorded: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    errors: list[dict[str, Any]] = Field(
        default_factory=list,
        sa_column=Column(JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    )
    created_at: datetime = timestamp_field()
