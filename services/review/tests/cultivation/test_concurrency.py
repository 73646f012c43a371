"""Two sweepers at once over the same due rows fire each expiry, and each reminder, exactly
once (`FOR UPDATE SKIP LOCKED`: disjoint batches, one transaction per batch)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import asyncpg

from ladder.kit.clock import FrozenClock
from ladder.review.cultivation.sweeper import sweep_once

NOW = datetime(2028, 6, 1, tzinfo=UTC)
N = 1000

_CASES = """
INSERT INTO review.review_case (id, declaration_id, campaign_year, tier, enterprise_uscc,
    enterprise_name, factory_name, region_code, version, fingerprint, status, level,
    holder_region, recommending_unit, submitted_at)
SELECT gen_random_uuid(), gen_random_uuid(), 2025, 'pilot', '91350100M000100Y43',
    '企业' || i, '工厂' || i, '350102', 1, repeat('a', 64), 'recommended', 'province',
    '350000', '350000', now()
FROM generate_series(1, $1) AS i
"""
_RECORDS = """
INSERT INTO review.cultivation_record (id, case_id, declaration_id, enterprise_uscc,
    enterprise_name, factory_name, region_code, recommending_unit, jurisdiction, status,
    start_date, period_end, deadline)
SELECT gen_random_uuid(), c.id, c.declaration_id, c.enterprise_uscc, c.enterprise_name,
    c.factory_name, c.region_code, '350000', c.region_code, 'cultivating',
    $1::date, $2::date, $3::timestamptz
FROM review.review_case c
"""


async def _seed(url: str, n: int, start: str, end: str, deadline: datetime) -> None:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute(_CASES, n)
        await conn.execute(
            _RECORDS,
            datetime.fromisoformat(start).date(),
            datetime.fromisoformat(end).date(),
            deadline,
        )
    finally:
        await conn.close()


async def _race(sessionmaker, clock, what: str) -> tuple[int, int]:
    """Two sweepers, rounds until nothing is due; what each one did in total."""
    done = [0, 0]
    while True:
        a, b = await asyncio.gather(
            sweep_once(sessionmaker, clock, 100), sweep_once(sessionmaker, clock, 100)
        )
        got = (getattr(a, what), getattr(b, what))
        done[0] += got[0]
        done[1] += got[1]
        if got == (0, 0):
            return done[0], done[1]


async def test_two_sweepers_expire_a_thousand_records_exactly_once(cult, clean_db, fetch):
    await _seed(clean_db, N, "2026-01-01", "2028-01-01", datetime(2027, 12, 31, 16, tzinfo=UTC))
    a, b = await _race(cult.app.state.db.sessionmaker, FrozenClock(NOW), "expired")
    assert a + b == N
    assert a > 0 and b > 0, (a, b)  # both took batches: SKIP LOCKED split the work

    history = await fetch(
        "SELECT record_id, count(*) AS n FROM review.cultivation_transition "
        "WHERE event = 'expired' GROUP BY record_id"
    )
    assert len(history) == N and {r["n"] for r in history} == {1}
    events = await fetch(
        "SELECT payload FROM review.outbox WHERE topic = 'cultivation.expired' "
        "AND destination = 'declaration'"
    )
    assert len(events) == N
    assert len({json.loads(r["payload"])["declaration_id"] for r in events}) == N
    states = await fetch(
        "SELECT status, row_version, count(*) AS n FROM review.cultivation_record "
        "GROUP BY status, row_version"
    )
    assert [(r["status"], r["row_version"], r["n"]) for r in states] == [("expired", 2, N)]


async def test_two_sweepers_send_each_reminder_exactly_once(cult, clean_db, fetch):
    # Still cultivating (deadline in 20 days), both reminders due: 2 × 500 rows.
    n = 500
    await _seed(clean_db, n, "2026-06-21", "2028-06-21", datetime(2028, 6, 20, 16, tzinfo=UTC))
    conn = await asyncpg.connect(clean_db.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute(
            "INSERT INTO review.cultivation_reminder (record_id, days_before, due_at, status) "
            "SELECT r.id, d, r.deadline - make_interval(days => d), 'pending' "
            "FROM review.cultivation_record r, unnest(ARRAY[90, 30]) AS d"
        )
    finally:
        await conn.close()
    a, b = await _race(cult.app.state.db.sessionmaker, FrozenClock(NOW), "reminders")
    assert a + b == 2 * n
    events = await fetch("SELECT payload FROM review.outbox WHERE topic = 'cultivation.reminder'")
    sent = {
        (json.loads(r["payload"])["declaration_id"], json.loads(r["payload"])["days_before"])
        for r in events
    }
    assert len(events) == len(sent) == 2 * n
    rows = await fetch("SELECT status, count(*) AS n FROM review.cultivation_reminder GROUP BY 1")
    assert [(r["status"], r["n"]) for r in rows] == [("sent", 2 * n)]
    assert await fetch("SELECT 1 FROM review.cultivation_transition") == []
