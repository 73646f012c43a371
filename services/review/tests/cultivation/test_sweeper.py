"""The period's end and the reminders, fired by the durable sweeper on the app's clock; what
happens to an application still under review at the deadline; the background loop."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from ladder.kit.clock import FrozenClock
from ladder.review.cultivation import sweeper
from ladder.review.cultivation.sweeper import SweepCounts, sweep_once

# Records started on 2026-01-01 for 24 months end at 00:00 Beijing time of 2028-01-01.
DEADLINE = datetime(2027, 12, 31, 16, 0, tzinfo=UTC)
PROVINCE = {"region": "350000"}
CITY = {"region": "350100"}


def _code(resp) -> str:
    return resp.json()["error"]["code"]


async def test_a_record_still_cultivating_expires_at_its_deadline(api, make_case, clock, outbox):
    did = await make_case()
    await api.started(did)
    clock.set(DEADLINE - timedelta(seconds=1))
    assert await api.sweep() == {"expired": 0, "reminders": 2}  # both reminders were due
    assert (await api.get(did))["status"] == "cultivating"

    clock.set(DEADLINE)
    assert await api.sweep() == {"expired": 1, "reminders": 0}
    body = await api.get(did)
    assert body["status"] == "expired"
    last = body["history"][-1]
    assert (last["event"], last["from_status"], last["to_status"], last["actor"]) == (
        "expired",
        "cultivating",
        "expired",
        "system:cultivation-sweeper",
    )
    assert last["at"] == "2027-12-31T16:00:00Z"  # the sweeper's clock, not the wall clock
    assert [t for t, _, _ in await outbox()][-1] == "cultivation.expired"
    # Swept again: nothing more; the enterprise can no longer apply.
    assert await api.sweep() == {"expired": 0, "reminders": 0}
    resp = await api.apply(did)
    assert (resp.status_code, _code(resp)) == (409, "not_cultivating")


async def test_an_application_after_the_deadline_is_refused_even_before_the_sweep(
    api, make_case, clock
):
    did = await make_case()
    await api.started(did)
    clock.set(DEADLINE)
    before = await api.get(did)
    resp = await api.apply(did)
    assert (resp.status_code, _code(resp)) == (409, "cultivation_period_over")
    now = await api.get(did)
    assert (now["etag"], now["history"]) == (before["etag"], before["history"])


async def test_an_application_under_review_at_the_deadline_is_carried_through(
    api, make_case, clock, outbox
):
    """Applied before the deadline: the sweeper leaves it; a return after the deadline ends
    the record as expired in the same transaction (no new application is possible)."""
    did = await make_case()
    await api.started(did)
    clock.set(DEADLINE - timedelta(days=5))
    assert (await api.apply(did)).status_code == 200
    clock.set(DEADLINE + timedelta(days=10))
    assert (await api.sweep())["expired"] == 0
    body = await api.get(did)
    assert (body["status"], body["level"]) == ("acceptance_initial_review", "city")
    # The city still forwards after the deadline; the province returns it: expired.
    assert (await api.review(did, api.h("city", **CITY), "pass")).status_code == 200
    resp = await api.review(did, api.h("province", **PROVINCE), "return", reasons="未达到目标")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert (body["status"], body["level"], body["holder"]) == ("expired", None, None)
    last = body["history"][-1]
    assert (last["event"], last["from_status"], last["to_status"], last["reason"]) == (
        "application_returned",
        "acceptance_initial_review",
        "expired",
        "未达到目标",
    )
    topic, _, payload = (await outbox())[-1]
    assert (topic, payload["event"], payload["reason"]) == (
        "cultivation.expired",
        "application_returned",
        "未达到目标",
    )
    resp = await api.apply(did)
    assert (resp.status_code, _code(resp)) == (409, "not_cultivating")


async def test_the_committee_may_still_accept_after_the_deadline(api, make_case, clock):
    did = await make_case(region="440106", uscc="91440100M000100Y43")
    await api.started(did)
    clock.set(DEADLINE - timedelta(days=1))
    assert (await api.apply(did, api.enterprise("91440100M000100Y43"))).status_code == 200
    assert (await api.review(did, api.h("province", region="440000"), "pass")).status_code == 200
    clock.set(DEADLINE + timedelta(days=60))
    assert (await api.sweep())["expired"] == 0
    resp = await api.decide(did, "accept", conclusion="通过")
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "accepted"


async def test_reminders_90_then_30_days_before_each_exactly_once(api, make_case, clock, outbox):
    did = await make_case()
    await api.started(did)

    async def reminders() -> list[int]:
        return [p["days_before"] for t, _, p in await outbox() if t == "cultivation.reminder"]

    clock.set(DEADLINE - timedelta(days=95))
    assert await api.sweep() == {"expired": 0, "reminders": 0}
    clock.set(DEADLINE - timedelta(days=89))
    assert await api.sweep() == {"expired": 0, "reminders": 1}
    assert await api.sweep() == {"expired": 0, "reminders": 0}  # same time again: no duplicate
    assert await reminders() == [90]
    assert (await api.get(did))["reminders_sent"] == [90]
    clock.set(DEADLINE - timedelta(days=29))
    assert await api.sweep() == {"expired": 0, "reminders": 1}
    assert await api.sweep() == {"expired": 0, "reminders": 0}
    assert await reminders() == [90, 30]
    body = await api.get(did)
    assert body["reminders_sent"] == [90, 30]
    assert len(body["history"]) == 1  # reminders are not transitions
    [(_, dest, payload)] = [e for e in await outbox() if e[2].get("days_before") == 30]
    assert dest == "declaration"
    assert payload["declaration_id"] == did
    assert datetime.fromisoformat(payload["deadline"]) == DEADLINE  # the instant, in any notation


async def test_a_record_that_ended_gets_no_reminder(api, make_case, clock, fetch):
    did = await make_case(region="440106", uscc="91440100M000100Y43")
    await api.started(did)
    assert (await api.apply(did, api.enterprise("91440100M000100Y43"))).status_code == 200
    assert (await api.review(did, api.h("province", region="440000"), "pass")).status_code == 200
    assert (await api.decide(did, "fail", conclusion="未达标")).status_code == 200
    clock.set(DEADLINE - timedelta(days=1))
    assert await api.sweep() == {"expired": 0, "reminders": 0}
    rows = await fetch("SELECT status FROM review.cultivation_reminder")
    assert {r["status"] for r in rows} == {"cancelled"}


async def test_only_a_service_sweeps(api):
    people = (("province", {"region": "350000"}), ("enterprise", {}), ("expert", {}),
              ("ministry", {}))  # fmt: skip
    for role, claims in people:
        resp = await api.c.post("/internal/cultivations/sweep", headers=api.h(role, **claims))
        assert (resp.status_code, _code(resp)) == (403, "forbidden")
    resp = await api.c.post("/internal/cultivations/sweep")
    assert resp.status_code == 401
    assert await api.sweep() == {"expired": 0, "reminders": 0}


async def test_sweep_once_takes_a_sessionmaker_and_an_explicit_clock(cult, api, make_case):
    did = await make_case()
    await api.started(did)
    counts = await sweep_once(cult.app.state.db.sessionmaker, FrozenClock(DEADLINE), 10)
    assert counts == SweepCounts(expired=1, reminders=0, full=False)
    assert (await api.get(did))["status"] == "expired"


# --- the background loop ---------------------------------------------------------------------


async def test_the_background_loop_sweeps_on_the_apps_clock(cult, api, make_case, monkeypatch):
    did = await make_case()
    await api.started(did)
    cult.app.state.clock.set(DEADLINE)
    app = SimpleNamespace(
        state=SimpleNamespace(
            db=cult.app.state.db,
            clock=cult.app.state.clock,
            settings=SimpleNamespace(
                cultivation_sweep_seconds=0.01, cultivation_sweep_batch_size=5
            ),
        )
    )
    task = asyncio.create_task(sweeper.cultivation_sweeper(app))  # type: ignore[arg-type]
    try:
        for _ in range(200):
            if (await api.get(did))["status"] == "expired":
                break
            await asyncio.sleep(0.02)
        assert (await api.get(did))["status"] == "expired"
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_the_background_loop_survives_a_database_error(monkeypatch, caplog):
    calls: list[int] = []

    async def flaky(db, clock, batch_size):
        calls.append(batch_size)
        if len(calls) == 1:
            raise ConnectionError("database went away")
        return SweepCounts()

    monkeypatch.setattr(sweeper, "sweep_once", flaky)
    app = SimpleNamespace(
        state=SimpleNamespace(
            db=None,
            clock=FrozenClock(DEADLINE),
            settings=SimpleNamespace(
                cultivation_sweep_seconds=0.01, cultivation_sweep_batch_size=7
            ),
        )
    )
    task = asyncio.create_task(sweeper.cultivation_sweeper(app))  # type: ignore[arg-type]
    try:
        for _ in range(200):
            if len(calls) >= 3:
                break
            await asyncio.sleep(0.01)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert len(calls) >= 3 and set(calls) == {7}
    assert "cultivation sweep failed" in caplog.text
