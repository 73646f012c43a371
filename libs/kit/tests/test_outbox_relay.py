"""The relay against a real consumer over HTTP (an aiohttp app on a free port of its own) and a
real database: byte-capped batches, bisection of refused batches, isolation and dead-lettering
of a poison event, jittered backoff on the database's clock, the read API and replays, the
warnings it logs (without payloads) and the readiness detail."""

from __future__ import annotations

import asyncio
import json
import logging
import random
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from aiohttp import web
from fastapi import FastAPI
from sqlalchemy import MetaData, insert, select, text, update

from ladder.kit.db import Database
from ladder.kit.errors import install_error_handlers
from ladder.kit.health import health_router
from ladder.kit.outbox import OutboxRelay, backoff_seconds, events_router, inbox_table, outbox_table
from ladder.kit.outbox import publish as publish_event
from ladder.kit.outbox_ops import (
    OutboxState,
    list_events,
    outbox_router,
    replay_dead,
    replay_one,
    stats_detail,
)
from ladder.kit.testing import TestIssuer, scratch_schema

SCHEMA = "kit_relay_test"
md = MetaData()
OUTBOX = outbox_table(md, SCHEMA)
INBOX = inbox_table(md, SCHEMA)
SECRET = "福州某某智能制造有限公司"  # payload content that must never reach a log line


@pytest.fixture
async def db(database_url):
    async with scratch_schema(database_url, SCHEMA, md) as database:
        yield database


def _envelope(status: int, code: str) -> web.Response:
    body = {"error": {"code": code, "message": "错误", "message_en": code, "details": {}}}
    return web.json_response(body, status=status)


class Consumer:
    """A consumer over real HTTP. `cap` answers 413 to a larger body (a consumer's body cap);
    `strict` answers 422 to a whole batch holding a payload that is not an object (what
    consumers did before they checked events one by one); `down` answers 503."""

    def __init__(self, *, cap: int | None = None, strict: bool = False) -> None:
        self.cap = cap
        self.strict = strict
        self.down = False
        self.requests: list[tuple[int, int, int]] = []  # (bytes, events, status)
        self.received: list[str] = []
        self.url = ""

    async def batch(self, request: web.Request) -> web.Response:
        raw = await request.read()
        events = json.loads(raw)["events"]
        status = 200
        if self.down:
            status = 503
        elif self.cap is not None and len(raw) > self.cap:
            status = 413
        elif self.strict and any(not isinstance(e["payload"], dict) for e in events):
            status = 422
        self.requests.append((len(raw), len(events), status))
        if status != 200:
            return _envelope(status, {503: "unavailable", 413: "payload_too_large"}.get(
                status, "invalid_input"))  # fmt: skip
        self.received.extend(e["event_id"] for e in events)
        return web.json_response(
            {"results": [{"event_id": e["event_id"], "status": "accepted"} for e in events]}
        )

    @asynccontextmanager
    async def serving(self) -> AsyncIterator[Consumer]:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/internal/events/batch", self.batch)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        try:
            yield self
        finally:
            await runner.cleanup()


@asynccontextmanager
async def relay_to(db: Database, url: str, **kwargs: Any) -> AsyncIterator[OutboxRelay]:
    client = httpx.AsyncClient(base_url=url, timeout=10)
    kwargs.setdefault("max_backoff_seconds", 0.0)
    try:
        yield OutboxRelay(db, OUTBOX, source="kit-test", client_for=lambda _d: client, **kwargs)
    finally:
        await client.aclose()


async def _queue(db: Database, n: int, size: int = 100, destination: str = "review") -> list[str]:
    ids = []
    async with db.transaction() as s:
        for i in range(n):
            payload = {"n": i, "name": SECRET, "pad": "x" * size}
            ids.append(str(await publish_event(s, OUTBOX, topic="t.ok", payload=payload,
                                               destinations=[destination])))  # fmt: skip
    return ids


async def _poison(db: Database, payload: Any = (1, 2)) -> int:
    """A row whose payload is not an object, written straight into the table."""
    async with db.transaction() as s:
        return (
            await s.execute(
                insert(OUTBOX)
                .values(
                    event_id=uuid.uuid4(), topic="t.ok", destination="review", payload=list(payload)
                )
                .returning(OUTBOX.c.id)
            )
        ).scalar_one()


async def _rows(db: Database) -> dict[int, Any]:
    async with db.transaction() as s:
        rows = (await s.execute(select(OUTBOX).order_by(OUTBOX.c.id))).mappings().all()
    return {r["id"]: r for r in rows}


async def _make_due(db: Database) -> None:
    """Backoff is the relay's business; a test moves the clock of the rows, not its own."""
    async with db.transaction() as s:
        await s.execute(update(OUTBOX).values(available_at=text("now() - interval '1 second'")))


async def test_batches_are_capped_by_bytes_and_an_oversized_event_goes_alone(db):
    async with Consumer(cap=64 * 1024).serving() as consumer:
        await _queue(db, 12, size=10_000)
        big = (await _queue(db, 1, size=100_000))[0]
        await _queue(db, 3, size=10_000)
        async with relay_to(db, consumer.url, max_batch_bytes=48 * 1024,
                            max_permanent_attempts=2) as relay:  # fmt: skip
            assert await relay.deliver_due() == 15
            # every batch but the big event's own fits the cap; the big one went alone
            for size, count, status in consumer.requests:
                assert (size <= 48 * 1024 and status == 200) or (count == 1 and status == 413)
            assert sum(1 for r in consumer.requests if r[2] == 413) == 1
            await _make_due(db)
            assert await relay.deliver_due() == 0
    rows = await _rows(db)
    (dead,) = [r for r in rows.values() if r["delivered_at"] is None]
    assert str(dead["event_id"]) == big
    assert dead["dead_at"] is not None and dead["attempts"] == 2
    assert "413 payload_too_large" in dead["last_error"]
    assert len(set(consumer.received)) == 15
    print(f"\nrequests={len(consumer.requests)} delivered=15 dead=1")


async def test_a_batch_refused_as_too_large_is_bisected_until_it_fits(db):
    async with Consumer(cap=64 * 1024).serving() as consumer:
        ids = await _queue(db, 40, size=8_000)
        async with relay_to(db, consumer.url, max_batch_bytes=16 * 1024 * 1024) as relay:
            assert await relay.deliver_due() == 40  # all in the same pass
    assert sorted(consumer.received) == sorted(ids)
    assert consumer.requests[0][2] == 413 and consumer.requests[-1][2] == 200
    assert all(r["attempts"] == 0 for r in (await _rows(db)).values())


async def test_a_poison_event_is_isolated_dead_lettered_listed_and_replayed_after_a_fix(db, caplog):
    caplog.set_level(logging.WARNING, logger="ladder.outbox")
    async with Consumer(strict=True).serving() as consumer:
        good = await _queue(db, 5)
        poison = await _poison(db)
        good += await _queue(db, 4)
        async with relay_to(db, consumer.url, max_permanent_attempts=3) as relay:
            # the others are delivered in the first pass, the poison alone waits
            assert await relay.deliver_due() == 9
            assert sorted(consumer.received) == sorted(good)
            first = (await _rows(db))[poison]
            assert first["attempts"] == 1 and first["dead_at"] is None
            assert first["last_error"].startswith("HTTP 422")
            for _ in range(2):
                await _make_due(db)
                assert await relay.deliver_due() == 0
            dead = (await _rows(db))[poison]
            assert dead["attempts"] == 3 and dead["dead_at"] is not None
            # a dead row is not due any more, whatever its available_at
            await _make_due(db)
            assert await relay.deliver_due() == 0
            alone = [r for r in consumer.requests if r[1] == 1 and r[2] == 422]
            assert len(alone) == 3  # isolated in the first pass, then tried alone
            async with db.transaction() as s:
                page = await list_events(s, OUTBOX, OutboxState.dead)
                retrying = await list_events(s, OUTBOX, OutboxState.retrying)
            assert [i.outbox_id for i in page.items] == [poison] and retrying.items == []
            assert page.items[0].last_error.startswith("HTTP 422")
            # the fix: the row's payload made an object; the replay makes it due now
            async with db.transaction() as s:
                await s.execute(update(OUTBOX).where(OUTBOX.c.id == poison)
                                .values(payload={"n": 99}))  # fmt: skip
                replayed = await replay_one(s, OUTBOX, poison)
            assert replayed.state is OutboxState.pending and replayed.replays == 1
            assert replayed.last_error.startswith("HTTP 422")  # history kept
            assert await relay.deliver_due() == 1
    assert str((await _rows(db))[poison]["event_id"]) in consumer.received
    messages = [r.getMessage() for r in caplog.records]
    assert sum("not delivered, will retry" in m for m in messages) == 1  # first failure only
    assert sum("dead-lettered after 3 attempts" in m for m in messages) == 1
    assert all(SECRET not in m and "[1, 2]" not in m for m in messages)


async def test_a_rejected_event_in_a_good_batch_is_permanent_and_transient_errors_last_longer(db):
    """A consumer that is down (503) is retried up to the transient bound, not dead after the
    few tries a refused event gets."""
    async with Consumer().serving() as consumer:
        await _queue(db, 3)
        consumer.down = True
        async with relay_to(db, consumer.url, max_permanent_attempts=1,
                            max_transient_attempts=3) as relay:  # fmt: skip
            for _ in range(2):
                assert await relay.deliver_due() == 0
                await _make_due(db)
            assert all(r["dead_at"] is None for r in (await _rows(db)).values())
            assert await relay.deliver_due() == 0
            rows = (await _rows(db)).values()
            assert all(r["dead_at"] is not None and r["attempts"] == 3 for r in rows)
            assert all("HTTP 503 unavailable" in r["last_error"] for r in rows)
            async with db.transaction() as s:
                assert await replay_dead(s, OUTBOX, destination="review") == 3
            consumer.down = False
            assert await relay.deliver_due() == 3


def test_backoff_is_exponential_with_equal_jitter_and_capped():
    rng = random.Random(7)
    for attempts in range(1, 12):
        base = min(30.0, 0.5 * 2**attempts)
        delays = [backoff_seconds(attempts, 30.0, rng) for _ in range(200)]
        assert all(base / 2 <= d <= base for d in delays)
        assert max(delays) - min(delays) > base / 4  # spread out, not in step
    assert backoff_seconds(50, 30.0, rng) <= 30.0


async def test_the_backoff_is_set_on_the_databases_clock(db):
    async with Consumer().serving() as consumer:
        await _queue(db, 20)
        consumer.down = True
        async with relay_to(db, consumer.url, max_backoff_seconds=30.0) as relay:
            await relay.deliver_due()
    delays = [
        (r["available_at"] - r["last_attempt_at"]).total_seconds()
        for r in (await _rows(db)).values()
    ]
    # attempt 1: base 1 s; the delay is added to now() of the same transaction
    assert all(0.5 <= d <= 1.0 for d in delays)
    assert len(set(delays)) > 1  # jittered


async def test_a_failing_pass_is_logged_once_not_every_poll(caplog):
    caplog.set_level(logging.WARNING, logger="ladder.outbox")
    dead_db = Database("postgresql://postgres@127.0.0.1:1/nothing", schema=SCHEMA)
    relay = OutboxRelay(dead_db, OUTBOX, source="kit-test", client_for=lambda _d: None,  # type: ignore[arg-type]
                        poll_seconds=0.01)  # fmt: skip
    task = asyncio.create_task(relay.run_forever())
    try:
        for _ in range(2000):
            if relay._failed_passes >= 5:
                break
            await asyncio.sleep(0.01)
    finally:
        await relay.stop()
        await asyncio.wait_for(task, timeout=10)
        await dead_db.dispose()
    failures = [r for r in caplog.records if "pass failed" in r.getMessage()]
    assert relay._failed_passes >= 5
    assert len(failures) == 1 and failures[0].exc_info is not None


def _ops_app(db: Database, issuer: TestIssuer) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    app.state.db = db
    app.state.verifier = issuer.verifier()
    app.state.readiness_details = {"outbox": stats_detail(db, OUTBOX)}
    app.include_router(health_router())
    app.include_router(outbox_router(OUTBOX))
    return app


async def test_readiness_reports_the_outbox_without_becoming_unready(db):
    await _queue(db, 2, destination="review")
    await _queue(db, 1, destination="rules")
    poison = await _poison(db)
    async with db.transaction() as s:
        await s.execute(update(OUTBOX).where(OUTBOX.c.destination == "review",
                                             OUTBOX.c.id != poison)
                        .values(created_at=text("now() - interval '2 hours'")))  # fmt: skip
        await s.execute(update(OUTBOX).where(OUTBOX.c.id == poison).values(dead_at=text("now()")))
    app = _ops_app(db, TestIssuer())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://c") as c:
        resp = await c.get("/readyz")
    assert resp.status_code == 200, resp.text
    outbox = resp.json()["details"]["outbox"]
    assert outbox["undelivered"] == 3 and outbox["dead"] == 1
    assert outbox["oldest_undelivered_age_seconds"] >= 7200
    review = outbox["destinations"]["review"]
    assert review["undelivered"] == 2 and review["dead"] == 1
    assert review["oldest_undelivered_age_seconds"] >= 7200
    assert outbox["destinations"]["rules"]["oldest_undelivered_age_seconds"] < 7200


async def test_the_read_api_and_replays_are_for_the_ministry_and_services(db):
    issuer = TestIssuer()
    app = _ops_app(db, issuer)
    await _queue(db, 3)
    poison = await _poison(db)
    async with db.transaction() as s:
        dead = {"dead_at": text("now()"), "attempts": 5, "last_error": "HTTP 422"}
        await s.execute(update(OUTBOX).where(OUTBOX.c.id == poison).values(**dead))
    ministry = issuer.headers("ministry")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://c") as c:
        page = await c.get("/v1/outbox/events", params={"state": "pending", "limit": 2},
                           headers=ministry)  # fmt: skip
        assert page.status_code == 200, page.text
        body = page.json()
        assert len(body["items"]) == 2 and "payload" not in body["items"][0]
        rest = await c.get("/v1/outbox/events", params={"state": "pending",
                           "after": body["next_after"]}, headers=ministry)  # fmt: skip
        assert len(rest.json()["items"]) == 1 and rest.json()["next_after"] is None
        dead = await c.get("/v1/outbox/events", params={"state": "dead"},
                           headers=issuer.service_headers("ops"))  # fmt: skip
        assert [i["outbox_id"] for i in dead.json()["items"]] == [poison]
        for role in ("enterprise", "province", "expert"):
            refused = await c.get("/v1/outbox/events", headers=issuer.headers(role))
            assert refused.status_code == 403, role
            refused = await c.post(f"/v1/outbox/events/{poison}/replay",
                                   headers=issuer.headers(role))  # fmt: skip
            assert refused.status_code == 403, role
        assert (await c.get("/v1/outbox/events")).status_code == 401
        one = await c.post(f"/v1/outbox/events/{poison}/replay", headers=ministry)
        assert one.status_code == 200, one.text
        assert one.json()["state"] == "pending" and one.json()["last_error"] == "HTTP 422"
        again = await c.post(f"/v1/outbox/events/{poison}/replay", headers=ministry)
        assert again.status_code == 200 and again.json()["attempts"] == 0  # same state
        missing = await c.post("/v1/outbox/events/999999999/replay", headers=ministry)
        assert missing.status_code == 404
        assert missing.json()["error"]["code"] == "outbox_event_not_found"
        huge = await c.post(f"/v1/outbox/events/{2**63}/replay", headers=ministry)
        assert huge.status_code == 422
        async with db.transaction() as s:
            await s.execute(update(OUTBOX).where(OUTBOX.c.id == poison)
                            .values(delivered_at=text("now()")))  # fmt: skip
        delivered = await c.post(f"/v1/outbox/events/{poison}/replay", headers=ministry)
        assert delivered.status_code == 409
        bulk = await c.post("/v1/outbox/replay", json={"destination": "review"}, headers=ministry)
        assert bulk.status_code == 200 and bulk.json() == {"replayed": 0}


async def test_a_real_consumer_rejects_a_malformed_event_alone_and_the_relay_dead_letters_it(db):
    """The kit's own events router over real HTTP (uvicorn): a payload that is not an object
    is answered "rejected" for that event only; the relay delivers the rest and dead-letters
    the poison after its bound."""
    import uvicorn

    issuer = TestIssuer()
    handled: list[int] = []

    async def ok(session, event):
        handled.append(event.payload["n"])

    consumer = FastAPI()
    install_error_handlers(consumer)
    consumer.state.db = db
    consumer.state.verifier = issuer.verifier()
    consumer.include_router(events_router(INBOX, {"t.ok": ok}, producers={"t.ok": "kit-test"}))
    config = uvicorn.Config(consumer, host="127.0.0.1", port=0, log_level="warning",
                            lifespan="off")  # fmt: skip
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        await _queue(db, 3)
        poison = await _poison(db)
        await _queue(db, 3)
        client = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}",
                                   headers=issuer.service_headers("kit-test"))  # fmt: skip
        relay = OutboxRelay(db, OUTBOX, source="kit-test", client_for=lambda _d: client,
                            max_backoff_seconds=0.0, max_permanent_attempts=2)  # fmt: skip
        assert await relay.deliver_due() == 6
        await _make_due(db)
        assert await relay.deliver_due() == 0
        await client.aclose()
    finally:
        server.should_exit = True
        await asyncio.wait_for(serving, timeout=10)
    assert sorted(handled) == [0, 0, 1, 1, 2, 2]
    row = (await _rows(db))[poison]
    assert row["dead_at"] is not None and row["attempts"] == 2
    assert "rejected: 422 invalid_event (payload: dict_type)" in row["last_error"]


async def test_the_batch_route_answers_a_malformed_event_rejected_and_keeps_the_others(db):
    issuer = TestIssuer()
    app = FastAPI()
    install_error_handlers(app)
    app.state.db = db
    app.state.verifier = issuer.verifier()

    async def ok(session, event):
        pass

    app.include_router(events_router(INBOX, {"t.ok": ok}, producers={"t.ok": "kit-test"}))

    def wire(payload: Any) -> dict:
        return {"event_id": str(uuid.uuid4()), "topic": "t.ok", "source": "kit-test",
                "occurred_at": "2026-01-01T00:00:00+00:00", "payload": payload}  # fmt: skip

    events = [wire({"n": 1}), wire([1, 2]), wire("text"), wire({"n": 2})]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://c") as c:
        resp = await c.post("/internal/events/batch", json={"events": events},
                            headers=issuer.service_headers("kit-test"))  # fmt: skip
        assert resp.status_code == 200, resp.text
        results = resp.json()["results"]
        assert [r["status"] for r in results] == ["accepted", "rejected", "rejected", "accepted"]
        assert [r["event_id"] for r in results] == [e["event_id"] for e in events]
        assert results[1]["error"]["code"] == "invalid_event"
        assert results[1]["error"]["body"]["error"]["details"]["fields"][0]["field"] == "payload"
        unnamed = await c.post("/internal/events/batch", json={"events": [{"topic": "t.ok"}]},
                               headers=issuer.service_headers("kit-test"))  # fmt: skip
        assert unnamed.status_code == 422
    async with db.transaction() as s:
        inbox = (await s.execute(select(INBOX.c.event_id))).scalars().all()
    assert sorted(map(str, inbox)) == sorted([events[0]["event_id"], events[3]["event_id"]])
