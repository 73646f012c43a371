"""Fixtures of the cultivation tests: the app on a frozen clock (its background sweeper asleep,
so only the test sweeps), a maker of 领航级 cases, and helpers for the routes."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import pytest

from ladder.kit.clock import FrozenClock
from ladder.kit.testing import TestIssuer, running, settings_for_tests
from ladder.review.cases.models import ReviewCase
from ladder.review.main import create_app
from ladder.review.settings import Settings

# 2026-01-10 10:00 in Beijing: the records of these tests start on 2026-01-01.
T0 = datetime(2026, 1, 10, 2, 0, tzinfo=UTC)
FUZHOU_USCC = "91350100M000100Y43"
GUANGZHOU_USCC = "91440100M000100Y43"


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


@pytest.fixture
async def cult(
    clean_db: str, issuer: TestIssuer, clock: FrozenClock
) -> AsyncIterator[httpx.AsyncClient]:
    """The review app; `cult.app` is the app (its clock is `clock`)."""
    settings = settings_for_tests(Settings, clean_db, cultivation_sweep_seconds=3600)
    app = create_app(settings)
    async with running(app, issuer) as c:
        app.state.clock = clock
        c.app = app  # type: ignore[attr-defined]
        yield c


@pytest.fixture
def make_case(cult):
    """Insert a review case (the service's own model) and return its declaration id."""

    async def _make(
        *,
        tier: str = "pilot",
        region: str = "350102",
        uscc: str = FUZHOU_USCC,
        unit: str | None = None,
        **kw: Any,
    ) -> str:
        did = uuid.uuid4()
        values: dict[str, Any] = {
            "declaration_id": did,
            "campaign_year": 2025,
            "tier": tier,
            "enterprise_uscc": uscc,
            "enterprise_name": f"示例企业{did.hex[:4]}",
            "factory_name": f"示例工厂{did.hex[:4]}",
            "region_code": region,
            "version": 1,
            "fingerprint": hashlib.sha256(b"v1").hexdigest(),
            "status": "recommended",
            "level": "province",
            "holder_region": region[:2] + "0000",
            "recommending_unit": unit if unit is not None else region[:2] + "0000",
            "submitted_at": datetime.now(UTC),
        }
        values.update(kw)
        async with cult.app.state.db.transaction() as session:
            session.add(ReviewCase(**values))
        return str(did)

    return _make


class Api:
    """The routes, as the tests call them (each call asserts nothing unless told)."""

    def __init__(self, client: httpx.AsyncClient, issuer: TestIssuer) -> None:
        self.c = client
        self.issuer = issuer

    def h(self, role: str, **claims: Any) -> dict[str, str]:
        return self.issuer.headers(role, **claims)

    @property
    def ministry(self) -> dict[str, str]:
        return self.h("ministry", sub="ministry-1")

    def enterprise(self, uscc: str = FUZHOU_USCC) -> dict[str, str]:
        return self.h("enterprise", sub=f"ent-{uscc[-4:]}", org=uscc)

    @staticmethod
    def key() -> dict[str, str]:
        return {"Idempotency-Key": uuid.uuid4().hex}

    async def start(self, did: str, **body: Any) -> httpx.Response:
        body = {"declaration_id": did, "start": "2026-01-01", **body}
        return await self.c.post(
            "/v1/cultivations", json=body, headers={**self.ministry, **self.key()}
        )

    async def started(self, did: str, **body: Any) -> dict:
        resp = await self.start(did, **body)
        assert resp.status_code == 201, resp.text
        return resp.json()

    async def read(self, did: str, headers: dict[str, str] | None = None) -> httpx.Response:
        return await self.c.get(f"/v1/cultivations/{did}", headers=headers or self.ministry)

    async def get(self, did: str) -> dict:
        resp = await self.read(did)
        assert resp.status_code == 200, resp.text
        assert resp.headers["ETag"] == resp.json()["etag"]
        return resp.json()

    async def _edit(
        self, method: str, did: str, path: str, body: dict, headers: dict, if_match: Any, key: bool
    ) -> httpx.Response:
        headers = dict(headers)
        if if_match is ...:
            if_match = (await self.get(did))["etag"]
        if if_match is not None:
            headers["If-Match"] = if_match
        if key:
            headers.update(self.key())
        return await self.c.request(
            method, f"/v1/cultivations/{did}/{path}", json=body, headers=headers
        )

    async def apply(self, did: str, headers=None, *, if_match: Any = ..., key=True, **body):
        body = {"summary": "培育目标均已达到：关键指标达到全球领先", **body}
        return await self._edit(
            "POST", did, "acceptance-application", body, headers or self.enterprise(), if_match, key
        )

    async def review(self, did: str, headers, decision: str, *, if_match: Any = ..., **body):
        return await self._edit(
            "POST", did, "initial-review", {"decision": decision, **body}, headers, if_match, True
        )

    async def decide(self, did: str, decision: str, headers=None, *, if_match: Any = ..., **body):
        return await self._edit(
            "POST",
            did,
            "acceptance-decision",
            {"decision": decision, **body},
            headers or self.ministry,
            if_match,
            True,
        )

    async def experts(self, did: str, experts: list[str], headers=None, *, if_match: Any = ...):
        return await self._edit(
            "PUT", did, "experts", {"experts": experts}, headers or self.ministry, if_match, False
        )

    async def sweep(self) -> dict:
        resp = await self.c.post(
            "/internal/cultivations/sweep", headers=self.issuer.service_headers("ops")
        )
        assert resp.status_code == 200, resp.text
        return resp.json()


@pytest.fixture
def api(cult, issuer) -> Api:
    return Api(cult, issuer)


async def _fetch(database_url: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        return await conn.fetch(sql, *args)
    finally:
        await conn.close()


@pytest.fixture
def outbox(clean_db: str):
    """The cultivation events queued so far: [(topic, destination, payload)], oldest first."""

    async def _outbox() -> list[tuple[str, str, dict]]:
        rows = await _fetch(
            clean_db,
            "SELECT topic, destination, payload FROM review.outbox "
            "WHERE topic LIKE 'cultivation.%' ORDER BY id",
        )
        return [(r["topic"], r["destination"], json.loads(r["payload"])) for r in rows]

    return _outbox


@pytest.fixture
def fetch(clean_db: str):
    async def _f(sql: str, *args: Any) -> list[asyncpg.Record]:
        return await _fetch(clean_db, sql, *args)

    return _f
