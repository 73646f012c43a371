"""A submission load for the fault suite: clients drafting and submitting 先进级 declarations
through the gateway while processes are killed or the database restarts.

Each client is what a careful real client is: one Idempotency-Key per logical request, kept
across its retries, and retries on what says "try again" (no connection, 5xx, a key still in
progress). What the clients were told is recorded, so the test can count, from the databases,
that every acknowledged write is stored exactly once.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import asyncpg
import httpx

from tests.conftest import new_factories
from tests.e2e.test_thread import DEMO_YEAR, FACTS

URL = "/api/declaration/v1/declarations"
# Answers that say "the same request may succeed later" (the key makes the retry safe).
RETRYABLE = frozenset({409, 500, 502, 503, 504})
RETRY_PAUSE = 0.2


@dataclass
class LoadResult:
    acknowledged: list[str] = field(default_factory=list)  # submitted and told 200
    statuses: Counter = field(default_factory=Counter)  # every answer seen, retries included
    retry_after: int = 0  # 503 answers carrying Retry-After
    transport_errors: int = 0
    refused: list[str] = field(default_factory=list)  # a 4xx that is not a retry signal


async def _send(
    client: httpx.AsyncClient, result: LoadResult, path: str, body: dict | None, auth: dict
) -> httpx.Response | None:
    """POST until a final answer, with one key; None when the give-up bound passes."""
    headers = {**auth, "Idempotency-Key": uuid.uuid4().hex}
    give_up = time.monotonic() + 90.0
    while time.monotonic() < give_up:
        try:
            resp = await client.post(path, json=body, headers=headers)
        except httpx.TransportError:
            result.transport_errors += 1
            await asyncio.sleep(RETRY_PAUSE)
            continue
        result.statuses[resp.status_code] += 1
        if resp.status_code == 503 and "retry-after" in resp.headers:
            result.retry_after += 1
        if resp.status_code in RETRYABLE:
            if resp.status_code == 409 and "idempotency" not in resp.text:
                return resp
            await asyncio.sleep(RETRY_PAUSE)
            continue
        return resp
    return None


async def _token(client: httpx.AsyncClient) -> dict[str, str]:
    for _ in range(100):
        try:
            resp = await client.post("/auth/dev-token", json={"username": "enterprise"})
            if resp.status_code == 200:
                return {"Authorization": f"Bearer {resp.json()['access_token']}"}
        except httpx.TransportError:
            pass
        await asyncio.sleep(RETRY_PAUSE)
    raise AssertionError("no token from the gateway")


async def run_load(gateway: str, *, clients: int, pairs: int, label: str) -> LoadResult:
    """`pairs` draft+submit pairs spread over `clients` concurrent clients."""
    result = LoadResult()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=gateway, timeout=30.0, limits=limits) as client:
        auth = await _token(client)
        factories = await new_factories(client, auth, pairs)  # one declaration per factory
        todo = iter(range(pairs))

        async def worker() -> None:
            for i in todo:
                body = {
                    "factory_id": factories[i],
                    "campaign_year": DEMO_YEAR,
                    "tier": "advanced",
                    "facts": {**FACTS, "summary": f"{label}{i}"},
                }
                created = await _send(client, result, URL, body, auth)
                if created is None or created.status_code != 201:
                    result.refused.append(f"create {i}: {created and created.text[:300]}")
                    continue
                did = created.json()["id"]
                submitted = await _send(client, result, f"{URL}/{did}/submit", None, auth)
                if submitted is None or submitted.status_code != 200:
                    result.refused.append(f"submit {did}: {submitted and submitted.text[:300]}")
                    continue
                result.acknowledged.append(did)

        await asyncio.gather(*(worker() for _ in range(clients)))
    return result


async def _fetch(dsn: str, query: str, *args) -> object:
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetchval(query, *args)
    finally:
        await conn.close()


def db_value(dsn: str, query: str, *args) -> object:
    return asyncio.run(_fetch(dsn, query, *args))


def wait_until(what: str, check, timeout: float = 60.0, interval: float = 0.25) -> None:
    """Poll (bounded) until `check()` holds; the bound is a give-up, not a speed claim."""
    give_up = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < give_up, f"gave up waiting: {what}"
        time.sleep(interval)


def undelivered(dsn: str) -> int:
    return int(
        db_value(
            dsn,
            "SELECT (SELECT count(*) FROM declaration.outbox WHERE delivered_at IS NULL)"
            " + (SELECT count(*) FROM review.outbox WHERE delivered_at IS NULL)",
        )
    )


def stored_counts(dsn: str, acknowledged: list[str], label: str) -> dict[str, int]:
    """What the databases hold for the load's declarations (by their summary label)."""
    ids = [uuid.UUID(d) for d in acknowledged]
    mine = "SELECT id FROM declaration.declaration WHERE facts->>'summary' LIKE $1"
    like = f"{label}%"
    return {
        "acknowledged": len(acknowledged),
        "acknowledged_stored": int(
            db_value(
                dsn,
                "SELECT count(*) FROM declaration.declaration WHERE id = ANY($1::uuid[])"
                " AND status = 'submitted'",
                ids,
            )
        ),
        "declarations": int(
            db_value(
                dsn,
                "SELECT count(*) FROM declaration.declaration WHERE facts->>'summary' LIKE $1",
                like,
            )
        ),
        "submitted": int(
            db_value(
                dsn,
                "SELECT count(*) FROM declaration.declaration WHERE facts->>'summary' LIKE $1"
                " AND status = 'submitted'",
                like,
            )
        ),
        "versions": int(
            db_value(
                dsn,
                "SELECT count(*) FROM declaration.declaration_version"
                f" WHERE declaration_id IN ({mine})",
                like,
            )
        ),
        "duplicate_versions": int(
            db_value(
                dsn,
                "SELECT count(*) - count(DISTINCT declaration_id) FROM"
                f" declaration.declaration_version WHERE declaration_id IN ({mine})",
                like,
            )
        ),
        "cases": int(
            db_value(
                dsn,
                f"SELECT count(*) FROM review.review_case WHERE declaration_id IN ({mine})",
                like,
            )
        ),
        "duplicate_cases": int(
            db_value(
                dsn,
                "SELECT count(*) - count(DISTINCT declaration_id) FROM review.review_case"
                f" WHERE declaration_id IN ({mine})",
                like,
            )
        ),
    }
