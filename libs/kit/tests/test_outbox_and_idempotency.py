"""Outbox delivery and Idempotency-Key on a real database, in a scratch schema of their own."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from sqlalchemy import MetaData, func, select, text
from starlette.requests import Request

from ladder.kit.db import Database
from ladder.kit.errors import IdempotencyKeyReused
from ladder.kit.idempotency import claim, idempotency_table
from ladder.kit.outbox import OutboxRelay, inbox_table, outbox_table, publish

SCHEMA = "kit_test"
md = MetaData()
OUTBOX = outbox_table(md, SCHEMA)
INBOX = inbox_table(md, SCHEMA)
KEYS = idempotency_table(md, SCHEMA)


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


class Receiver:
    """A consumer that records what it got and can be switched off."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.up = True

    def handler(self, request: httpx.Request) -> httpx.Response:
        if not self.up:
            raise httpx.ConnectError("consumer down")
        import json

        self.received.append(json.loads(request.content))
        return httpx.Response(200, json={"status": "accepted"})

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=httpx.MockTransport(self.handler), base_url="http://review"
        )


def _relay(db: Database, receiver: Receiver) -> OutboxRelay:
    client = receiver.client()
    return OutboxRelay(
        db, OUTBOX, source="kit-test", client_for=lambda _d: client, max_backoff_seconds=0.01
    )


async def _pending(db: Database) -> int:
    async with db.transaction() as s:
        return (
            await s.execute(
                select(func.count()).select_from(OUTBOX).where(OUTBOX.c.delivered_at.is_(None))
            )
        ).scalar_one()


async def test_event_exists_only_if_the_change_committed(db):
    with pytest.raises(RuntimeError):
        async with db.transaction() as s:
            await publish(s, OUTBOX, topic="t", payload={"n": 1}, destinations=["review"])
            raise RuntimeError("the change failed")
    assert await _pending(db) == 0
    async with db.transaction() as s:
        await publish(
            s, OUTBOX, topic="t", payload={"n": 1}, destinations=["review", "declaration"]
        )
    assert await _pending(db) == 2


async def test_delivery_waits_while_the_consumer_is_down(db):
    receiver = Receiver()
    relay = _relay(db, receiver)
    async with db.transaction() as s:
        eid = await publish(
            s, OUTBOX, topic="declaration.submitted", payload={"id": "d1"}, destinations=["review"]
        )
    receiver.up = False
    assert await relay.deliver_due() == 0
    async with db.transaction() as s:
        row = (await s.execute(select(OUTBOX))).mappings().one()
    assert row["attempts"] == 1 and "consumer down" in row["last_error"]
    receiver.up = True
    await asyncio.sleep(0.05)
    assert await relay.deliver_due() == 1
    assert [e["event_id"] for e in receiver.received] == [str(eid)]
    assert receiver.received[0]["payload"] == {"id": "d1"}
    assert await _pending(db) == 0


async def test_two_relays_never_send_one_row_twice(db):
    receiver = Receiver()
    async with db.transaction() as s:
        for n in range(60):
            await publish(s, OUTBOX, topic="t", payload={"n": n}, destinations=["review"])
    relays = [_relay(db, receiver) for _ in range(3)]
    while await _pending(db):
        await asyncio.gather(*(r.deliver_due() for r in relays))
    numbers = sorted(e["payload"]["n"] for e in receiver.received)
    assert numbers == list(range(60))


def _request(path: str = "/v1/things") -> Request:
    return Request(
        {"type": "http", "method": "POST", "path": path, "headers": [], "query_string": b""}
    )


async def test_idempotency_replays_and_refuses_reuse(db):
    async with db.transaction() as s:
        slot = await claim(
            s, KEYS, principal="u1", key="key-000001", request=_request(), body={"a": 1}
        )
        assert slot.replay is None
        await slot.store(s, 201, {"id": "x"})
    async with db.transaction() as s:
        again = await claim(
            s, KEYS, principal="u1", key="key-000001", request=_request(), body={"a": 1}
        )
    assert again.replay == (201, {"id": "x"})
    with pytest.raises(IdempotencyKeyReused):
        async with db.transaction() as s:
            await claim(
                s, KEYS, principal="u1", key="key-000001", request=_request(), body={"a": 2}
            )
    async with db.transaction() as s:  # another caller's key space is separate
        other = await claim(
            s, KEYS, principal="u2", key="key-000001", request=_request(), body={"a": 2}
        )
    assert other.replay is None


async def test_concurrent_requests_with_one_key_do_the_work_once(db):
    done: list[str] = []

    async def attempt() -> tuple[int, dict]:
        async with db.transaction() as s:
            slot = await claim(
                s, KEYS, principal="u1", key="key-concurrent", request=_request(), body={}
            )
            if slot.replay:
                return slot.replay
            await asyncio.sleep(0.2)  # the work, while the others wait on the key
            answer = {"id": uuid.uuid4().hex}
            done.append(answer["id"])
            await slot.store(s, 201, answer)
            return 201, answer

    answers = await asyncio.gather(*(attempt() for _ in range(5)))
    assert len(done) == 1
    assert {a[1]["id"] for a in answers} == set(done)


async def test_a_rolled_back_first_attempt_frees_the_key(db):
    with pytest.raises(RuntimeError):
        async with db.transaction() as s:
            await claim(s, KEYS, principal="u1", key="key-rollback", request=_request(), body={})
            raise RuntimeError("the write failed")
    async with db.transaction() as s:
        slot = await claim(s, KEYS, principal="u1", key="key-rollback", request=_request(), body={})
    assert slot.replay is None
