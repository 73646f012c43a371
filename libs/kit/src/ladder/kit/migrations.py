"""One alembic history per service: its own schema, its own version table.

A service's `migrations/env.py` calls `run_env(schema=...)`. `upgrade()` and `check()` run a
service's history programmatically (used by `make migrate`, the tests and `make run`).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import pool, text
from sqlalchemy.ext.asyncio import async_engine_from_config

from ladder.kit.db import metadata
from ladder.kit.settings import to_async_url


def alembic_config(migrations_dir: Path, database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir))
    cfg.set_main_option(
        "file_template",
        "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s",
    )
    cfg.set_main_option("sqlalchemy.url", to_async_url(database_url).replace("%", "%%"))
    return cfg


def upgrade(migrations_dir: Path, database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(migrations_dir, database_url), revision)


def check(migrations_dir: Path, database_url: str) -> None:
    """Raises if the models and the migrations disagree (`alembic check`)."""
    command.check(alembic_config(migrations_dir, database_url))


def run_env(*, schema: str) -> None:
    """The body of a service's env.py (online mode only: we always have a database)."""
    config = context.config
    url = config.get_main_option("sqlalchemy.url") or to_async_url(os.environ["DATABASE_URL"])

    def include_object(obj, name, type_, reflected, compare_to):
        if type_ == "table":
            return obj.schema == schema
        return True

    def include_name(name, type_, parent_names):
        if type_ == "schema":
            return name == schema
        return True

    def do_run(connection) -> None:
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        context.configure(
            connection=connection,
            target_metadata=metadata,
            version_table="alembic_version",
            version_table_schema=schema,
            include_schemas=True,
            include_object=include_object,
            include_name=include_name,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()

    async def run_async() -> None:
        engine = async_engine_from_config(
            {"sqlalchemy.url": url}, prefix="sqlalchemy.", poolclass=pool.NullPool
        )
        async with engine.connect() as connection:
            await connection.run_sync(do_run)
            await connection.commit()
        await engine.dispose()

    asyncio.run(run_async())
