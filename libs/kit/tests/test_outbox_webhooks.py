"""The relay's transports and subject order, and the webhook transport against a real HTTP
receiver (an aiohttp app on a free port) that checks every signature with the
`standardwebhooks` library: the same engine delivers internal events and outside webhooks."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import MetaData, select
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from ladder.kit.db import Database
from ladder.kit.outbox import Failure, OutboxRelay, Transport, outbox_table
from ladder.kit.outbox import publish as publish_event
from ladder.kit.testing import scratch_schema
from ladder.kit.webhooks import (
    Attempt,
    Target,
    WebhookTransport,
    destination,
    external_client,
    new_secret,
    signature,
)

SCHEMA = "kit_webhook_test"
md = MetaData()
OUTBOX = outbox_table(md, SCHEMA)


@pytest.fixture
async def db(database_url):
    async with scratch_schema(database_url, SCHEMA, md) as database:
        yield database


async def _queue(db: Database, dest: str, subject: str | None, n: int, tag: str) -> list[str]:
    ids = []
    async with db.transaction() as s:
        for i in range(n):
            body = {"type": "t", "data": {"tag": tag, "n": i}}
            eid = await publish_event(
                s, OUTBOX, topic="t", payload=body, destinations=[dest], subject=subject
            )
            ids.append(str(eid))
    return ids


async def _rows(db: Database) -> list[Any]:
    async with db.transaction() as s:
        return list((await s.execute(select(OUTBOX).order_by(OUTBOX.c.id))).mappings().all())


class Flaky(Transport):
    """A transport whose destination fails the first `fails` tries of rows tagged `bad`."""

    def __init__(self, fails: int) -> None:
        self.fails = fails
        self.sent: list[tuple[str, int]] = []
        self.tries: dict[int, int] = {}
        self.max_backoff_seconds = 0.01

    async def deliver(self, destination: str, rows: list[Any]) -> list[Any]:
        outcomes: list[Any] = []
        for row in rows:
            tag = row["payload"]["data"]["tag"]
            self.tries[row["id"]] = self.tries.get(row["id"], 0) + 1
            if tag == "bad" and self.tries[row["id"]] <= self.fails:
                outcomes.append(Failure("down", permanent=False))
                continue
            self.sent.append((tag, row["payload"]["data"]["n"]))
            outcomes.append(None)
        return outcomes


async def _drain(relay: OutboxRelay, passes: int = 60) -> None:
    for _ in range(passes):
        await relay.deliver_due()
        if all(r["delivered_at"] or r["dead_at"] for r in await _rows(relay.db)):
            return
        await asyncio.sleep(0.02)


async def test_a_prefix_chooses_the_transport_and_a_subject_keeps_its_order(db):
    """The head of a subject that fails holds back the rows behind it (they are not tried,
    and wait with it); another subject and the unordered rows go on; once the head is
    delivered the rest follow in order."""
    flaky = Flaky(fails=3)
    relay = OutboxRelay(
        db, OUTBOX, source="kit-test", client_for=lambda _d: None, transports={"hook:": flaky}
    )
    await _queue(db, "hook:a", "declaration-1", 1, "bad")
    await _queue(db, "hook:a", "declaration-1", 3, "after")
    await _queue(db, "hook:a", "declaration-2", 2, "other")
    await relay.deliver_due()
    rows = await _rows(db)
    assert flaky.sent == [("other", 0), ("other", 1)]
    head, *held = rows[:4]
    assert head["attempts"] == 1 and head["delivered_at"] is None
    assert [r["attempts"] for r in held] == [0, 0, 0]  # never tried behind a failing head
    # The held rows wait with the head instead of being claimed on every pass.
    assert all(r["available_at"] >= head["available_at"] for r in held)
    await _drain(relay)
    assert flaky.sent[2:] == [("bad", 0), ("after", 0), ("after", 1), ("after", 2)]
    assert all(r["delivered_at"] for r in await _rows(db))


async def test_a_dead_head_releases_its_subject_and_the_transport_sets_the_bound(db):
    flaky = Flaky(fails=100)
    flaky.max_attempts = 2
    relay = OutboxRelay(
        db, OUTBOX, source="kit-test", client_for=lambda _d: None, transports={"hook:": flaky}
    )
    await _queue(db, "hook:a", "s", 1, "bad")
    await _queue(db, "hook:a", "s", 1, "next")
    await _drain(relay)
    head, nxt = await _rows(db)
    assert head["dead_at"] is not None and head["attempts"] == 2  # the transport's bound
    assert nxt["delivered_at"] is not None and flaky.sent == [("next", 0)]


class Receiver:
    """A platform's webhook endpoint over real HTTP, verifying with `standardwebhooks`."""

    def __init__(self, secret: str) -> None:
        self.hook = Webhook(secret)
        self.status = 200
        self.got: list[dict[str, Any]] = []
        self.ids: list[str] = []
        self.bad_signatures = 0
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        headers = dict(request.headers)
        self.ids.append(headers["webhook-id"])
        try:
            body = self.hook.verify(raw, headers)
        except WebhookVerificationError:
            self.bad_signatures += 1
            return web.Response(status=400)
        if self.status == 200:
            self.got.append(body)
        return web.Response(status=self.status, text="ok" * 10_000)

    @asynccontextmanager
    async def serving(self) -> AsyncIterator[Receiver]:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/hook"
        try:
            yield self
        finally:
            await runner.cleanup()


@asynccontextmanager
async def webhook_relay(
    db: Database, targets: dict[str, Target | None], attempts: list[Attempt], max_attempts: int = 4
) -> AsyncIterator[OutboxRelay]:
    async def resolve(_s: Any, dests: list[str]) -> dict[str, Target | None]:
        return {d: targets.get(d) for d in dests}

    async def record(_s: Any, new: list[Attempt]) -> None:
        attempts.extend(new)

    client = external_client()
    transport = WebhookTransport(
        resolve=resolve,
        record=record,
        client=client,
        max_attempts=max_attempts,
        max_backoff_seconds=0.01,
    )
    try:
        yield OutboxRelay(
            db, OUTBOX, source="kit-test", client_for=lambda _d: None,
            transports={"webhook:": transport},
        )  # fmt: skip
    finally:
        await client.aclose()


async def test_webhooks_are_signed_retried_with_the_same_id_and_kept_in_order(db):
    secret = new_secret()
    receiver = Receiver(secret)
    sub = destination(uuid.uuid4())
    attempts: list[Attempt] = []
    targets: dict[str, Target | None] = {}
    async with receiver.serving(), webhook_relay(db, targets, attempts, max_attempts=10) as relay:
        targets[sub] = Target(url=receiver.url, secrets=(secret,))
        ids = await _queue(db, sub, "declaration-1", 3, "x")
        receiver.status = 503  # down for a while
        for _ in range(3):
            await relay.deliver_due()
            await _sleep_past_backoff()
        assert receiver.got == [] and set(receiver.ids) == {ids[0]}  # only the head was tried
        receiver.status = 200
        await _drain(relay)
    assert [b["data"]["n"] for b in receiver.got] == [0, 1, 2]
    assert receiver.bad_signatures == 0
    assert receiver.ids.count(ids[0]) >= 4 and receiver.ids[-3:] == ids  # same id on retries
    failed = [a for a in attempts if a.status_code == 503]
    assert failed and all(a.error == "HTTP 503" for a in failed)
    assert sum(1 for a in attempts if a.status_code == 200) == 3


async def _sleep_past_backoff() -> None:
    await asyncio.sleep(0.05)


async def test_a_gone_receiver_or_subscription_is_dead_lettered_at_once(db):
    secret = new_secret()
    receiver = Receiver(secret)
    gone, removed = destination(uuid.uuid4()), destination(uuid.uuid4())
    attempts: list[Attempt] = []
    targets: dict[str, Target | None] = {removed: None}
    async with receiver.serving(), webhook_relay(db, targets, attempts) as relay:
        targets[gone] = Target(url=receiver.url, secrets=(secret,))
        receiver.status = 410
        await _queue(db, gone, None, 1, "x")
        await _queue(db, removed, None, 1, "x")
        await relay.deliver_due()
    a, b = await _rows(db)
    assert a["dead_at"] and a["attempts"] == 1 and a["last_error"] == "HTTP 410"
    assert b["dead_at"] and "disabled" in b["last_error"]
    assert [x.status_code for x in attempts] == [410]  # the removed one was never sent


async def test_a_rotated_secret_signs_beside_the_new_one():
    old, new = new_secret(), new_secret()
    at = datetime.now(UTC)
    body = json.dumps({"type": "t"})
    header = signature([new, old], "msg_1", at, body)
    headers = {"webhook-id": "msg_1", "webhook-timestamp": str(int(at.timestamp()))}
    for secret in (old, new):  # a receiver that has either secret verifies
        Webhook(secret).verify(body, {**headers, "webhook-signature": header})
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(body, {**headers, "webhook-signature": header})
