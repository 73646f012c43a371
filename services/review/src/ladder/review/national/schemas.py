"""What the national review's requests share: strict bodies, name and reason lengths."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


Reasons = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


Specialty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def unique_ids(ids: list[uuid.UUID]) -> list[uuid.UUID]:
    if len(ids) != len(set(ids)):
        raise ValueError("an expert is listed twice")
    return ids
