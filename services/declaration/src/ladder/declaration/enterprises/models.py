"""Enterprises (企业, identified by 统一社会信用代码) and their factories (智能工厂 projects)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, DateTime, ForeignKey, func
from sqlmodel import Field, SQLModel

from ladder.declaration.settings import SCHEMA


class Enterprise(SQLModel, table=True):
    __tablename__ = "enterprise"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    uscc: str = Field(max_length=18, unique=True, description="统一社会信用代码")
    name: str = Field(max_length=200)
    region_code: str = Field(max_length=6, index=True, description="GB/T 2260 registered region")
    created_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now())
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
