"""The database: one async engine per process, one transaction per request.

Each service owns a PostgreSQL schema. Tables declare `__table_args__ = {"schema": ...}`;
constraint names follow `NAMING_CONVENTION` so alembic autogenerate and `alembic check` are
stable. The request-owned session commits when the endpoint returns and rolls back when it
raises; code below the endpoint only `flush()`es.

A database that cannot be reached (refused, reset, restarting, out of connections, the pool
exhausted) is answered 503 `database_unavailable` with `Retry-After`, and logged as one outage
(`OutageLog`), not as a traceback per request; the pool reconnects when the server is back,
without restarting the process. Any other database error (an `IntegrityError`, a bug in a
query) is not touched: it stays a 500 or whatever the code makes of it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Annotated, Any

import asyncpg
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Column, DateTime, event, func, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.kit.errors import DatabaseUnavailable, error_response, implies
from ladder.kit.observability import OutageLog
from ladder.kit.settings import to_async_url

log = logging.getLogger("ladder.db")

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


class DatabaseUnreachable(Exception):
    """No new connection to PostgreSQL could be made: refused, reset, timed out, the server
    starting or shutting down, or out of connection slots.

    The driver raises a bare `OSError` or `TimeoutError` for most of these, which from outside
    cannot be told apart from one raised by other code (a file, a peer); the engine's connect
    hook wraps them in this, with the driver's error as the cause.
    """


# asyncpg's errors that mean "no connection", not "this statement failed". Not the whole
# OperatorInterventionError family: a query cancelled by `statement_timeout` is in it too.
_DRIVER_CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    OSError,  # refused, reset, unreachable, DNS; TimeoutError is one since 3.11
    asyncpg.PostgresConnectionError,  # 08xxx: connection does not exist, failure, rejected
    asyncpg.CannotConnectNowError,  # 57P03: starting up, shutting down, in recovery
    asyncpg.AdminShutdownError,  # 57P01: terminated by an administrator (or a fast shutdown)
    asyncpg.CrashShutdownError,  # 57P02
    asyncpg.TooManyConnectionsError,  # 53300: no connection slot left
)


def _is_driver_connection_error(exc: BaseException) -> bool:
    if isinstance(exc, _DRIVER_CONNECTION_ERRORS):
        return True
    # asyncpg says "cannot perform operation: connection is closed" for a connection that
    # died between two statements.
    return isinstance(exc, asyncpg.InterfaceError) and "connection is closed" in str(exc)


def is_connection_error(exc: BaseException) -> bool:
    """Whether `exc` says the database cannot be reached, rather than that a statement
    failed: these are answered 503 and worth a retry."""
    if isinstance(exc, DatabaseUnreachable | sa_exc.TimeoutError):  # TimeoutError: the pool's
        return True
    if not isinstance(exc, sa_exc.DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    # The driver's own error, under SQLAlchemy's adapter: `orig` and its causes.
    cause: BaseException | None = exc.orig
    for _ in range(5):
        if cause is None:
            return False
        if _is_driver_connection_error(cause):
            return True
        cause = cause.__cause__
    return False


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
        outage_log_seconds: float = 10.0,
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
        self.outage = OutageLog(log, "database", every_seconds=outage_log_seconds)
        event.listen(self.engine.sync_engine, "do_connect", self._connect)

    def _connect(self, dialect: Any, _record: Any, cargs: list[Any], cparams: dict) -> Any:
        """Every new connection of the pool: a failure to connect is `DatabaseUnreachable`,
        and the first connection made after an outage ends it."""
        try:
            connection = dialect.connect(*cargs, **cparams)
        except Exception as exc:
            if _is_driver_connection_error(exc):
                raise DatabaseUnreachable(f"cannot connect to the database: {exc}") from exc
            raise
        self.outage.recovered()
        return connection

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
implies(_request_session, DatabaseUnavailable)
SessionDep = Annotated[AsyncSession, Depends(_request_session, scope="function")]
DatabaseDep = Annotated[Database, Depends(get_database)]

# For an app whose state holds no `Database` (a test app with a bare engine).
_process_outage = OutageLog(log, "database")


def install_database_errors(app: FastAPI) -> None:
    """Answer a database that cannot be reached with 503 `database_unavailable` and
    `Retry-After`, logged as an outage of `app.state.db`. Other database errors go on to the
    catch-all (a bug: 500, logged once with its traceback)."""

    async def _unreachable(request: Request, exc: Exception) -> JSONResponse:
        if not is_connection_error(exc):
            raise exc
        db = getattr(request.app.state, "db", None)
        (db.outage if isinstance(db, Database) else _process_outage).failed(exc)
        return error_response(DatabaseUnavailable(), request)

    for cls in (DatabaseUnreachable, sa_exc.DBAPIError, sa_exc.TimeoutError):
        app.add_exception_handler(cls, _unreachable)


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


async def keep_newest(session: AsyncSession, row: SQLModel, *, key: Sequence[str], by: str) -> None:
    """Store `row` — a service's copy of another service's record, fed by its events — unless
    the copy held under the same `key` columns is as new or newer by the `by` column (a row
    version, an instant): a redelivered or late event never moves the copy back. One
    statement, so two deliveries racing settle on the newest."""
    table = type(row).__table__  # type: ignore[attr-defined]
    values = row.model_dump()
    stmt = insert(table).values(**values)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[table.c[k] for k in key],
            set_={k: stmt.excluded[k] for k in values if k not in key},
            where=table.c[by] < stmt.excluded[by],
        )
    )
