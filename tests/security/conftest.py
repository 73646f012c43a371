"""One stack for the security suite, with the world the matrix asks about (built once)."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import running_stack
from tests.security.world import build

RSS_BEFORE: dict[str, float] = {}


@pytest.fixture(scope="session")
def world(pg_server: str, tmp_path_factory: pytest.TempPathFactory):
    """(world, gateway client). Rate limits are lifted: the matrix asks each public route once
    per role, within seconds."""
    home = tmp_path_factory.mktemp("security")
    with running_stack(
        pg_server,
        home,
        LADDER_CLOCK_CONTROL="true",
        LADDER_AUTH_RATE_PER_MINUTE="100000",
        LADDER_PUBLIC_WRITE_RATE_PER_MINUTE="100000",
    ) as stack:
        with httpx.Client(base_url=stack.url("gateway"), timeout=30.0) as gateway:
            built = build(stack, gateway)
            # Memory before the hostile inputs (test_hostile_memory.py reports after them).
            RSS_BEFORE.update(stack.rss_mib())
            yield built, gateway
