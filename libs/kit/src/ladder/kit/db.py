"""The database: one async engine per process, one transaction per request.

Each service owns a PostgreSQL schema. Tables declare `__table_args__ = {"schema": ...}`;
constraint names follow `NAMING_CONVENTION` so alembic autogenerate and `alembic check` are
stable. The request-owned session commits when the endpoint returns and rolls back when it
raises; code below the endpoint only `flush()`es.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import Column, DateTime, func, text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.kit.settings import to_async_url

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# One metadata for every SQLModel table in the process; each service's alembic environment
# only looks at the tables of its own schema.
SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata = SQLModel.metadata


class Database:
    """Engine and session factory for one service schema."""

    def __init__(
        self,
        url: str,
        *,
        schema: str,
        pool_size: int = 10,
        max_overflow: int = 10,
        statement_timeout_ms: int = 30_000,
        application_name: str = "ladder",
    ) -> None:
        self.schema = schema
        self.engine: AsyncEngine = create_async_engine(
            to_async_url(url),
            pool_size=pool_size,
            max_overflow=max_overflow,
            pool_pre_ping=True,
            # A failed statement's parameters (mobiles, names, the text typed) stay out of
            # exception messages, and so out of every log line.
            hide_parameters=True,
            connect_args={
                "server_settings": {
                    "statement_timeout": str(statement_timeout_ms),
                    "application_name": application_name,
                    "timezone": "UTC",
                }
            },
        )
        self.sessionmaker = async_sessionmaker(
            self.engine, class_=AsyncSession, expire_on_commit=False, autoflush=False
        )

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session in one transaction: committed on exit, rolled back on error."""
        async with self.sessionmaker() as session, session.begin():
            yield session

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()


async def get_database(request: Request) -> Database:
    return request.app.state.db


async def _request_session(request: Request) -> AsyncIterator[AsyncSession]:
    db: Database = request.app.state.db
    async with db.transaction() as session:
        yield session


# scope="function": the commit happens when the endpoint returns, before the response is
# sent, so a client never sees success for a write that then failed to commit.
SessionDep = Annotated[AsyncSession, Depends(_request_session, scope="function")]
DatabaseDep = Annotated[Database, Depends(get_database)]


def timestamp_field(nullable: bool = False, **column: Any) -> Any:
    """A `timestamptz` model field: set by the database (`now()`) unless nullable, in which
    case the code sets it when the moment comes (submitted_at, closed_at …)."""
    return Field(
        sa_column=Column(
            DateTime(timezone=True),
            nullable=nullable,
            server_default=None if nullable else func.now(),
            **column,
        ),
        default=None,
    )
