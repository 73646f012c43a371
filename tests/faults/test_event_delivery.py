"""Events that can never be lost in the outbox (issue 12, item 1), with real processes.

The review service is stopped; 30 先进级 declarations with 200 scene instances each are drafted
and submitted through the gateway, so 30 large `declaration.submitted` events (~130 KB each,
~4 MB together: twice the review service's 2 MiB body cap) queue in the declaration outbox,
with a poison event beside them (written into the outbox directly: a payload that is not an
object). The review service is started again. Counted from the databases, not the client:

- every submission reaches the review service (one case and one inbox row each);
- the poison is dead-lettered, with its error, visible through the read API to the ministry
  (and to no enterprise), and the readiness detail counts it;
- after the row is fixed, a replay through the gateway delivers it.

Before the fix, the relay sent everything due in one request (413 forever) and a payload that
was not an object failed the whole batch with 422: nothing was delivered, nothing said why.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.conftest import new_factories, running_stack
from tests.e2e.test_thread import ATTESTED, DEMO_YEAR

pytestmark = pytest.mark.crossservice

DECLARATIONS = 30
SCENES = 200
URL = "/api/declaration/v1/declarations"
OUTBOX_URL = "/api/declaration/v1/outbox"
POISON_TOPIC = "declaration.fault_probe"  # a topic the review service ignores once readable
DEADLINE_SECONDS = 60.0


def _facts(i: int) -> dict:
    scenes = [
        {
            "segment": "生产作业",
            "scene": "在线智能检测",
            "instance": f"{i:02d}-{n:03d}" + "检测实例" * 45,
        }
        for n in range(SCENES)
    ]
    return {
        "cmmm_level": 3,
        "segments": ["生产作业", "生产管理", "运营管理"],
        "recognised_tier": "basic",
        "attestations": dict.fromkeys(ATTESTED, True),
        "summary": f"事件投递测试{i}",
        "scenes": scenes,
    }


async def _submit_all(base: str) -> list[str]:
    async with httpx.AsyncClient(base_url=base, timeout=60.0) as client:
        token = (await client.post("/auth/dev-token", json={"username": "enterprise"})).json()
        auth = {"Authorization": f"Bearer {token['access_token']}"}
        gate = asyncio.Semaphore(4)
        factories = await new_factories(client, auth, DECLARATIONS)

        async def one(i: int) -> str:
            async with gate:
                created = await client.post(
                    URL,
                    json={
                        "factory_id": factories[i],
                        "campaign_year": DEMO_YEAR,
                        "tier": "advanced",
                        "facts": _facts(i),
                    },
                    headers={**auth, "Idempotency-Key": uuid.uuid4().hex},
                )
                assert created.status_code == 201, created.text[:500]
                did = created.json()["id"]
                submitted = await client.post(
                    f"{URL}/{did}/submit", headers={**auth, "Idempotency-Key": uuid.uuid4().hex}
                )
                assert submitted.status_code == 200, submitted.text[:500]
                return did

        return await asyncio.gather(*(one(i) for i in range(DECLARATIONS)))


async def _scalar(dsn: str, query: str, *args) -> object:
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetchval(query, *args)
    finally:
        await conn.close()


def _db(dsn: str, query: str, *args) -> object:
    return asyncio.run(_scalar(dsn, query, *args))


def _wait_for(what: str, check, timeout: float = DEADLINE_SECONDS) -> None:
    """Poll (bounded) until `check()` is true; the bound is a give-up, not a speed claim."""
    give_up = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < give_up, f"gave up waiting: {what}"
        time.sleep(0.25)


def test_large_and_poison_events_are_delivered_dead_lettered_and_replayed(
    pg_server: str, tmp_path: Path, report
) -> None:
    with running_stack(
        pg_server,
        tmp_path,
        LADDER_OUTBOX_MAX_PERMANENT_ATTEMPTS="3",
        LADDER_OUTBOX_MAX_BACKOFF_SECONDS="1",
    ) as stack:
        dsn = stack.database_url
        gateway = stack.url("gateway")
        stack.stop("review")
        declaration_ids = asyncio.run(_submit_all(gateway))
        poison_id = _db(
            dsn,
            "INSERT INTO declaration.outbox (event_id, topic, destination, payload)"
            " VALUES ($1, $2, 'review', '[1, 2]'::jsonb) RETURNING id",
            uuid.uuid4(),
            POISON_TOPIC,
        )
        queued = _db(
            dsn,
            "SELECT count(*) FROM declaration.outbox WHERE destination = 'review'"
            " AND topic = 'declaration.submitted' AND delivered_at IS NULL",
        )
        biggest = _db(
            dsn,
            "SELECT max(octet_length(payload::text)) FROM declaration.outbox"
            " WHERE topic = 'declaration.submitted'",
        )
        assert queued == DECLARATIONS and biggest > 100_000, (queued, biggest)
        ready = httpx.get(f"{stack.url('declaration')}/readyz", timeout=10).json()
        assert ready["details"]["outbox"]["destinations"]["review"]["undelivered"] >= queued + 1

        stack.start("review")
        in_inbox = (
            "SELECT count(*) FROM review.inbox WHERE event_id IN (SELECT event_id"
            " FROM declaration.outbox WHERE topic = 'declaration.submitted')"
        )
        _wait_for("every submission in review's inbox", lambda: _db(dsn, in_inbox) == queued)
        _wait_for(
            "the poison dead-lettered",
            lambda: _db(
                dsn, "SELECT dead_at IS NOT NULL FROM declaration.outbox WHERE id = $1", poison_id
            ),
        )
        cases = _db(
            dsn,
            "SELECT count(*) FROM review.review_case WHERE declaration_id = ANY($1::uuid[])",
            [uuid.UUID(d) for d in declaration_ids],
        )
        duplicates = _db(
            dsn,
            "SELECT count(*) - count(DISTINCT declaration_id) FROM review.review_case",
        )
        assert cases == DECLARATIONS and duplicates == 0, (cases, duplicates)

        with httpx.Client(base_url=gateway, timeout=20.0) as client:

            def token(user: str) -> dict[str, str]:
                answer = client.post("/auth/dev-token", json={"username": user}).json()
                return {"Authorization": f"Bearer {answer['access_token']}"}

            ministry, enterprise = token("ministry"), token("enterprise")
            dead = client.get(f"{OUTBOX_URL}/events", params={"state": "dead"}, headers=ministry)
            assert dead.status_code == 200, dead.text
            (row,) = [e for e in dead.json()["items"] if e["outbox_id"] == poison_id]
            # At least the bound: the tries while review was down count too.
            assert row["topic"] == POISON_TOPIC and row["attempts"] >= 3, row
            assert "invalid_event" in row["last_error"], row
            refused = client.get(f"{OUTBOX_URL}/events", headers=enterprise)
            assert refused.status_code == 403, refused.text
            ready = httpx.get(f"{stack.url('declaration')}/readyz", timeout=10).json()
            assert ready["status"] == "ready"  # a dead event is reported, not a reason to fail
            assert ready["details"]["outbox"]["destinations"]["review"]["dead"] == 1

            # The fix, then the replay (by the ministry, through the gateway).
            _db(dsn, "UPDATE declaration.outbox SET payload = '{}'::jsonb WHERE id = $1",
                poison_id)  # fmt: skip
            replay = client.post(f"{OUTBOX_URL}/events/{poison_id}/replay", headers=ministry)
            assert replay.status_code == 200, replay.text
            assert replay.json()["state"] == "pending"
        _wait_for(
            "the replayed event delivered",
            lambda: _db(
                dsn,
                "SELECT delivered_at IS NOT NULL FROM declaration.outbox WHERE id = $1",
                poison_id,
            ),
        )
        replayed_in_inbox = _db(
            dsn,
            "SELECT count(*) FROM review.inbox WHERE event_id ="
            " (SELECT event_id FROM declaration.outbox WHERE id = $1)",
            poison_id,
        )
        assert replayed_in_inbox == 1
        undelivered = _db(dsn, "SELECT count(*) FROM declaration.outbox WHERE delivered_at IS NULL")
        report(
            f"event delivery: queued={queued} (+1 poison, largest {biggest} bytes)"
            f" delivered={_db(dsn, in_inbox)} cases={cases} duplicates={duplicates}"
            f" dead=1 replayed_and_delivered={replayed_in_inbox} undelivered={undelivered}"
        )
