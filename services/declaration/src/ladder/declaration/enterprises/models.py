"""Enterprises (企业, identified by 统一社会信用代码) and their factories (智能工厂 projects)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import Column, DateTime, ForeignKey, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from ladder.declaration.settings import SCHEMA
from ladder.kit.concurrency import Versioned


class Enterprise(Versioned, table=True):
    etag_kind: ClassVar[str] = "enterprise"
    __tablename__ = "enterprise"
    __table_args__ = ({"schema": SCHEMA},)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    uscc: str = Field(max_length=18, unique=True, description="统一社会信用代码")
    name: str = Field(max_length=200)
    region_code: str = Field(max_length=6, index=True, description="GB/T 2260 registered region")
    address: str | None = Field(default=None, max_length=300)
    nature: str | None = Field(default=None, max_length=30, description="企业性质 (Nature)")
    industry: str | None = Field(default=None, max_length=5, description="GB/T 4754 code, C3411")
    operating_regions: list[str] = Field(
        default_factory=list,
        sa_column=Column(JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    )
    above_scale: bool | None = Field(default=None, description="规模以上工业企业")
    legal_form: str | None = Field(default=None, max_length=20)
    central_soe_group: str | None = Field(
        default=None, max_length=18, description="USCC of the central-SOE group HQ, if any"
    )
    contacts: list[dict[str, Any]] = Field(
        default_factory=list,
        sa_column=Column(JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    )
    created_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    )
    updated_at: datetime | None = Field(
        default=None,
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


class Factory(SQLModel, table=True):
    __tablename__ = "factory"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    enterprise_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey(f"{SCHEMA}.enterprise.id"), nullable=False, index=True)
    )
    name: str = Field(max_length=200)
    region_code: str = Field(max_length=6, description="GB/T 2260 region where the factory is")
    created_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    )
