"""The 揭榜单位 registry: an enterprise that passed a local acceptance (地方验收) as a
智能制造示范工厂揭榜单位, which keeps it off the caps whose policy names that exemption
(沪经信制〔2025〕430号 一(二)4), and the history of every change to the record."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import CheckConstraint, Column, ForeignKey, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from ladder.kit.concurrency import Versioned
from ladder.kit.db import timestamp_field
from ladder.rules.settings import SCHEMA


class JiebangUnit(Versioned, table=True):
    """One enterprise's passed acceptance, recorded by the ministry or its province."""

    etag_kind: ClassVar[str] = "jiebang-unit"

    __tablename__ = "jiebang_unit"
    __table_args__ = (
        UniqueConstraint("uscc", "accepted_by"),
        CheckConstraint("status IN ('active', 'revoked')", name="status_known"),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    uscc: str = Field(max_length=18, index=True, description="统一社会信用代码")
    enterprise_name: str = Field(max_length=200)
    programme: str = Field(
        max_length=200, description="the 揭榜 programme, e.g. 智能制造示范工厂揭榜挂帅"
    )
    acceptance: str = Field(max_length=300, description="the 地方验收 passed")
    accepted_by: str = Field(
        max_length=6, description="GB/T 2260 code of the province whose acceptance it passed"
    )
    accepted_on: date | None = Field(default=None)
    year: int = Field(description="the year of the acceptance")
    source_document: str = Field(max_length=200, description="文号 of the list or decision")
    source_note: str = Field(max_length=500)
    status: str = Field(max_length=10, description="active | revoked")
    created_by: str = Field(max_length=200)
    updated_by: str = Field(max_length=200)
    created_at: datetime | None = timestamp_field()
    updated_at: datetime | None = timestamp_field()


class JiebangUnitEvent(SQLModel, table=True):
    """One row per change of a record: who, when, what changed, on which source."""

    __tablename__ = "jiebang_unit_event"
    __table_args__ = {"schema": SCHEMA}

    id: int | None = Field(default=None, primary_key=True)
    unit_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey(f"{SCHEMA}.jiebang_unit.id"), nullable=False, index=True)
    )
    action: str = Field(max_length=20, description="recorded | edited | revoked | restored")
    changes: dict[str, Any] = Field(
        sa_column=Column(JSONB, nullable=False), description="field → [before, after]"
    )
    source_note: str = Field(max_length=500)
    row_version: int
    actor: str = Field(max_length=200)
    at: datetime | None = timestamp_field()
