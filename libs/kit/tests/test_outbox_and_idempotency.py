"""Outbox delivery and Idempotency-Key on a real database, in a scratch schema of their own."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import MetaData, func, select, update
from starlette.requests import Request

from ladder.kit.db import Database
from ladder.kit.errors import IdempotencyKeyReused, install_error_handlers
from ladder.kit.idempotency import claim, idempotency_table, sweep_expired
from ladder.kit.outbox import (
    MAX_BATCH,
    InvalidEventPayload,
    OutboxRelay,
    events_router,
    inbox_table,
    outbox_table,
    publish,
)
from ladder.kit.testing import TestIssuer, scratch_schema

SCHEMA = "kit_test"
md = MetaData()
OUTBOX = outbox_table(md, SCHEMA)
INBOX = inbox_table(md, SCHEMA)
KEYS = idempotency_table(md, SCHEMA)


@pytest.fixture
async def db(database_url):
    async with scratch_schema(database_url, SCHEMA, md) as database:
        yield database


class Receiver:
    """A consumer that records what it got and can be switched off; `batches=False` plays a
    consumer without the batch route, `reject` names payloads (by "n") it rejects."""

    def __init__(self, *, batches: bool = True, reject: frozenset[int] = frozenset()) -> None:
        self.received: list[dict] = []
        self.requests: list[str] = []
        self.up = True
        self.batches = batches
        self.reject = reject

    def handler(self, request: httpx.Request) -> httpx.Response:
        if not self.up:
            raise httpx.ConnectError("consumer down")
        self.requests.append(request.url.path)
        body = json.loads(request.content)
        if request.url.path.endswith("/batch"):
            if not self.batches:
                return httpx.Response(404, json={"code": "not_found"})
            results = []
            for event in body["events"]:
                if event["payload"].get("n") in self.reject:
                    results.append(
                        {
                            "event_id": event["event_id"],
                            "status": "rejected",
                            "error": {"code": "x"},
                        }
                    )
                else:
                    self.received.append(event)
                    results.append({"event_id": event["event_id"], "status": "accepted"})
            return httpx.Response(200, json={"results": results})
        self.received.append(body)
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
    async with db.transaction() as s:  # the backoff has passed
        await s.execute(update(OUTBOX).values(available_at=func.now()))
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


async def test_one_request_carries_everything_due_for_a_destination(db):
    receiver = Receiver()
    async with db.transaction() as s:
        for n in range(30):
            await publish(s, OUTBOX, topic="t", payload={"n": n}, destinations=["review"])
    assert await _relay(db, receiver).deliver_due() == 30
    assert receiver.requests == ["/internal/events/batch"]
    assert [e["payload"]["n"] for e in receiver.received] == list(range(30))  # in order


def test_a_pass_never_claims_more_than_a_batch_may_carry(db):
    """A configured batch size above what the batch route accepts would make every pass fail
    (422) and nothing would ever be delivered."""
    relay = OutboxRelay(db, OUTBOX, source="kit-test", client_for=lambda _d: None, batch_size=10**6)
    assert relay.batch_size == MAX_BATCH


async def test_a_rejected_event_waits_alone(db):
    receiver = Receiver(reject=frozenset({2}))
    async with db.transaction() as s:
        for n in range(5):
            await publish(s, OUTBOX, topic="t", payload={"n": n}, destinations=["review"])
    assert await _relay(db, receiver).deliver_due() == 4
    async with db.transaction() as s:
        waiting = (
            (await s.execute(select(OUTBOX).where(OUTBOX.c.delivered_at.is_(None))))
            .mappings()
            .all()
        )
    assert [(r["payload"]["n"], r["attempts"]) for r in waiting] == [(2, 1)]
    assert "rejected" in waiting[0]["last_error"]


async def test_a_consumer_without_the_batch_route_gets_the_events_one_by_one(db):
    receiver = Receiver(batches=False)
    async with db.transaction() as s:
        for n in range(3):
            await publish(s, OUTBOX, topic="t", payload={"n": n}, destinations=["review"])
    assert await _relay(db, receiver).deliver_due() == 3
    assert receiver.requests == ["/internal/events/batch"] + ["/internal/events"] * 3
    assert [e["payload"]["n"] for e in receiver.received] == [0, 1, 2]


def _consumer(db: Database, issuer: TestIssuer) -> FastAPI:
    """A real events router: `t.ok` queues a follow-up event, `t.bad` queues one and then
    refuses (422), `t.bug` fails with an unexpected error."""

    async def ok(session, event):
        await publish(session, OUTBOX, topic="follow", payload=event.payload, destinations=["x"])

    async def bad(session, event):
        await ok(session, event)
        raise InvalidEventPayload(details={"event_id": str(event.event_id)})

    async def bug(session, event):
        raise KeyError("oops")

    app = FastAPI()
    install_error_handlers(app)
    app.state.db = db
    app.state.verifier = issuer.verifier()
    handlers = {"t.ok": ok, "t.bad": bad, "t.bug": bug, "t.theirs": ok}
    producers = {**dict.fromkeys(("t.ok", "t.bad", "t.bug"), "kit-test"), "t.theirs": "other"}
    app.include_router(events_router(INBOX, handlers, producers=producers))
    return app


def _wire(topic: str, n: int, eid: uuid.UUID | None = None, source: str = "kit-test") -> dict:
    return {
        "event_id": str(eid or uuid.uuid4()),
        "topic": topic,
        "source": source,
        "occurred_at": "2026-01-01T00:00:00+00:00",
        "payload": {"n": n},
    }


async def test_batch_route_keeps_the_good_events_and_rolls_back_a_rejected_one(db):
    issuer = TestIssuer()
    app = _consumer(db, issuer)
    repeated = uuid.uuid4()
    events = [
        _wire("t.ok", 1, repeated),
        _wire("t.bad", 2),
        _wire("t.ok", 3),
        _wire("t.ok", 1, repeated),  # the same event again in the batch
        _wire("t.bug", 5),
        _wire("t.unknown", 6),
    ]
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://c"
    ) as client:
        resp = await client.post(
            "/internal/events/batch",
            json={"events": events},
            headers=issuer.service_headers("kit-test"),
        )
        assert resp.status_code == 200, resp.text
        results = resp.json()["results"]
        assert [r["status"] for r in results] == [
            "accepted", "rejected", "accepted", "duplicate", "rejected", "ignored",
        ]  # fmt: skip
        assert results[1]["error"]["code"] == "invalid_event_payload"
        assert results[4]["error"]["code"] == "internal_error"
        # Only the accepted events' effects stayed; the rejected ones may come again.
        async with db.transaction() as s:
            follow = (await s.execute(select(OUTBOX.c.payload))).scalars().all()
            inbox = (await s.execute(select(INBOX.c.event_id))).scalars().all()
        assert sorted(p["n"] for p in follow) == [1, 3]
        assert len(inbox) == 3  # 1, 3 and the ignored topic; not the rejected two
        again = await client.post(
            "/internal/events/batch",
            json={"events": [events[1]]},
            headers=issuer.service_headers("kit-test"),
        )
        assert again.json()["results"][0]["status"] == "rejected"  # not "duplicate"
        refused = await client.post(
            "/internal/events/batch",
            json={"events": [events[0]]},
            headers=issuer.headers("enterprise", org="91350100MA0000000X"),
        )
        assert refused.status_code == 403
        empty = await client.post(
            "/internal/events/batch", json={"events": []}, headers=issuer.service_headers("k")
        )
        assert empty.status_code == 422


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


async def test_an_expired_key_is_used_afresh_and_a_live_one_is_not(db):
    async with db.transaction() as s:
        slot = await claim(
            s,
            KEYS,
            principal="u1",
            key="key-expired",
            request=_request(),
            body={"a": 1},
            ttl=timedelta(seconds=-1),  # already expired
        )
        await slot.store(s, 201, {"id": "old"})
    async with db.transaction() as s:  # another body is fine: the old use is forgotten
        fresh = await claim(
            s, KEYS, principal="u1", key="key-expired", request=_request(), body={"a": 2}
        )
        assert fresh.replay is None
        await fresh.store(s, 201, {"id": "new"})
    async with db.transaction() as s:
        again = await claim(
            s, KEYS, principal="u1", key="key-expired", request=_request(), body={"a": 2}
        )
    assert again.replay == (201, {"id": "new"})
    with pytest.raises(IdempotencyKeyReused):
        async with db.transaction() as s:
            await claim(
                s, KEYS, principal="u1", key="key-expired", request=_request(), body={"a": 1}
            )


async def test_the_sweeper_removes_expired_keys_only(db):
    for n in range(5):
        async with db.transaction() as s:
            await claim(
                s,
                KEYS,
                principal="u1",
                key=f"key-old-{n:04d}",
                request=_request(),
                ttl=timedelta(seconds=-1),
            )
    async with db.transaction() as s:
        await claim(s, KEYS, principal="u1", key="key-live-0001", request=_request())
    assert await sweep_expired(db, KEYS, batch=2) == 5  # in batches of 2: 2, 2, 1
    async with db.transaction() as s:
        left = (await s.execute(select(KEYS.c.key))).scalars().all()
    assert left == ["key-live-0001"]
    assert await sweep_expired(db, KEYS) == 0


async def test_events_come_only_from_their_producer_under_its_own_identity(db):
    """A service speaks for itself (`source` = its token's service), and a topic is taken only
    from the service that owns it: a forged status from another service is refused."""
    issuer = TestIssuer()
    app = _consumer(db, issuer)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://c"
    ) as client:
        as_other = await client.post(
            "/internal/events", json=_wire("t.ok", 1, source="other"),
            headers=issuer.service_headers("kit-test"),
        )  # fmt: skip
        not_theirs = await client.post(
            "/internal/events", json=_wire("t.theirs", 2),
            headers=issuer.service_headers("kit-test"),
        )  # fmt: skip
        batch = await client.post(
            "/internal/events/batch",
            json={"events": [_wire("t.ok", 3), _wire("t.ok", 4, source="other")]},
            headers=issuer.service_headers("kit-test"),
        )
        owner = await client.post(
            "/internal/events", json=_wire("t.theirs", 5, source="other"),
            headers=issuer.service_headers("other"),
        )  # fmt: skip
    assert as_other.status_code == 403 and as_other.json()["error"]["code"] == "wrong_producer"
    assert not_theirs.status_code == 403
    assert [r["status"] for r in batch.json()["results"]] == ["accepted", "rejected"]
    assert batch.json()["results"][1]["error"]["code"] == "wrong_producer"
    assert owner.status_code == 200 and owner.json()["status"] == "accepted"
    async with db.transaction() as s:
        follow = (await s.execute(select(OUTBOX.c.payload))).scalars().all()
    assert sorted(p["n"] for p in follow) == [3, 5]
