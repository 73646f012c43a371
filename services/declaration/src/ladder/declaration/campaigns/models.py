"""A campaign (申报批次): the year, which tiers it opens, and which rules edition it uses."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from ladder.declaration.settings import SCHEMA


class Campaign(SQLModel, table=True):
    __tablename__ = "campaign"
    __table_args__ = {"schema": SCHEMA}

    year: int = Field(primary_key=True)
    title: str = Field(max_length=200)
    rules_edition: str = Field(max_length=20, description="要素条件 edition used for checks")
    source: str = Field(max_length=200, description="the notice that opened it")
    open_tiers: list[str] = Field(sa_column=Column(JSONB, nullable=False))
    created_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    )
