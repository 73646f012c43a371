"""The exports' queries: rows read through a server-side cursor, `FETCH_ROWS` at a time."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.engine import RowMapping
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.review.cases.machine import PUBLISHED
from ladder.review.cases.models import ReviewCase
from ladder.review.cases.repository import LISTING_ORDER
from ladder.review.exports.schemas import CASE_COLUMNS
from ladder.review.national.publicity.models import NationalPublicityEntry

FETCH_ROWS = 1000
"""Rows per fetch of the cursor: what the service holds of an export at any time."""

_CASE_FIELDS = [c.key for c in CASE_COLUMNS if c.key != "status_label"]


async def rows(session: AsyncSession, stmt: Select[Any]) -> AsyncIterator[RowMapping]:
    """The statement's rows, one fetch of the server-side cursor at a time."""
    result = await session.stream(stmt.execution_options(yield_per=FETCH_ROWS))
    try:
        async for batch in result.mappings().partitions():
            for row in batch:
                yield row
    finally:
        await result.close()


def cases(clauses: Sequence[Any]) -> Select[Any]:
    """The columns of the case export, of the cases meeting `clauses`, in the inbox's order."""
    columns = [getattr(ReviewCase, name) for name in _CASE_FIELDS]
    return select(*columns).where(*clauses).order_by(*LISTING_ORDER)


def published_entries(publicity_id: uuid.UUID) -> Select[Any]:
    """The published entries of a closed 公示, in their order on it."""
    entry = NationalPublicityEntry
    return (
        select(
            entry.declaration_id,
            entry.enterprise_name,
            entry.factory_name,
            entry.region_code,
        )
        .where(entry.publicity_id == publicity_id, entry.outcome == PUBLISHED)
        .order_by(col(entry.position))
    )
