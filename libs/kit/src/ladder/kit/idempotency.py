"""Idempotency-Key for retried writes.

The key row is inserted in the request's own transaction before the write. A concurrent
request with the same key blocks on the unique index until the first commits, then finds the
stored answer and replays it; if the first rolled back, the second proceeds as new. A key
reused for a different request (another body or path) is refused with 422. Keys are scoped to
the caller (`sub`) and kept for `ttl`; a sweeper in each process (`sweep_forever`) deletes the
expired ones, so the table holds about one `ttl` of keys.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    Table,
    Text,
    delete,
    func,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.kit.db import Database
from ladder.kit.errors import IdempotencyKeyMalformed, IdempotencyKeyRequired, IdempotencyKeyReused

log = logging.getLogger("ladder.idempotency")

KEY_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
DEFAULT_TTL = timedelta(hours=24)


def idempotency_table(metadata: MetaData, schema: str) -> Table:
    return Table(
        "idempotency_key",
        metadata,
        Column("principal", Text, primary_key=True),
        Column("key", Text, primary_key=True),
        Column("method", Text, nullable=False),
        Column("path", Text, nullable=False),
        Column("request_hash", Text, nullable=False),
        Column("status_code", Integer),
        Column("response", JSONB),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("expires_at", DateTime(timezone=True), nullable=False),
        schema=schema,
    )


async def require_idempotency_key(
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="8–128 characters [A-Za-z0-9._:-]; the same key replays the first answer",
        ),
    ] = None,
) -> str:
    if idempotency_key is None:
        raise IdempotencyKeyRequired()
    if not KEY_PATTERN.match(idempotency_key):
        raise IdempotencyKeyMalformed(details={"field": "Idempotency-Key"})
    return idempotency_key


IdempotencyKeyDep = Annotated[str, Depends(require_idempotency_key)]


class IdempotencySlot:
    """The state of one keyed request: either a stored answer to replay, or ours to fill."""

    def __init__(self, table: Table, principal: str, key: str, replay: tuple[int, Any] | None):
        self.table = table
        self.principal = principal
        self.key = key
        self.replay = replay

    def replayed(self) -> JSONResponse | None:
        """The stored answer as a response (with its ETag when it had one), or None if the
        request is ours to carry out."""
        if self.replay is None:
            return None
        status_code, body = self.replay
        etag = body.get("etag") if isinstance(body, dict) else None
        headers = {"ETag": etag} if isinstance(etag, str) and etag else None
        return JSONResponse(body, status_code=status_code, headers=headers)

    async def store(self, session: AsyncSession, status_code: int, response: Any) -> None:
        t = self.table
        await session.execute(
            update(t)
            .where(t.c.principal == self.principal, t.c.key == self.key)
            .values(status_code=status_code, response=response)
        )


def request_fingerprint(request: Request, body: Any) -> str:
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(f"{request.method} {request.url.path}\n{canonical}".encode()).hexdigest()


async def claim(
    session: AsyncSession,
    table: Table,
    *,
    principal: str,
    key: str,
    request: Request,
    body: Any = None,
    ttl: timedelta = DEFAULT_TTL,
) -> IdempotencySlot:
    t = table
    fingerprint = request_fingerprint(request, body)
    now = datetime.now(UTC)
    # One statement: a new key is inserted; an expired key of this caller is taken over (its
    # old answer forgotten, so the key can be used afresh); a live one is left alone.
    fresh = insert(t).values(
        principal=principal,
        key=key,
        method=request.method,
        path=request.url.path,
        request_hash=fingerprint,
        expires_at=now + ttl,
    )
    inserted = (
        await session.execute(
            fresh.on_conflict_do_update(
                index_elements=[t.c.principal, t.c.key],
                set_={
                    "method": fresh.excluded.method,
                    "path": fresh.excluded.path,
                    "request_hash": fresh.excluded.request_hash,
                    "expires_at": fresh.excluded.expires_at,
                    "status_code": None,
                    "response": None,
                    "created_at": func.now(),
                },
                where=t.c.expires_at < now,
            ).returning(t.c.key)
        )
    ).first()
    if inserted is not None:
        return IdempotencySlot(table, principal, key, None)
    row = (
        (await session.execute(select(t).where(t.c.principal == principal, t.c.key == key)))
        .mappings()
        .one()
    )
    if row["request_hash"] != fingerprint:
        raise IdempotencyKeyReused(details={"key": key, "first_used_for": row["path"]})
    return IdempotencySlot(table, principal, key, (row["status_code"], row["response"]))


async def sweep_expired(db: Database, table: Table, *, batch: int = 1000) -> int:
    """Delete expired keys, `batch` rows per transaction (short locks), until none is left.
    Returns how many went."""
    t = table
    removed = 0
    while True:
        async with db.transaction() as session:
            doomed = (
                select(t.c.principal, t.c.key)
                .where(t.c.expires_at < func.now())
                .limit(batch)
                .with_for_update(skip_locked=True)
            )
            result = await session.execute(
                delete(t).where(tuple_(t.c.principal, t.c.key).in_(doomed))
            )
        removed += result.rowcount
        if result.rowcount < batch:
            return removed


async def sweep_forever(db: Database, table: Table, every_seconds: float) -> None:
    """The sweeper loop a service runs (see `ServiceSpec.idempotency`)."""
    while True:
        try:
            removed = await sweep_expired(db, table)
            if removed:
                log.info("removed %d expired idempotency keys", removed)
        except asyncio.CancelledError:
            raise
        except Exception:  # a failed pass is retried at the next one
            log.exception("idempotency key sweep failed")
        await asyncio.sleep(every_seconds)
