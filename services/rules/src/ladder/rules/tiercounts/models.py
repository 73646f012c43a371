"""A year's 卓越级 counts per province, as the register's last `recognition.tier_counts` said."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, DateTime
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from ladder.rules.settings import SCHEMA


class RegisterTierCount(SQLModel, table=True):
    __tablename__ = "register_tier_count"
    __table_args__ = ({"schema": SCHEMA},)

    tier: str = Field(primary_key=True, max_length=20)
    year: int = Field(primary_key=True)
    counts: dict[str, Any] = Field(
        sa_column=Column(JSONB, nullable=False), description="province code or xpcc → count"
    )
    source_kind: str = Field(max_length=20, description="publication | import")
    source_ref: str = Field(max_length=200)
    complete: bool
    at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
