"""Several recommendation lists read whole at once (issue 17: GraphQL's loaders): each as its
single read answers it — entries in rank order, quota, history — for who may read it; the
others left out; the names bounded."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from ladder.kit.clock import FrozenClock

GUANGDONG = "/v1/recommendation-lists/2025/excellence/440000"
JIANGSU = "/v1/recommendation-lists/2025/excellence/320000"
BATCH = "/v1/recommendation-lists/batch"
NAMES = ["2025:excellence:320000", "2025:pilot:440000", "2025:excellence:440000"]


DETAILS = {
    "scenes": [
        {"segment": "生产作业", "scene": "人机协同作业", "instance": "柔性加工", "ai": True}
    ],
    "kpis": {},
    "integrators": [],
    "future_modes": [],
    "contact": {"name": "联系人", "mobile": "13800000000"},
}


@pytest.fixture
def clock(rec) -> FrozenClock:
    """Before the 2025 卓越级 lists' deadline."""
    c = FrozenClock(datetime(2025, 7, 25, 10, tzinfo=timezone(timedelta(hours=8))))
    rec.app.state.clock = c
    return c


async def _lists(rec, issuer, ready) -> None:
    """Guangdong's 卓越级 list with one entry, submitted; Jiangsu's open, empty."""
    gd = issuer.headers("province", region="440000", name="广东省工业和信息化厅")
    assert (await rec.put(GUANGDONG, headers=gd)).status_code == 201
    (did,) = await ready(1, details=DETAILS)
    added = await rec.post(
        f"{GUANGDONG}/entries",
        json={"declaration_id": did},
        headers={**gd, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert added.status_code == 201, added.text
    for action in ("lock", "submit"):
        etag = (await rec.get(GUANGDONG, headers=gd)).json()["etag"]
        done = await rec.post(
            f"{GUANGDONG}/{action}",
            headers={**gd, "If-Match": etag, "Idempotency-Key": uuid.uuid4().hex},
        )
        assert done.status_code == 200, done.text
    js = issuer.headers("province", region="320000")
    assert (await rec.put(JIANGSU, headers=js)).status_code == 201


@pytest.mark.parametrize(
    "who",
    [("province", "440000"), ("province", "320000"), ("province", "310000"), ("ministry", None)],
)
async def test_a_batch_answers_what_each_single_read_answers(rec, issuer, ready, clock, who):
    await _lists(rec, issuer, ready)
    role, region = who
    headers = issuer.headers(role, region=region) if region else issuer.headers(role)

    batch = await rec.get(BATCH, params={"list": NAMES}, headers=headers)

    assert batch.status_code == 200, batch.text
    singles = []
    for name in NAMES:
        one = await rec.get(f"/v1/recommendation-lists/{name.replace(':', '/')}", headers=headers)
        assert one.status_code in (200, 404), one.text
        if one.status_code == 200:
            singles.append(one.json())
    assert batch.json() == singles
    units = [lst["unit"] for lst in batch.json()]
    expected = {"440000": ["440000"], "320000": ["320000"], "310000": [], None: ["440000"]}
    assert units == expected[region]  # the ministry reads the submitted list only


@pytest.mark.parametrize("role", ["enterprise", "city", "expert"])
async def test_who_reads_no_list_is_refused(rec, issuer, role):
    resp = await rec.get(BATCH, params={"list": NAMES}, headers=issuer.headers(role))

    assert resp.status_code == 403
    assert resp.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize(
    "names",
    [
        [],
        ["2025-excellence-440000"],
        ["2025:gold:440000"],
        ["2023:excellence:440000"],
        ["2025:excellence:44"],
        ["99999999999999999999:pilot:440000"],
        [f"2025:pilot:{440000 + i}" for i in range(101)],
    ],
)
async def test_the_names_are_bounded(rec, issuer, names):
    resp = await rec.get(BATCH, params={"list": names}, headers=issuer.headers("ministry"))

    assert resp.status_code == 422, resp.text
    assert resp.json()["error"]["code"] == "validation_error"
