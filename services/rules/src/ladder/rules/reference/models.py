"""A reference dataset: one uploaded version of one table (kind + reference year).

Rows are kept as a JSON array on the dataset: a table has at most a few dozen rows, is never
edited (a correction is a new version) and is always read whole.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Column, DateTime, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from ladder.rules.settings import SCHEMA


class ReferenceDataset(SQLModel, table=True):
    __tablename__ = "reference_dataset"
    __table_args__ = (
        UniqueConstraint("kind", "year", "version"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint(
            "kind IN ('industrial_value_added_rank', 'excellence_count')", name="kind_known"
        ),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    kind: str = Field(max_length=40)
    year: int = Field(description="the reference year the values describe, e.g. 2024")
    version: int = Field(description="1, 2, … per kind and year; the highest is current")
    source_note: str = Field(max_length=500)
    sample: bool = Field(default=False, description="demonstration data, not official")
    uploaded_by: str = Field(sa_column=Column(Text, nullable=False))
    uploaded_at: datetime | None = Field(
        default=None,
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now()),
    )
    rows: list[dict[str, Any]] = Field(
        sa_column=Column(JSONB, nullable=False), description='[{"region": …, "value": …}]'
    )
