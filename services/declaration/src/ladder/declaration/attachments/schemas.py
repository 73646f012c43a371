"""Response models for attachments."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class AttachmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    declaration_id: uuid.UUID
    name: str
    kind: str
    media_type: str
    size: int
    sha256: str = Field(description="SHA-256 of the content, hex")
    uploaded_by: str
    uploaded_at: datetime
    removed_at: datetime | None = None
    etag: str = ""
