"""Request and response models for reference datasets."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StringConstraints

from ladder.rules.reference.kinds import DatasetKind

MAX_ROWS = 100
MAX_BODY_BYTES = 1024 * 1024

SourceNote = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
    Field(description="where the numbers come from (统计公报, 文号 …); required"),
]


class RowIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    region: Annotated[
        str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=20)
    ] = Field(
        description="province-level GB/T 2260 code (e.g. 350000); `xpcc` only in excellence_count",
        examples=["350000"],
    )
    value: StrictInt = Field(
        ge=-1_000_000, le=1_000_000, description="a rank (1..n) or a count (≥ 0), by kind"
    )


class DatasetUpload(BaseModel):
    """One table as uploaded (JSON body, or CSV rows with the rest as query parameters)."""

    model_config = ConfigDict(extra="forbid")

    kind: DatasetKind
    year: StrictInt = Field(ge=2000, le=2100, description="the reference year, e.g. 2024")
    source_note: SourceNote
    sample: StrictBool = Field(default=False, description="demonstration data, not official")
    partial: StrictBool = Field(
        default=False,
        description=(
            "false (the default): `rows` is the whole table, every region of the kind once "
            "(422 `incomplete_table` names the missing ones); true: only these regions change, "
            "the others are kept from the current version, and the whole table is stored as "
            "the next version"
        ),
    )
    rows: list[RowIn] = Field(min_length=1, max_length=MAX_ROWS)


class RowRead(BaseModel):
    region: str
    name: str | None = None
    name_en: str | None = None
    value: int


class DatasetSummary(BaseModel):
    id: uuid.UUID
    kind: DatasetKind
    year: int
    version: int
    current: bool = Field(description="the highest version of its kind and year: the one used")
    source_note: str
    sample: bool
    uploaded_by: str
    uploaded_at: datetime
    row_count: int


class DatasetRead(DatasetSummary):
    rows: list[RowRead]
