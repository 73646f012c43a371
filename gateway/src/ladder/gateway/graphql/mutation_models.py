"""What the gateway reads of the services' answers to its writes, as pydantic models of its own
(the reads' are in `models.py`, and are reused where a write answers the same object).

Parsed as strictly as the reads: a 2xx answer that does not parse, or an error answer that is
not Ladder's envelope `{"error": {"code", "message", "message_en", "details"}}`, is the
mutation's typed `UpstreamFailed`, never a null.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import Field

from ladder.gateway.graphql.models import Answer, CaseAnswer, ListAnswer


class ErrorBodyAnswer(Answer):
    code: str
    message: str
    message_en: str
    details: dict[str, Any] = Field(default_factory=dict)


class ErrorEnvelope(Answer):
    """Every service's error answer (`ladder.kit.errors`)."""

    error: ErrorBodyAnswer


# --- review: opinions ---------------------------------------------------------------------


class CreditCheckAnswer(Answer):
    gsxt: str
    zxgk: str
    checked_on: date


class OpinionAnswer(Answer):
    version: int
    actor: str
    actor_name: str
    role: str
    level: str
    region: str
    decision: str
    reasons: str | None
    credit_check: CreditCheckAnswer | None
    at: datetime


class OpinionOutcomeAnswer(Answer):
    """review `POST /v1/cases/{declaration_id}/opinions`: `etag` is the case's new ETag."""

    etag: str
    opinion: OpinionAnswer
    case: CaseAnswer


# --- review: recommendation lists (推荐汇总表) -----------------------------------------------


class ListWriteAnswer(ListAnswer):
    """review: a list's writes answer the list read, with its ETag."""

    etag: str


# --- review: the 公示 ------------------------------------------------------------------------


class ObjectionReceiptAnswer(Answer):
    """review `POST /public/v1/publicity/{campaign}/{tier}/objections`."""

    id: uuid.UUID
    declaration_id: uuid.UUID
    received_at: datetime
