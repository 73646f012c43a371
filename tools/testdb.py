"""Test databases: a fresh, migrated database per test session on whichever server is chosen.

The server is `TEST_DATABASE_URL` or `DATABASE_URL` when set (e.g. the machine's
127.0.0.1:5432), otherwise the embedded PostgreSQL cluster `.data/test`.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg

from tools import devdb


def server_url() -> tuple[str, str]:
    """(server URL, how it was chosen)."""
    for var in ("TEST_DATABASE_URL", "DATABASE_URL"):
        if os.environ.get(var):
            return os.environ[var], var
    return devdb.start("test"), "embedded"


@contextmanager
def server() -> Iterator[str]:
    """`server_url()` for a run outside pytest (a benchmark): the embedded server it had to
    start is stopped again at the end, so the run leaves no process behind."""
    was_up = devdb._port_open(devdb.DEFAULT_PORTS["test"])
    url, how = server_url()
    try:
        yield url
    finally:
        if how == "embedded" and not was_up:
            devdb.stop("test")


def with_database(url: str, database: str) -> str:
    base, _, _ = url.rpartition("/")
    query = ""
    if "?" in url:
        query = "?" + url.split("?", 1)[1]
    return f"{base}/{database}{query}"


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def create_database(server: str, prefix: str = "ladder_t") -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(_plain(server))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return with_database(server, name)


async def drop_database(url: str) -> None:
    name = url.rsplit("/", 1)[1].split("?", 1)[0]
    conn = await asyncpg.connect(_plain(with_database(url, "postgres")))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def truncate_all(url: str, schemas: list[str]) -> None:
    """Empty every table of the given schemas except alembic's version tables."""
    conn = await asyncpg.connect(_plain(url))
    try:
        rows = await conn.fetch(
            "SELECT schemaname, tablename FROM pg_tables "
            "WHERE schemaname = ANY($1::text[]) AND tablename <> 'alembic_version'",
            schemas,
        )
        if rows:
            names = ", ".join(f'"{r["schemaname"]}"."{r["tablename"]}"' for r in rows)
            await conn.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    finally:
        await conn.close()
