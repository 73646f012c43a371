"""Each level's opinion is due by the deadline `ladder.review.deadlines` picks from the
campaign's chain (read from the declaration service): late → 409 `deadline_passed`, nothing
changed."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from ladder.kit.clock import FrozenClock
from ladder.review.deadlines import Deadline, due_for_list, due_for_opinion

BJ = timezone(timedelta(hours=8))
CLEAR = {"gsxt": "clear", "zxgk": "clear", "checked_on": "2025-07-10"}


def _deadline(level: str, day: int, month: int = 7) -> dict:
    closes = datetime(2025, month, day, tzinfo=BJ) + timedelta(days=1)
    return {
        "level": level,
        "closes_at": closes.isoformat(),
        "last_day": f"2025-{month:02d}-{day:02d}",
        "source": "test notice",
        "clause": "test clause",
    }


NATIONAL = [_deadline("enterprise", 18), _deadline("province", 1, 8), _deadline("national", 1, 8)]
FUJIAN = [_deadline("enterprise", 18), _deadline("province", 21), _deadline("national", 1, 8)]
FUZHOU = [*FUJIAN[:1], _deadline("county", 18), *FUJIAN[1:]]


@pytest.fixture
def deadline_chains():
    return {"": NATIONAL, "35": FUJIAN, "3501": FUZHOU}


@pytest.fixture
def clock(client) -> FrozenClock:
    c = FrozenClock(datetime(2025, 7, 15, 12, tzinfo=BJ))
    client.app.state.clock = c
    return c


def _chain(rows: list[dict]) -> dict[str, Deadline]:
    return {
        r["level"]: Deadline(
            r["level"], datetime.fromisoformat(r["closes_at"]), r["last_day"], "", ""
        )
        for r in rows
    }


def test_which_deadline_an_opinion_is_due_by():
    fuzhou, fujian = _chain(FUZHOU), _chain(FUJIAN)
    assert due_for_opinion(fuzhou, "county", top=False).last_day == "2025-07-18"
    # Fuzhou's city has no deadline of its own: the province's receipt binds it.
    assert due_for_opinion(fuzhou, "city", top=False).last_day == "2025-07-21"
    # Another Fujian county has no county deadline either: the province's receipt.
    assert due_for_opinion(fujian, "county", top=False).last_day == "2025-07-21"
    # The top of a chain does its online review by the ministry's receipt.
    assert due_for_opinion(fujian, "province", top=True).last_day == "2025-08-01"
    assert due_for_list(fujian).level == "national"
    assert due_for_list({}) is None and due_for_opinion({}, "county", top=False) is None


async def _case(client, issuer, did):
    return (await client.get(f"/v1/cases/{did}", headers=issuer.headers("ministry"))).json()


async def _forward(client, issuer, did, role, region=None, org=None):
    kw = {"region": region} if region else {"org": org}
    headers = issuer.headers(role, **kw)
    etag = (await _case(client, issuer, did))["etag"]
    return await client.post(
        f"/v1/cases/{did}/opinions",
        json={"decision": "forward", "credit_check": CLEAR}
        if role == "county"
        else {"decision": "forward"},
        headers={**headers, "If-Match": etag, "Idempotency-Key": uuid.uuid4().hex},
    )


async def _open(deliver, make_event, **kw) -> str:
    event = make_event(**kw)
    assert (await deliver(event)).status_code == 200
    return event["payload"]["declaration_id"]


async def test_a_fuzhou_county_is_late_from_the_first_instant_of_july_19(
    client, issuer, make_event, deliver, clock
):
    did = await _open(deliver, make_event)
    clock.set(datetime(2025, 7, 19, tzinfo=BJ))
    before = await _case(client, issuer, did)
    resp = await _forward(client, issuer, did, "county", "350102")
    assert resp.status_code == 409, resp.text
    error = resp.json()["error"]
    assert error["code"] == "deadline_passed"
    assert error["details"]["level"] == "county" and error["details"]["last_day"] == "2025-07-18"
    assert error["message"] and error["message_en"]
    after = await _case(client, issuer, did)
    assert (after["etag"], after["status"], after["level"]) == (
        before["etag"],
        before["status"],
        before["level"],
    )


async def test_pingtans_city_opinion_is_due_by_fujians_receipt_not_fuzhous_county_date(
    client, issuer, make_event, deliver, clock
):
    """平潭 (350128) holds the city step under the province with Fujian's chain ("35"): its
    opinion is in time after Fuzhou's county date (7-18) and late after the province's
    receipt (7-21, 321号 四(四))."""
    late = await _open(deliver, make_event, region_code="350128")
    clock.set(datetime(2025, 7, 22, tzinfo=BJ))
    resp = await _forward(client, issuer, late, "city", "350128")
    assert resp.status_code == 409, resp.text
    details = resp.json()["error"]["details"]
    assert (details["level"], details["last_day"]) == ("province", "2025-07-21")

    in_time = await _open(deliver, make_event, region_code="350128")
    clock.set(datetime(2025, 7, 20, 12, tzinfo=BJ))
    resp = await _forward(client, issuer, in_time, "city", "350128")
    assert resp.status_code == 201, resp.text
    assert resp.json()["case"]["level"] == "province"


async def test_in_time_until_the_last_microsecond(client, issuer, make_event, deliver, clock):
    did = await _open(deliver, make_event)
    clock.set(datetime(2025, 7, 19, tzinfo=BJ) - timedelta(microseconds=1))
    assert (await _forward(client, issuer, did, "county", "350102")).status_code == 201
    # The city forwards by the province's receipt (21日), then the province by 8月1日.
    clock.set(datetime(2025, 7, 21, 18, tzinfo=BJ))
    assert (await _forward(client, issuer, did, "city", "350100")).status_code == 201
    clock.set(datetime(2025, 7, 31, 18, tzinfo=BJ))
    resp = await _forward(client, issuer, did, "province", "350000")
    assert resp.status_code == 201, resp.text
    assert resp.json()["case"]["status"] == "awaiting_recommendation"


async def test_the_city_is_late_after_the_provinces_receipt(
    client, issuer, make_event, deliver, clock
):
    did = await _open(deliver, make_event)
    assert (await _forward(client, issuer, did, "county", "350102")).status_code == 201
    clock.set(datetime(2025, 7, 22, tzinfo=BJ))
    resp = await _forward(client, issuer, did, "city", "350100")
    assert resp.status_code == 409
    assert resp.json()["error"]["details"]["level"] == "province"


async def test_a_group_hq_answers_to_the_national_chain(client, issuer, make_event, deliver, clock):
    group = "91110000100000007A"
    did = await _open(deliver, make_event, central_soe_group=group)
    clock.set(datetime(2025, 8, 2, tzinfo=BJ))
    resp = await _forward(client, issuer, did, "central_soe_hq", org=group)
    assert resp.status_code == 409
    assert resp.json()["error"]["details"]["level"] == "national"


async def test_a_region_without_deadlines_has_none(client, issuer, make_event, deliver, clock):
    """Guangdong takes the national chain: the province (top) by 8月1日, nothing earlier."""
    did = await _open(deliver, make_event, region_code="440106")
    clock.set(datetime(2025, 7, 30, tzinfo=BJ))
    assert (await _forward(client, issuer, did, "province", "440000")).status_code == 201
