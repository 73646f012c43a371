"""Response models for editions."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from ladder.rules.editions.catalogue import Edition


class EditionSummary(BaseModel):
    id: str
    title: str
    source: str
    effective_from: date


# The whole edition reads as it is stored: the data file is the public contract.
EditionRead = Edition
