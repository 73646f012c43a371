"""The credential cache (issue 12 item 8): a process started while the token issuer is down
verifies tokens with the key set stored before the outage and calls its peers with the stored
service token until that token expires.

The issuer is a real one on a real port (a throwaway app served by uvicorn): "down" is the
server stopped, so the port refuses connections like a gateway that is not there. A process
restart is a new verifier or provider over the same database table.
"""

from __future__ import annotations

import asyncio
import socket
import time
from urllib.parse import parse_qs

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request
from sqlalchemy import MetaData, select, text

from ladder.kit.auth import TokenVerifier
from ladder.kit.credentials import (
    CredentialStore,
    StoredJwks,
    StoredServiceToken,
    credential_cache_table,
)
from ladder.kit.db import Database
from ladder.kit.errors import ServiceUnavailable, Unauthenticated
from ladder.kit.http import ServiceTokenProvider
from ladder.kit.testing import AUDIENCE, ISSUER, TestIssuer

SCHEMA = "kit_credentials_test"
md = MetaData()
CACHE = credential_cache_table(md, SCHEMA)
SECRET = "declaration-secret"
CLIENT = "declaration"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Issuer:
    """A token issuer on 127.0.0.1: its JWKS and a client-credentials token endpoint."""

    def __init__(self, keys: TestIssuer | None = None, *, ttl_seconds: int = 3600) -> None:
        self.keys = keys or TestIssuer()
        self.ttl_seconds = ttl_seconds
        self.port = _free_port()
        self.tokens_issued = 0
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task | None = None
        app = FastAPI()

        @app.get("/.well-known/jwks.json")
        async def jwks() -> dict:
            return self.keys.key.jwks()

        @app.post("/auth/token")
        async def token(request: Request) -> dict:
            form = parse_qs((await request.body()).decode())
            assert form["client_secret"] == [SECRET]
            self.tokens_issued += 1
            client_id = form["client_id"][0]
            return {
                "access_token": self.keys.token(
                    "service", sub=f"service:{client_id}", ttl_seconds=self.ttl_seconds
                ),
                "token_type": "bearer",
                "expires_in": self.ttl_seconds,
            }

        self.app = app

    @property
    def jwks_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/.well-known/jwks.json"

    @property
    def token_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/auth/token"

    async def start(self) -> None:
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, lifespan="off", log_level="warning"
        )
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            assert not self._task.done(), "the issuer did not start"
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        assert self._server is not None and self._task is not None
        self._server.should_exit = True
        await self._task
        with pytest.raises(httpx.ConnectError):  # down: the port refuses connections
            async with httpx.AsyncClient() as client:
                await client.get(self.jwks_url)


@pytest.fixture
async def db(database_url):
    database = Database(database_url, schema=SCHEMA)
    async with database.engine.begin() as conn:
        await conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        await conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
        await conn.run_sync(md.create_all)
    yield database
    async with database.engine.begin() as conn:
        await conn.execute(text(f"DROP SCHEMA {SCHEMA} CASCADE"))
    await database.dispose()


@pytest.fixture
async def issuer():
    running = Issuer()
    await running.start()
    yield running
    if running._task is not None and not running._task.done():
        await running.stop()


def _verifier(db: Database, jwks_url: str, **kwargs) -> TokenVerifier:
    """A verifier as a service process builds it (`create_service_app`)."""
    store = CredentialStore(db, CACHE, secret=SECRET)
    return TokenVerifier(
        jwks_url=jwks_url,
        issuer=ISSUER,
        audience=AUDIENCE,
        algorithms=["RS256"],
        cache=StoredJwks(store, jwks_url),
        **kwargs,
    )


def _provider(db: Database, token_url: str, *, secret: str = SECRET) -> ServiceTokenProvider:
    store = CredentialStore(db, CACHE, secret=secret)
    return ServiceTokenProvider(
        token_url=token_url,
        client_id=CLIENT,
        client_secret=SECRET,
        cache=StoredServiceToken(store, token_url, CLIENT),
    )


async def _rows(db: Database) -> list:
    async with db.transaction() as session:
        return list((await session.execute(select(CACHE))).all())


async def test_a_restarted_verifier_uses_the_stored_key_set_while_the_issuer_is_down(db, issuer):
    token = issuer.keys.token("county", sub="u1", region="350102")
    before = _verifier(db, issuer.jwks_url)
    assert (await before.verify(token)).sub == "u1"
    await before.aclose()
    [row] = await _rows(db)
    assert row.expires_at is None  # a key set is a fallback, not something that expires
    assert set(row.value) == {"sealed"}

    await issuer.stop()
    # Without the cache (the old code), a process started now cannot verify anything.
    bare = TokenVerifier(
        jwks_url=issuer.jwks_url, issuer=ISSUER, audience=AUDIENCE, algorithms=["RS256"]
    )
    with pytest.raises(Unauthenticated) as exc:
        await bare.verify(token)
    assert exc.value.details["reason"] == "jwks_unavailable"
    await bare.aclose()

    restarted = _verifier(db, issuer.jwks_url)
    principal = await restarted.verify(token)
    assert (principal.sub, principal.region) == ("u1", "350102")
    # The stored keys are the issuer's, nothing more: another key's token is still refused.
    with pytest.raises(Unauthenticated) as exc:
        await restarted.verify(TestIssuer().token("ministry"))
    assert exc.value.details["reason"] == "unknown_key"
    await restarted.aclose()


async def test_a_fresh_fetch_wins_over_the_stored_key_set(db, issuer):
    """Keys rotate: the stored set is only a fallback for a fetch that fails."""
    old_token = issuer.keys.token("ministry")
    before = _verifier(db, issuer.jwks_url)
    await before.verify(old_token)
    await before.aclose()

    rotated = TestIssuer()
    issuer.keys = rotated  # the issuer now publishes only the new key
    restarted = _verifier(db, issuer.jwks_url)
    with pytest.raises(Unauthenticated) as exc:
        await restarted.verify(old_token)
    assert exc.value.details["reason"] == "unknown_key"
    assert (await restarted.verify(rotated.token("ministry"))).role == "ministry"
    await restarted.aclose()

    # ... and the stored set follows: after an outage, the new key is the one known.
    await issuer.stop()
    later = _verifier(db, issuer.jwks_url)
    assert (await later.verify(rotated.token("ministry"))).role == "ministry"
    with pytest.raises(Unauthenticated):
        await later.verify(old_token)
    await later.aclose()


async def test_a_verifier_does_not_ask_a_down_issuer_on_every_request(db, issuer):
    keys = issuer.keys
    before = _verifier(db, issuer.jwks_url)
    await before.verify(keys.token("ministry"))
    await before.aclose()
    await issuer.stop()

    attempts = []

    def down(request: httpx.Request) -> httpx.Response:
        attempts.append(request.url.path)
        raise httpx.ConnectError("issuer down")

    restarted = _verifier(
        db, issuer.jwks_url, http=httpx.AsyncClient(transport=httpx.MockTransport(down))
    )
    for i in range(5):
        await restarted.verify(keys.token("county", sub=f"u{i}", region="350102"))
    assert len(attempts) == 1  # then again after `min_refresh_interval`, not per request
    await restarted.aclose()


async def test_a_restarted_provider_uses_the_stored_token_while_the_issuer_is_down(db, issuer):
    before = _provider(db, issuer.token_url)
    token = await before.token()
    await before.aclose()
    [row] = await _rows(db)
    assert token not in str(row.value)  # sealed: the database holds no usable bearer token
    assert abs(row.expires_at.timestamp() - (time.time() + issuer.ttl_seconds)) < 30

    await issuer.stop()
    restarted = _provider(db, issuer.token_url)
    assert await restarted.token() == token
    assert await restarted.token() == token  # kept in memory: the store is read once
    assert issuer.tokens_issued == 1
    # It is a real token of the issuer: a peer (still holding the keys) accepts it.
    principal = await issuer.keys.verifier().verify(token)
    assert principal.sub == f"service:{CLIENT}"
    await restarted.aclose()


@pytest.mark.parametrize(
    "seconds_left",
    [-10, 30],  # expired; inside the 60 s margin a token in memory is renewed at
    ids=["expired", "about_to_expire"],
)
async def test_an_expired_stored_token_is_not_used(db, issuer, seconds_left):
    token = issuer.keys.token("service", sub=f"service:{CLIENT}", ttl_seconds=60)
    store = CredentialStore(db, CACHE, secret=SECRET)
    await StoredServiceToken(store, issuer.token_url, CLIENT).save(
        token, time.time() + seconds_left
    )
    await issuer.stop()
    restarted = _provider(db, issuer.token_url)
    with pytest.raises(ServiceUnavailable) as exc:  # 503, as without a cache
        await restarted.token()
    assert exc.value.status_code == 503
    assert exc.value.details == {"dependency": "token_issuer"}
    await restarted.aclose()


async def test_a_stored_token_sealed_with_another_secret_is_not_used(db, issuer):
    before = _provider(db, issuer.token_url)
    await before.token()
    await before.aclose()
    await issuer.stop()
    rotated = _provider(db, issuer.token_url, secret="the-new-secret")
    with pytest.raises(ServiceUnavailable):
        await rotated.token()
    await rotated.aclose()


async def test_a_database_that_is_down_does_not_fail_verification(issuer):
    """The cache is best effort: with its database unreachable the verifier works as before."""
    down = Database("postgresql://ladder@127.0.0.1:1/ladder", schema=SCHEMA)
    verifier = _verifier(down, issuer.jwks_url)
    assert (await verifier.verify(issuer.keys.token("ministry"))).role == "ministry"
    provider = _provider(down, issuer.token_url)
    assert await provider.token()
    await provider.aclose()
    await verifier.aclose()
    await down.dispose()
