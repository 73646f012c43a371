"""The real processes a benchmark runs against: a fresh database, migrated and seeded, and the
gateway with every service on free ports, torn down (database dropped) afterwards."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from ladder.kit.tokens import SigningKey, generate_private_key_pem
from tools import testdb
from tools.migrate import upgrade_all
from tools.seed import seed_all
from tools.stack import Stack


@contextmanager
def bench_stack(prefix: str = "ladder_bench") -> Iterator[tuple[Stack, str]]:
    """(the running stack, its database URL)."""
    with testdb.server() as server:
        yield from _stack_on(server, prefix)


def _stack_on(server: str, prefix: str) -> Iterator[tuple[Stack, str]]:
    url = asyncio.run(testdb.create_database(server, prefix=prefix))
    home = Path(".data/bench")
    home.mkdir(parents=True, exist_ok=True)
    key_file = home / "signing-key.pem"
    key_file.write_bytes(generate_private_key_pem())
    stack = Stack(database_url=url, key_file=key_file, environment="dev", log_dir=home / "logs")
    try:
        upgrade_all(url)
        asyncio.run(seed_all(url))
        stack.start_all()
        # The demo enterprises' earlier recognitions, as in the cross-service tests: their
        # declarations meet the prerequisite judged on the register (issue 14).
        from tests.conftest import recognise_demo_enterprises

        with httpx.Client(base_url=stack.url("gateway"), timeout=30.0) as gateway:
            recognise_demo_enterprises(gateway, SigningKey.from_file(key_file))
        yield stack, url
    finally:
        stack.stop_all()
        asyncio.run(testdb.drop_database(url))
