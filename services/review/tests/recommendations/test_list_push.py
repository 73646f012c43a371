"""A whole ranked list pushed in one request (`PUT …/ranked`, JSON): replaced and submitted in
one transaction or left a draft; validated as a whole (every row's problem named with its row
and field, nothing written); the quota (the rules stand-in) and the deadline (the declaration
stand-in); locked and submitted lists; who may; the same key twice, concurrently.

The spreadsheet upload of the same table is `test_summary_table_import.py`."""

from __future__ import annotations

import asyncio
import io
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from openpyxl import load_workbook

BASE = "/v1/recommendation-lists/2025"
LIST = f"{BASE}/excellence/440000"
USCC = "91440100M000100Y43"  # every case `ready` makes is this enterprise's
CLAUSE = "工信厅联通装函〔2025〕251号 二(二)2"
SCENES = [
    {"segment": "生产作业", "scene": "人机协同作业", "instance": "发动机壳体柔性加工", "ai": True},
    {"segment": "质量管控", "scene": "在线智能检测", "instance": "视觉检测", "ai": False},
]


@pytest.fixture
def quota() -> dict:
    return {"limit": 5, "clause": CLAUSE, "name": "广东省"}


def _details(i: int, modes: list[str] | None = None) -> dict:
    return {
        "scenes": SCENES,
        "kpis": {},
        "integrators": [],
        "future_modes": modes or [],
        "contact": {"name": f"联系人{i}", "mobile": f"1380013800{i}"},
    }


def _h(issuer, role="province", region="440000", **extra) -> dict[str, str]:
    return {**issuer.headers(role, region=region, name="广东省工业和信息化厅"), **extra}


def _key(key: str | None = None) -> dict[str, str]:
    return {"Idempotency-Key": key or uuid.uuid4().hex}


@pytest.fixture
def cases(ready):
    """`n` cases awaiting Guangdong's 卓越级 recommendation, each with its scenes and contact:
    [(declaration id, enterprise name, project name)]."""

    async def _cases(n: int, *, tier: str = "excellence", **kw) -> list[tuple[str, str, str]]:
        made = []
        for i in range(n):
            names = {"enterprise_name": f"示例企业{i}", "factory_name": f"示例工厂{i}"}
            (did,) = await ready(1, tier=tier, details=_details(i), **names, **kw)
            made.append((did, names["enterprise_name"], names["factory_name"]))
        return made

    return _cases


async def _push(rec, issuer, entries, *, submit=True, url=LIST, key=None, headers=None):
    return await rec.put(
        f"{url}/ranked",
        json={"entries": entries, "submit": submit},
        headers={**(headers or _h(issuer)), **_key(key)},
    )


async def _statuses(db: str, ids: list[str]) -> list[str]:
    conn = await asyncpg.connect(db.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        rows = await conn.fetch("SELECT declaration_id::text AS d, status FROM review.review_case")
    finally:
        await conn.close()
    by_id = {r["d"]: r["status"] for r in rows}
    return [by_id[d] for d in ids]


async def _count(db: str, sql: str) -> int:
    conn = await asyncpg.connect(db.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()


def _problems(resp) -> tuple[list[tuple[int, str | None, str]], list[str]]:
    assert resp.status_code == 422, resp.text
    error = resp.json()["error"]
    assert error["code"] == "list_push_invalid"
    rows = [(p["row"], p["field"], p["code"]) for p in error["details"]["row_problems"]]
    return rows, [p["code"] for p in error["details"]["list_problems"]]


# --- the push --------------------------------------------------------------------------------


async def test_a_push_opens_replaces_and_submits_in_one_transaction(rec, issuer, cases, clean_db):
    (a, a_ent, _), (b, _, b_proj), (c, c_ent, c_proj) = await cases(3)
    entries = [
        # named three ways, given out of rank order, with columns that agree
        {"rank": 2, "enterprise_uscc": USCC, "project_name": b_proj},
        {"rank": 3, "enterprise_name": c_ent, "project_name": c_proj,
         "contact": {"name": "联系人2", "mobile": "138-0013-8002"}},
        {"rank": 1, "declaration_id": a, "enterprise_name": a_ent,
         "scenes": [{"segment": s["segment"], "scene": s["scene"], "instance": s["instance"]}
                    for s in reversed(SCENES)]},
    ]  # fmt: skip
    resp = await _push(rec, issuer, entries)
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert resp.headers["ETag"] == body["etag"]
    assert body["status"] == "submitted"
    assert [e["declaration_id"] for e in body["entries"]] == [a, b, c]
    assert [e["rank"] for e in body["entries"]] == [1, 2, 3]
    assert (body["counted"], body["limit"]) == (3, 5)
    history = body["history"]
    assert [h["action"] for h in history] == ["created", "pushed", "locked", "submitted"]
    pushed = history[1]
    assert pushed["actor"] == "test-province"
    assert pushed["reason"].startswith("3 entries pushed as JSON, replacing 0: 3 use the quota")
    assert body["submission"]["entries"] == 3
    assert await _statuses(clean_db, [a, b, c]) == ["recommended"] * 3
    table = await rec.get(f"{LIST}/summary-table.xlsx", headers=_h(issuer))
    assert table.status_code == 200 and "draft" not in table.headers["content-disposition"]


async def test_a_draft_push_leaves_the_list_open_with_exactly_its_entries(rec, issuer, cases):
    (a, *_), (b, *_), (c, *_) = await cases(3)
    first = await _push(rec, issuer, [{"rank": 1, "declaration_id": a},
                                      {"rank": 2, "declaration_id": b}], submit=False)  # fmt: skip
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "open"
    again = await _push(rec, issuer, [{"rank": 2, "declaration_id": a},
                                      {"rank": 1, "declaration_id": c}], submit=False)  # fmt: skip
    assert again.status_code == 200, again.text
    body = again.json()
    assert (body["status"], [e["declaration_id"] for e in body["entries"]]) == ("open", [c, a])
    assert body["history"][-1]["action"] == "pushed"
    assert "replacing 2" in body["history"][-1]["reason"]
    assert "left open as a draft" in body["history"][-1]["reason"]
    # An empty draft clears it; an empty submission is refused.
    cleared = await _push(rec, issuer, [], submit=False)
    assert (cleared.status_code, cleared.json()["entries"]) == (200, [])
    assert _problems(await _push(rec, issuer, [])) == ([], ["list_empty"])


async def test_columns_left_out_are_filled_from_the_declaration(rec, issuer, cases):
    ((a, ent, proj),) = await cases(1)
    resp = await _push(rec, issuer, [{"rank": 1, "declaration_id": a}], submit=False)
    assert resp.status_code == 201, resp.text
    entry = resp.json()["entries"][0]
    assert (entry["enterprise_name"], entry["factory_name"]) == (ent, proj)


# --- validated as a whole --------------------------------------------------------------------


async def test_every_problem_of_every_row_is_named_and_nothing_is_written(
    rec, issuer, cases, ready, clean_db
):
    made = await cases(4)
    (elsewhere,) = await ready(1, unit="350000", region="350102")  # another province's
    (at_review,) = await ready(1, status="awaiting_initial_review")  # not yet forwarded
    (pilot,) = await ready(1, tier="pilot")  # another tier's
    ok = [{"rank": i + 1, "declaration_id": did} for i, (did, *_rest) in enumerate(made)]
    entries = [
        ok[0],
        {**ok[1], "contact": {"mobile": "13900000000"}, "project_name": "别的工厂"},
        {"rank": 3, "declaration_id": str(uuid.uuid4())},
        {"rank": 4, "declaration_id": elsewhere},
        {"rank": 5, "declaration_id": at_review},
        {"rank": 6, "declaration_id": pilot},
        {"rank": 7, "declaration_id": made[0][0]},  # row 1's case again
        {"rank": 8, "enterprise_uscc": USCC, "project_name": "没有这个项目"},
        {"rank": 9},
        {"rank": 9, "enterprise_name": made[2][1], "project_name": made[2][2],
         "scenes": [{"segment": "生产作业", "scene": "人机协同作业", "instance": "别的实例"}]},
        {"rank": 12, "declaration_id": made[3][0], "future_modes": ["研发模式创新-创成式设计"]},
    ]  # fmt: skip
    resp = await _push(rec, issuer, entries)
    rows, listwide = _problems(resp)
    assert rows == [
        (2, "project_name", "mismatch"),
        (2, "contact.mobile", "mismatch"),
        (3, "declaration_id", "not_found"),
        (4, "declaration_id", "not_found"),  # not in Guangdong's sight: not told apart
        (5, "declaration_id", "not_awaiting"),
        (6, "declaration_id", "not_for_this_list"),
        (7, None, "repeated"),
        (8, "enterprise_uscc", "not_found"),
        (9, None, "reference_missing"),
        (9, "rank", "rank_repeated"),
        (10, "rank", "rank_repeated"),
        (10, "scenes", "mismatch"),
        (11, "rank", "rank_out_of_range"),
        (11, "future_modes", "mismatch"),
    ]
    assert listwide == ["ranks_missing"]
    details = resp.json()["error"]["details"]
    assert details["rows_checked"] == 11
    by = {(p["row"], p["field"]): p for p in details["row_problems"]}
    mobile = by[(2, "contact.mobile")]
    # What was declared is named — of a mobile, only its ends.
    assert mobile["expected"] == "138****8001"
    assert "13900000000" not in resp.text and "13800138001" not in resp.text
    assert by[(2, "project_name")]["expected"] == made[1][2]
    assert by[(2, "project_name")]["message"] == f"项目名称与申报书不一致，应为：{made[1][2]}"
    assert by[(5, "declaration_id")]["status"] == "awaiting_initial_review"
    assert by[(6, "declaration_id")]["tier"] == "pilot"
    assert by[(10, "scenes")]["expected"][0] == {
        "segment": "生产作业", "scene": "人机协同作业", "instance": "发动机壳体柔性加工"
    }  # fmt: skip
    assert by[(11, "future_modes")]["expected"] == []
    assert by[(9, "rank")]["rows"] == [9, 10]
    (missing,) = details["list_problems"]
    assert missing["missing"] == [10, 11]  # ranks 1..11: 9 is given twice, 12 is out
    # Nothing: not even the list the push would have opened.
    assert (await rec.get(LIST, headers=_h(issuer))).status_code == 404
    assert await _count(clean_db, "SELECT count(*) FROM review.recommendation_list") == 0
    assert await _statuses(clean_db, [m[0] for m in made]) == ["awaiting_recommendation"] * 4


async def test_a_row_naming_a_case_by_its_enterprise_finds_it_or_says_why(rec, issuer, ready):
    (a,) = await ready(1, enterprise_name="甲公司", factory_name="一号工厂")
    (b,) = await ready(1, enterprise_name="甲公司", factory_name="一号工厂")  # the same names
    (c,) = await ready(
        1, enterprise_name="乙公司（集团）", factory_name="二号工厂", status="not_recommended"
    )
    entries = [
        {"rank": 1, "enterprise_name": "甲公司", "project_name": "一号工厂"},
        {"rank": 2, "enterprise_name": "乙公司（集团）", "project_name": "二号工厂"},
        {"rank": 3, "enterprise_uscc": USCC, "project_name": "二号工厂"},
        # half-width brackets, as a spreadsheet may have them: the same names
        {"rank": 4, "enterprise_name": "乙公司(集团)", "project_name": "二号工厂"},
    ]
    rows, _ = _problems(await _push(rec, issuer, entries))
    assert rows == [
        (1, "enterprise_name", "ambiguous"),
        (2, "enterprise_name", "not_awaiting"),
        (3, "enterprise_uscc", "not_awaiting"),
        (4, "enterprise_name", "not_awaiting"),
    ]
    # By declaration id, each is found.
    resp = await _push(rec, issuer, [{"rank": 1, "declaration_id": b},
                                     {"rank": 2, "declaration_id": a}], submit=False)  # fmt: skip
    assert resp.status_code == 201, resp.text
    assert c  # (its case stays where it is)


async def test_over_the_quota_is_refused_naming_the_limit_clause_and_source(rec, issuer, cases):
    made = await cases(6)
    entries = [{"rank": i + 1, "declaration_id": m[0]} for i, m in enumerate(made)]
    rows, listwide = _problems(await _push(rec, issuer, entries))
    assert (rows, listwide) == ([], ["over_quota"])
    resp = await _push(rec, issuer, entries)
    (over,) = resp.json()["error"]["details"]["list_problems"]
    assert {k: over[k] for k in ("limit", "counted", "clause", "source", "unit", "rows")} == {
        "limit": 5,
        "counted": 6,
        "clause": CLAUSE,
        "source": "test",
        "unit": "440000",
        "rows": [6],
    }
    assert over["unit_name"] == "广东省"
    assert "不超过5个" in over["message"] and CLAUSE in over["message_en"]
    fits = await _push(rec, issuer, entries[:5])
    assert fits.status_code == 201, fits.text


async def test_a_submitting_push_after_the_deadline_is_refused_naming_it(
    rec, issuer, cases, deadline_chains
):
    closed = datetime.now(UTC) - timedelta(days=1)
    deadline_chains[""] = [
        {
            "level": "national",
            "closes_at": closed.isoformat(),
            "last_day": closed.date().isoformat(),
            "source": "工信厅联通装函〔2025〕251号",
            "clause": "二(二)3",
        }
    ]
    ((a, *_),) = await cases(1)
    late = await _push(rec, issuer, [{"rank": 1, "declaration_id": a}])
    assert (late.status_code, late.json()["error"]["code"]) == (409, "deadline_passed")
    assert late.json()["error"]["details"] == {
        "level": "national",
        "closes_at": closed.isoformat(),
        "last_day": closed.date().isoformat(),
        "source": "工信厅联通装函〔2025〕251号",
        "clause": "二(二)3",
    }
    # A draft harms nobody: it is kept (as adding an entry is) — and cannot be submitted.
    draft = await _push(rec, issuer, [{"rank": 1, "declaration_id": a}], submit=False)
    assert (draft.status_code, draft.json()["status"]) == (201, "open")


async def test_a_locked_list_is_not_overwritten_and_a_submitted_one_is_final(rec, issuer, cases):
    (a, *_), (b, *_) = await cases(2)
    draft = await _push(rec, issuer, [{"rank": 1, "declaration_id": a}], submit=False)
    locked = await rec.post(
        f"{LIST}/lock", headers=_h(issuer, **{"If-Match": draft.json()["etag"]})
    )
    assert locked.status_code == 200, locked.text
    refused = await _push(rec, issuer, [{"rank": 1, "declaration_id": b}])
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "list_locked")
    unlocked = await rec.post(
        f"{LIST}/unlock", headers=_h(issuer, **{"If-Match": locked.headers["ETag"]})
    )
    assert unlocked.status_code == 200
    done = await _push(rec, issuer, [{"rank": 1, "declaration_id": b}])
    assert (done.status_code, done.json()["status"]) == (200, "submitted")
    final = await _push(rec, issuer, [{"rank": 1, "declaration_id": b}], submit=False)
    assert (final.status_code, final.json()["error"]["code"]) == (409, "list_submitted")


# --- who ---------------------------------------------------------------------------------------


async def test_only_the_units_authority_and_its_machine_clients_push(rec, issuer, cases):
    ((a, *_),) = await cases(1)
    entries = [{"rank": 1, "declaration_id": a}]
    for headers, status in (
        (_h(issuer, region="350000"), 404),  # another province: the list does not exist for it
        (_h(issuer, "ministry", None), 403),
        (_h(issuer, "city", "440100"), 403),
        (_h(issuer, "county", "440106"), 404),  # a county that ranks no table
        # a machine client that may only read
        (issuer.headers("province", region="440000", scope="review:read"), 403),
    ):
        resp = await _push(rec, issuer, entries, headers=headers)
        assert resp.status_code == status, (headers, resp.text)
    machine = issuer.headers(
        "province", region="440000", sub="client:gd-system", scope="review:read review:write"
    )
    resp = await _push(rec, issuer, entries, headers=machine)
    assert resp.status_code == 201, resp.text
    assert resp.json()["history"][1]["actor"] == "client:gd-system"
    assert resp.json()["entries"][0]["added_by"] == "client:gd-system"
    # The table names the unit, not the client's system (the units registry's name).
    table = await rec.get(f"{LIST}/summary-table.xlsx", headers=machine)
    assert load_workbook(io.BytesIO(table.content)).active["A2"].value == "推荐单位（盖章）：广东省"


# --- the same key -----------------------------------------------------------------------------


async def test_the_same_push_sent_concurrently_makes_one_list_and_one_answer(
    rec, issuer, cases, clean_db
):
    made = await cases(4)
    entries = [{"rank": i + 1, "declaration_id": m[0]} for i, m in enumerate(made)]
    key = uuid.uuid4().hex
    answers = await asyncio.gather(*(_push(rec, issuer, entries, key=key) for _ in range(12)))
    assert {a.status_code for a in answers} == {201}
    # The same answer (the replays come from the key's stored JSON: the same document, its
    # keys perhaps in another order).
    assert all(a.json() == answers[0].json() for a in answers)
    assert len({a.headers["ETag"] for a in answers}) == 1
    assert await _count(clean_db, "SELECT count(*) FROM review.recommendation_list") == 1
    pushed = "SELECT count(*) FROM review.recommendation_list_event WHERE action = 'pushed'"
    assert await _count(clean_db, pushed) == 1
    other = await _push(rec, issuer, entries[:3], key=key)
    assert (other.status_code, other.json()["error"]["code"]) == (422, "idempotency_key_reused")


async def test_a_district_pushes_its_ranked_table_which_goes_up_in_rank_order(rec, issuer, ready):
    """A Shanghai district's table (a ranking level) is pushed like a province's list: its
    cases are those it holds (待初审 at its level), and submitting forwards them up."""
    district = {"unit": "310000", "region": "310115", "status": "awaiting_initial_review",
                "level": "county", "holder_region": "310115"}  # fmt: skip
    a, b = await ready(2, **district)
    (municipal,) = await ready(1, unit="310000", region="310115")  # past the district already
    url = f"{BASE}/excellence/310115"
    pudong = _h(issuer, "county", "310115")
    refused = await _push(rec, issuer, [{"rank": 1, "declaration_id": municipal}], url=url,
                          headers=pudong)  # fmt: skip
    assert _problems(refused)[0] == [(1, "declaration_id", "not_awaiting")]
    resp = await _push(rec, issuer, [{"rank": 1, "declaration_id": b},
                                     {"rank": 2, "declaration_id": a}], url=url,
                       headers=pudong)  # fmt: skip
    assert resp.status_code == 201, resp.text
    assert resp.json()["submission"]["reported_to"] == ["310000"]
    for rank, did in enumerate([b, a], 1):
        case = (await rec.get(f"/v1/cases/{did}", headers=_h(issuer, "ministry", None))).json()
        assert (case["level"], case["holder_region"]) == ("province", "310000")
        opinions = await rec.get(f"/v1/cases/{did}/opinions", headers=_h(issuer, "ministry", None))
        assert opinions.json()[0]["reasons"] == f"excellence list of 310115, rank {rank}"


@pytest.mark.parametrize(
    ("accept_language", "language"),
    [(None, "zh-CN"), ("en-US,en;q=0.9", "en"), ("zh-CN;q=0.5,en;q=0.8", "en"), ("fr", "zh-CN")],
)
async def test_the_problems_answer_in_the_language_asked_for(
    rec, issuer, accept_language, language
):
    """Accept-Language (ladder.kit.negotiation): the error's `message` and every row's follow
    it; `message_en` stays English."""
    asked = {"Accept-Language": accept_language} if accept_language else {}
    entries = [{"rank": 1, "declaration_id": str(uuid.uuid4())}]
    resp = await _push(rec, issuer, entries, headers=_h(issuer, **asked))
    assert _problems(resp)[0] == [(1, "declaration_id", "not_found")]
    assert resp.headers["content-language"] == language
    assert "Accept-Language" in resp.headers["vary"]
    error = resp.json()["error"]
    (row,) = error["details"]["row_problems"]
    for said in (error, row):
        assert said["message_en"].isascii()
        assert (said["message"] == said["message_en"]) is (language == "en")
