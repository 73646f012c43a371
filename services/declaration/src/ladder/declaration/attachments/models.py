"""An evidence file attached to a declaration, kept with its SHA-256.

Files are never overwritten and never truly deleted: a submitted version lists the hashes of
its attachments (so the fingerprint covers them), and what a version listed must stay
retrievable. Removing a file from a draft only marks it `removed_at`.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, DateTime, ForeignKey, Index, LargeBinary, func
from sqlmodel import Field, SQLModel

from ladder.declaration.settings import SCHEMA


class Attachment(SQLModel, table=True):
    __tablename__ = "declaration_attachment"
    __table_args__ = (
        Index(None, "declaration_id", "uploaded_at"),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    declaration_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey(f"{SCHEMA}.declaration.id"), nullable=False)
    )
    name: str = Field(max_length=200, description="the file name as uploaded")
    kind: str = Field(max_length=50, description="what it evidences, e.g. 证明材料")
    media_type: str = Field(max_length=100, description="detected from the content")
    size: int
    sha256: str = Field(max_length=64, index=True)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    uploaded_by: str = Field(max_length=200)
    uploaded_at: datetime | None = Field(
        default=None,
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now()),
    )
    removed_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
