"""The issuer's credentials a process keeps in its own database, for when the issuer is down.

A service verifies tokens against the issuer's JWKS and calls its peers with a client-
credentials token from the issuer (the gateway in dev). Both live in memory, so a process that
starts while the issuer is unreachable could do neither. Each service therefore keeps the last
key set it fetched and the last service token it obtained (with its expiry) in a
`credential_cache` table of its own schema, and falls back to them only when the issuer does
not answer:

- a fresh JWKS fetch always wins (keys rotate): the stored key set is read only when a process
  has no keys at all and the fetch fails;
- a stored service token is used only while it is valid by the issuer's `expires_in` (with the
  same 60 s margin as a token in memory); an expired one is never handed out.

Values are sealed (Fernet, authenticated encryption) with a key derived from the service's
client secret: a reader of the database or of a backup does not get a bearer token that every
service would accept, and a writer cannot plant a key of their own in the stored JWKS. A value
that does not open (the secret was rotated, the row was tampered with) counts as absent.

The cache follows the issuer, not the gateway: its keys name the JWKS and token URLs, so an
issuer that moves (the identity issue) starts with an empty cache and keeps this property.
The store never fails a request: a database error while loading or saving is logged and the
caller goes on as without a cache.
"""

from __future__ import annotations

import base64
import json
import logging
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Column, DateTime, MetaData, Table, Text, func, select
from sqlalchemy.dialects.postgresql import JSONB, insert

from ladder.kit.db import Database

log = logging.getLogger("ladder.credentials")

TABLE = "credential_cache"


def credential_cache_table(metadata: MetaData, schema: str) -> Table:
    """One row per cached credential. `expires_at` is NULL for what does not expire by itself
    (a key set: it is only ever a fallback for a failed fetch)."""
    return Table(
        TABLE,
        metadata,
        Column("key", Text, primary_key=True),
        Column("value", JSONB, nullable=False),
        Column("stored_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("expires_at", DateTime(timezone=True)),
        schema=schema,
    )


def create_cache_table_ops(schema: str) -> None:
    """Migration step (issue 12 item 8): the table of `credential_cache_table`. Frozen once
    released; a later change is a new pair of functions here."""
    op.create_table(
        TABLE,
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("value", JSONB(), nullable=False),
        sa.Column(
            "stored_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f(f"pk_{TABLE}")),
        schema=schema,
    )


def drop_cache_table_ops(schema: str) -> None:
    op.drop_table(TABLE, schema=schema)


def _fernet(secret: str) -> Fernet:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"ladder credential cache"
    ).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def _utcnow() -> datetime:
    # Real time, not the app's (adjustable) clock: tokens expire by the issuer's clock.
    return datetime.now(UTC)


class CredentialStore:
    """Sealed values by key in one service's `credential_cache` table."""

    def __init__(self, db: Database, table: Table, *, secret: str) -> None:
        self.db = db
        self.table = table
        self._fernet = _fernet(secret)

    async def load(self, key: str) -> dict[str, Any] | None:
        """The value stored under `key`, unless it has expired, does not open, or the
        database cannot be read (None: as if nothing were stored)."""
        t = self.table
        try:
            async with self.db.transaction() as session:
                row = (
                    await session.execute(
                        select(t.c.value).where(
                            t.c.key == key,
                            sa.or_(t.c.expires_at.is_(None), t.c.expires_at > _utcnow()),
                        )
                    )
                ).first()
        except Exception as exc:  # a cache: a database that is down is a miss, not an error
            log.warning("credential cache: cannot read %s: %s", key, type(exc).__name__)
            return None
        if row is None:
            return None
        try:
            return json.loads(self._fernet.decrypt(row.value["sealed"].encode()))
        except (InvalidToken, KeyError, TypeError, ValueError):
            log.warning("credential cache: %s does not open (secret rotated?); ignored", key)
            return None

    async def save(self, key: str, value: dict[str, Any], expires_at: datetime | None) -> None:
        sealed = {"sealed": self._fernet.encrypt(json.dumps(value).encode()).decode()}
        stmt = insert(self.table).values(key=key, value=sealed, expires_at=expires_at)
        stmt = stmt.on_conflict_do_update(
            index_elements=[self.table.c.key],
            set_={"value": sealed, "stored_at": func.now(), "expires_at": expires_at},
        )
        try:
            async with self.db.transaction() as session:
                await session.execute(stmt)
        except Exception as exc:  # the fetched credential is in memory anyway
            log.warning("credential cache: cannot store %s: %s", key, type(exc).__name__)


class StoredJwks:
    """A `TokenVerifier`'s `cache`: the last key set fetched from `jwks_url`."""

    def __init__(self, store: CredentialStore, jwks_url: str) -> None:
        self.store = store
        self.key = f"jwks {jwks_url}"

    async def load(self) -> dict[str, Any] | None:
        return await self.store.load(self.key)

    async def save(self, jwks: dict[str, Any]) -> None:
        await self.store.save(self.key, jwks, None)


class StoredServiceToken:
    """A `ServiceTokenProvider`'s `cache`: the last token `client_id` got from `token_url`."""

    def __init__(self, store: CredentialStore, token_url: str, client_id: str) -> None:
        self.store = store
        self.key = f"service_token {client_id} {token_url}"

    async def load(self) -> tuple[str, float] | None:
        value = await self.store.load(self.key)
        if value is None:
            return None
        try:
            return str(value["access_token"]), float(value["expires_at"])
        except (KeyError, TypeError, ValueError):
            return None

    async def save(self, token: str, expires_at: float) -> None:
        await self.store.save(
            self.key,
            {"access_token": token, "expires_at": expires_at},
            datetime.fromtimestamp(expires_at, UTC),
        )
