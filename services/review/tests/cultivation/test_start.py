"""Listing a 领航级 case as a cultivation object (培育对象): the route, the public entry point
the national review calls, the period (培育期不超过2年) and the reminders it schedules."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from ladder.review.cases import repository as cases
from ladder.review.cultivation import service
from ladder.review.cultivation.data import cultivation_data


def _code(resp) -> str:
    return resp.json()["error"]["code"]


async def test_the_ministry_lists_a_pilot_case_for_two_years(api, make_case, outbox, fetch):
    did = await make_case()
    body = await api.started(did, goals="建成全球领先的领航级智能工厂")
    assert (body["status"], body["start_date"], body["period_end"]) == (
        "cultivating",
        "2026-01-01",
        "2028-01-01",
    )
    # The period ends at 00:00 Beijing time of period_end.
    assert body["deadline"] == "2027-12-31T16:00:00Z"
    assert (body["region_code"], body["recommending_unit"]) == ("350102", "350000")
    assert (body["level"], body["holder"], body["experts"]) == (None, None, [])
    assert body["goals"] == "建成全球领先的领航级智能工厂"
    assert [(h["event"], h["from_status"], h["to_status"]) for h in body["history"]] == [
        ("started", None, "cultivating")
    ]
    assert (body["reports"], body["reminders_sent"], body["application"]) == (0, [], None)
    [(topic, dest, payload)] = await outbox()
    assert (topic, dest) == ("cultivation.started", "declaration")
    assert (payload["declaration_id"], payload["status"]) == (did, "cultivating")
    reminders = await fetch(
        "SELECT days_before, due_at, status FROM review.cultivation_reminder ORDER BY days_before"
    )
    assert [(r["days_before"], r["due_at"].isoformat(), r["status"]) for r in reminders] == [
        (30, "2027-12-01T16:00:00+00:00", "pending"),
        (90, "2027-10-02T16:00:00+00:00", "pending"),
    ]


async def test_a_shorter_period_may_be_given_and_past_reminders_are_not_scheduled(
    api, make_case, fetch
):
    did = await api.started(await make_case(), period_months=2)
    assert did["period_end"] == "2026-03-01"
    # 90 days before 2026-03-01 is already past on 2026-01-10: only the 30-day one is due.
    rows = await fetch("SELECT days_before FROM review.cultivation_reminder")
    assert [r["days_before"] for r in rows] == [30]


async def test_a_period_longer_than_the_notice_allows_is_refused(api, make_case, fetch):
    resp = await api.start(await make_case(), period_months=25)
    assert resp.status_code == 422
    assert _code(resp) == "cultivation_period_too_long"
    details = resp.json()["error"]["details"]
    assert details["max_months"] == 24
    assert "培育期不超过2年" in details["source"]
    assert await fetch("SELECT 1 FROM review.cultivation_record") == []


async def test_only_a_pilot_tier_case_becomes_a_cultivation_object(api, make_case, fetch):
    resp = await api.start(await make_case(tier="excellence"))
    assert resp.status_code == 409
    assert _code(resp) == "case_not_pilot_tier"
    assert await fetch("SELECT 1 FROM review.cultivation_record") == []


async def test_a_declaration_without_a_case_is_404(api):
    resp = await api.start(str(uuid.uuid4()))
    assert resp.status_code == 404
    assert _code(resp) == "case_not_found"


async def test_a_unit_without_an_acceptance_chain_is_refused(api, make_case):
    resp = await api.start(await make_case(unit="soe:91110000100000000X"))
    assert resp.status_code == 409
    assert _code(resp) == "no_acceptance_chain"


async def test_only_the_ministry_starts(api, make_case, fetch):
    did = await make_case()
    for role, claims in (
        ("province", {"region": "350000"}),
        ("enterprise", {"org": "91350100M000100Y43"}),
        ("expert", {}),
    ):
        resp = await api.c.post(
            "/v1/cultivations",
            json={"declaration_id": did, "start": "2026-01-01"},
            headers={**api.h(role, **claims), **api.key()},
        )
        assert resp.status_code == 403, role
        assert _code(resp) == "forbidden"
    assert await fetch("SELECT 1 FROM review.cultivation_record") == []


async def test_starting_needs_an_idempotency_key(api, make_case):
    resp = await api.c.post(
        "/v1/cultivations",
        json={"declaration_id": await make_case(), "start": "2026-01-01"},
        headers=api.ministry,
    )
    assert resp.status_code == 428
    assert _code(resp) == "idempotency_key_required"


async def test_starting_twice_returns_the_first_record(api, make_case, outbox, fetch):
    did = await make_case()
    first = await api.started(did)
    again = await api.start(did, period_months=6, goals="另一个目标")
    assert again.status_code == 200, again.text
    assert again.json()["etag"] == first["etag"]
    assert again.json()["period_end"] == "2028-01-01"
    assert len(again.json()["history"]) == 1
    assert [t for t, _, _ in await outbox()] == ["cultivation.started"]
    # The same key replays the first answer.
    headers = {**api.ministry, "Idempotency-Key": "start-key-0001"}
    body = {"declaration_id": await make_case(), "start": "2026-01-01"}
    one = await api.c.post("/v1/cultivations", json=body, headers=headers)
    two = await api.c.post("/v1/cultivations", json=body, headers=headers)
    assert (one.status_code, two.status_code) == (201, 201)
    assert one.json() == two.json()
    assert two.headers["ETag"] == one.json()["etag"]
    assert len(await fetch("SELECT 1 FROM review.cultivation_record")) == 2


async def test_start_cultivation_is_the_national_reviews_entry_point(cult, make_case, outbox):
    """The national review calls `start_cultivation` when it publishes the 培育对象 list."""
    did = await make_case()
    async with cult.app.state.db.transaction() as session:
        case = await cases.by_declaration(session, uuid.UUID(did))
        assert case is not None
        record = await service.start_cultivation(
            session, case=case, start=date(2026, 2, 1), actor="service:national", goals="目标"
        )
        again = await service.start_cultivation(
            session, case=case, start=date(2026, 3, 1), actor="service:national"
        )
        assert again.id == record.id
        assert (record.status, record.period_end) == ("cultivating", date(2028, 2, 1))
    assert [t for t, _, _ in await outbox()] == ["cultivation.started"]


def test_the_period_runs_whole_months_and_ends_on_the_shorter_months_last_day():
    data = cultivation_data()
    assert data.period_end(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert data.period_end(date(2026, 1, 1), 24) == date(2028, 1, 1)
    assert data.period_end(date(2027, 11, 15), 3) == date(2028, 2, 15)


async def test_a_case_without_a_recommending_unit_goes_to_its_province(api, make_case):
    """Cases received before the unit was carried have none: theirs is the province."""
    body = await api.started(await make_case(region="350203", unit=""))
    assert (body["recommending_unit"], body["region_code"]) == ("350000", "350203")


async def test_the_entry_point_refuses_a_period_under_a_month(cult, make_case):
    did = await make_case()
    async with cult.app.state.db.transaction() as session:
        case = await cases.by_declaration(session, uuid.UUID(did))
        assert case is not None
        with pytest.raises(ValueError, match="at least one month"):
            await service.start_cultivation(
                session, case=case, start=date(2026, 1, 1), actor="t", period_months=0
            )
