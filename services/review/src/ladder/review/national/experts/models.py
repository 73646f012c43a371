"""Tables of the expert pool and of who is on which case, with what duty."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from sqlalchemy import Column, ForeignKey, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from ladder.kit.concurrency import Versioned
from ladder.kit.db import timestamp_field
from ladder.review.national.models import CASE_ID, json_list
from ladder.review.settings import SCHEMA


class NationalExpert(Versioned, table=True):
    """An expert of the pool (国家智能制造专家委 and reviewers): who they are, where they work,
    what they declared — the facts the conflict-of-interest checks read."""

    __tablename__ = "national_expert"
    __table_args__ = (Index(None, "region_code"), {"schema": SCHEMA})
    etag_kind: ClassVar[str] = "national-expert"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    account: str = Field(max_length=200, unique=True, description="the token's `sub`")
    name: str = Field(max_length=100)
    fields: list[str] = json_list()
    organisation: str = Field(max_length=200)
    organisation_uscc: str | None = Field(default=None, max_length=18)
    group_uscc: str | None = Field(default=None, max_length=18)
    region_code: str = Field(max_length=6)
    integrators: list[str] = json_list()
    declared_conflicts: list[str] = json_list()
    active: bool = Field(default=True, sa_column_kwargs={"server_default": text("true")})
    created_by: str = Field(max_length=200)
    updated_by: str = Field(max_length=200)
    created_at: datetime | None = timestamp_field()
    updated_at: datetime | None = timestamp_field()


class NationalAssignment(SQLModel, table=True):
    """An expert on a case: `review` (材料评审, scores) or `onsite` (现场核查 team)."""

    __tablename__ = "national_assignment"
    __table_args__ = (
        UniqueConstraint("case_id", "expert_id", "duty"),
        Index(None, "expert_id"),
        {"schema": SCHEMA},
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: uuid.UUID = Field(sa_column=Column(ForeignKey(CASE_ID), nullable=False))
    expert_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey(f"{SCHEMA}.national_expert.id"), nullable=False)
    )
    duty: str = Field(max_length=10)
    assigned_by: str = Field(max_length=200)
    assigned_at: datetime | None = timestamp_field()
