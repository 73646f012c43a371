"""Request and answer models of the register of recognised tiers (认定记录)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

DocumentNumber = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
]
SourceNote = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


Cell = Annotated[str, StringConstraints(max_length=300)] | Annotated[int, Field(ge=0, le=10**18)]


class ListRowIn(BaseModel):
    """One row of an earlier year's recognised list, as sent in JSON. Values are checked row by
    row like a file's cells (a bad row is a row problem, not a 422 of the whole body)."""

    model_config = ConfigDict(extra="forbid")
    uscc: Cell | None = Field(default=None, description="统一社会信用代码")
    enterprise_name: Cell | None = Field(default=None, description="企业名称")
    factory_name: Cell | None = Field(default=None, description="工厂名称（智能工厂项目）")
    region_code: Cell | None = Field(default=None, description="GB/T 2260 region of the factory")
    tier: Cell | None = Field(
        default=None, description="advanced | excellence | pilot (or 先进级 …)"
    )
    year: Cell | None = Field(default=None, description="the year recognised, e.g. 2024")


class ListImportIn(BaseModel):
    """An earlier year's recognised list (认定名单) sent as JSON."""

    model_config = ConfigDict(extra="forbid")
    document_number: DocumentNumber = Field(
        description="文号 of the list, e.g. 闽工信函〔2024〕1号"
    )
    source_note: SourceNote | None = Field(default=None, description="where the list comes from")
    complete_national_list: bool = Field(
        default=False,
        description="the ministry says this is the whole national list of its years' 卓越级: "
        "the register's counts of those years become complete (a province's import never does)",
    )
    rows: list[ListRowIn] = Field(min_length=1, max_length=20_000)


class RecognitionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    enterprise_uscc: str
    enterprise_name: str
    factory_name: str = Field(description="'' for the enterprise as a whole")
    factory_id: uuid.UUID | None
    region_code: str
    tier: str
    year: int
    authority: str
    source_kind: str
    source_ref: str
    declaration_id: uuid.UUID | None
    import_id: uuid.UUID | None
    recorded_at: datetime


class PublicRecognition(BaseModel):
    """What a published list (名单) says: no ids, no self-assessments."""

    model_config = ConfigDict(from_attributes=True)
    enterprise_uscc: str
    enterprise_name: str
    factory_name: str
    region_code: str
    tier: str
    year: int
    authority: str
    source_kind: str


class RecognitionImportRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    document_number: str
    source_note: str | None
    complete_national_list: bool
    jurisdiction: str
    content_type: str
    file_name: str | None
    sha256: str
    row_count: int
    status: str
    written: int = Field(description="entries added to the register")
    already_recorded: int = Field(description="rows the register already held (unchanged)")
    errors: list[dict[str, Any]]
    created_by: str
    created_at: datetime
