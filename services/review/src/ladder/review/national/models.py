"""What the national review's tables share: the case they hang on, JSON list columns."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from ladder.review.settings import SCHEMA

CASE_ID = f"{SCHEMA}.review_case.id"


def json_list() -> Any:
    return Field(
        default_factory=list,
        sa_column=Column(JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    )
