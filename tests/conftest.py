"""Cross-service fixtures: the real processes on free ports against a real database."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from ladder.kit.tokens import SigningKey, generate_private_key_pem
from tools import testdb
from tools.migrate import upgrade_all
from tools.seed import seed_all
from tools.stack import Stack


@pytest.fixture(scope="session")
def stack(pg_server: str, tmp_path_factory: pytest.TempPathFactory):
    """Gateway + three services as separate uvicorn processes, seeded like `make run`."""
    url = asyncio.run(testdb.create_database(pg_server, prefix="ladder_e2e"))
    upgrade_all(url)
    asyncio.run(seed_all(url))
    home = tmp_path_factory.mktemp("stack")
    key_file = home / "signing-key.pem"
    key_file.write_bytes(generate_private_key_pem())
    running = Stack(database_url=url, key_file=key_file, environment="dev", log_dir=home / "logs")
    try:
        running.start_all()
        yield running
    finally:
        running.stop_all()
        asyncio.run(testdb.drop_database(url))


@pytest.fixture(scope="session")
def signing_key(stack: Stack) -> SigningKey:
    """The gateway's own key, to mint tokens the tests need (expired ones, say)."""
    return SigningKey.from_file(stack.key_file)


@pytest.fixture
def gateway(stack: Stack):
    with httpx.Client(base_url=stack.url("gateway"), timeout=20.0) as client:
        yield client


def dev_token(gateway: httpx.Client, username: str) -> dict[str, str]:
    resp = gateway.post("/auth/dev-token", json={"username": username})
    assert resp.status_code == 200, resp.text
    return {"Authorization": f"Bearer {resp.json()['access_token']}"}
