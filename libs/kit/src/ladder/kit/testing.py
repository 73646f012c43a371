"""Helpers for in-process tests of a service: a token issuer and an ASGI client with lifespan.

Cross-service tests do not use this: they start real processes (see `tests/`).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
import yaml
from fastapi import FastAPI
from pydantic import BaseModel

from ladder.kit.auth import Role, TokenVerifier
from ladder.kit.outbox import payload_json
from ladder.kit.settings import KitSettings
from ladder.kit.tokens import SigningKey
from ladder.kit.units import UNITS_PATH, Registry
from ladder.kit.units import parse as parse_units

SettingsT = TypeVar("SettingsT", bound=KitSettings)
ISSUER = "ladder-gateway"
AUDIENCE = "ladder"


class TestIssuer:
    """Mints tokens for test principals and verifies them without any network."""

    __test__ = False  # not a pytest class

    def __init__(self) -> None:
        self.key = SigningKey.generate()

    def token(
        self,
        role: Role | str,
        *,
        sub: str | None = None,
        org: str | None = None,
        region: str | None = None,
        name: str = "",
        ttl_seconds: int = 3600,
        **extra: Any,
    ) -> str:
        role = Role(role)
        claims = {"sub": sub or f"test-{role.value}", "role": role.value, "name": name, **extra}
        if org is not None:
            claims["org"] = org
        if region is not None:
            claims["region"] = region
        return self.key.mint(claims, issuer=ISSUER, audience=AUDIENCE, ttl_seconds=ttl_seconds)

    def headers(self, role: Role | str, **kwargs: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(role, **kwargs)}"}

    def service_headers(self, service: str) -> dict[str, str]:
        return self.headers(Role.service, sub=f"service:{service}", name=service)

    def verifier(self) -> TokenVerifier:
        jwks = self.key.jwks()
        transport = httpx.MockTransport(lambda _req: httpx.Response(200, json=jwks))
        return TokenVerifier(
            jwks_url="http://issuer.test/.well-known/jwks.json",
            issuer=ISSUER,
            audience=AUDIENCE,
            algorithms=["RS256"],
            http=httpx.AsyncClient(transport=transport),
        )


@asynccontextmanager
async def running(app: FastAPI, issuer: TestIssuer) -> AsyncIterator[httpx.AsyncClient]:
    """Run the app's lifespan, trust `issuer`, and yield an ASGI client for it."""
    async with app.router.lifespan_context(app):
        await app.state.verifier.aclose()
        app.state.verifier = issuer.verifier()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


def wire_peer(app: FastAPI, name: str, peer_app: FastAPI, issuer: TestIssuer, caller: str) -> None:
    """Point `app`'s client for peer `name` at another in-process app."""
    app.state.peers[name] = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=peer_app),
        base_url=f"http://{name}",
        headers=issuer.service_headers(caller),
    )


def settings_for_tests(
    settings_cls: type[SettingsT], database_url: str, **overrides: Any
) -> SettingsT:
    """A service's settings for in-process tests: the test database, no real issuer needed."""
    values: dict[str, Any] = {
        "database_url": database_url,
        "jwks_url": "http://issuer.invalid/.well-known/jwks.json",
        "token_url": "http://issuer.invalid/auth/token",
        "service_client_secret": "test-secret",
        "environment": "test",
        "log_json": False,
        "freeze_startup_heap": False,
        **overrides,
    }
    return settings_cls(**values)


@asynccontextmanager
async def scratch_schema(database_url: str, schema: str, metadata: Any) -> AsyncIterator[Any]:
    """A `Database` on a schema of its own holding `metadata`'s tables, dropped afterwards:
    for kit tests of tables a service would own (outbox, inbox, keys, caches)."""
    from sqlalchemy import text

    from ladder.kit.db import Database

    database = Database(database_url, schema=schema)
    async with database.engine.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        await conn.run_sync(metadata.create_all)
    try:
        yield database
    finally:
        async with database.engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await database.dispose()


def event_envelope(
    topic: str,
    payload: BaseModel | dict[str, Any],
    *,
    source: str,
    at: datetime | None = None,
    event_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """An event as a producer's relay sends it to `/internal/events`: the envelope, and the
    payload as `outbox.publish` stores it (a dict is sent as it is, so a test can also send
    what the contract forbids)."""
    return {
        "event_id": str(event_id or uuid.uuid4()),
        "topic": topic,
        "source": source,
        "occurred_at": (at or datetime.now(UTC)).isoformat(),
        "payload": payload_json(payload),
    }


# A 管委会 roster for tests: the shipped registry lists no enterprise under a 管委会 (the seeds
# name the units, not whom they cover), so tests enter one.
LINGANG_ENTERPRISE = "91310115MA1K4LXX1X"


def registry_with_rosters(rosters: dict[str, list[str]] | None = None) -> Registry:
    """The registry in force with these units' enterprises entered (unit id → USCCs); by
    default `LINGANG_ENTERPRISE` under 临港新片区管委会 (`sh-lingang`)."""
    rosters = rosters if rosters is not None else {"sh-lingang": [LINGANG_ENTERPRISE]}
    raw = yaml.safe_load(UNITS_PATH.read_text(encoding="utf-8"))
    for unit in raw["units"]:
        if unit["id"] in rosters:
            unit["covers"] = {**unit.get("covers", {}), "enterprises": rosters[unit["id"]]}
    return parse_units(yaml.safe_dump(raw, allow_unicode=True))
