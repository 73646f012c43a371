"""The 推荐汇总表 uploaded (`PUT …/summary-table`, XLSX or CSV) through the same validation as
the JSON push: the exported workbook imports back to the same list (附件3 and 附件5, a name
starting with `=` read back as text), CSV in UTF-8 (BOM or not) and GB18030 with the
apostrophe `csv_text` adds taken off, the notice's own header layout, an added USCC column,
and every parse problem named with its row and column header."""

from __future__ import annotations

import csv
import io
import uuid

import pytest
from openpyxl import Workbook, load_workbook

from ladder.kit.sheets import csv_row
from ladder.review.recommendations.summary_table import specs

BASE = "/v1/recommendation-lists/2025"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SCENES = [
    {"segment": "生产作业", "scene": "人机协同作业", "instance": "发动机壳体柔性加工", "ai": True},
    {"segment": "质量管控", "scene": "在线智能检测", "instance": "视觉检测—外观", "ai": False},
]
MODES = ["研发模式创新-创成式设计", "生产方式创新-可重构柔性制造"]
FORMULA = '=HYPERLINK("http://example.invalid/?"&A1,"点击查看")'


@pytest.fixture
def quota() -> dict:
    return {"limit": 10}


def _h(issuer, **extra) -> dict[str, str]:
    return {**issuer.headers("province", region="440000", name="广东省工业和信息化厅"), **extra}


@pytest.fixture
def cases(ready):
    async def _cases(n: int, tier: str = "excellence", **names) -> list[str]:
        ids = []
        for i in range(n):
            details = {
                "scenes": SCENES,
                "future_modes": MODES if tier == "pilot" else [],
                "contact": {"name": f"联系人{i}", "mobile": f"1380013800{i}"},
            }
            kw = {"enterprise_name": f"示例企业{i}", "factory_name": f"示例工厂{i}", **names}
            if i == 0 and not names:
                kw = {"enterprise_name": FORMULA, "factory_name": "=1+2 智能工厂"}
            ids += await ready(1, tier=tier, details=details, **kw)
        return ids

    return _cases


async def _push(rec, issuer, url, ids, *, submit=False):
    resp = await rec.put(
        f"{url}/ranked",
        json={"entries": [{"rank": i, "declaration_id": d} for i, d in enumerate(ids, 1)],
              "submit": submit},
        headers=_h(issuer, **{"Idempotency-Key": uuid.uuid4().hex}),
    )  # fmt: skip
    assert resp.status_code in (200, 201), resp.text
    return resp.json()


async def _upload(rec, issuer, url, content: bytes, ctype: str = XLSX, *, submit=False, **extra):
    return await rec.put(
        f"{url}/summary-table",
        params={"submit": str(submit).lower()},
        content=content,
        headers=_h(
            issuer,
            **{"Idempotency-Key": uuid.uuid4().hex, "Content-Type": ctype},
            **extra,
        ),
    )


def _order(body: dict) -> list[str]:
    return [e["declaration_id"] for e in body["entries"]]


def _problems(resp) -> tuple[list[tuple], list[str]]:
    assert resp.status_code == 422, resp.text
    details = resp.json()["error"]["details"]
    rows = [(p["row"], p.get("column"), p["code"]) for p in details["row_problems"]]
    return rows, [p["code"] for p in details["list_problems"]]


def _xlsx(rows: list[list]) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize(("tier", "attachment"), [("excellence", "附件3"), ("pilot", "附件5")])
async def test_the_exported_table_imports_back_to_the_same_list(
    rec, issuer, cases, tier, attachment
):
    url = f"{BASE}/{tier}/440000"
    ids = await cases(3, tier)
    await _push(rec, issuer, url, ids)
    exported = await rec.get(f"{url}/summary-table.xlsx", headers=_h(issuer))
    assert exported.status_code == 200
    book = load_workbook(io.BytesIO(exported.content))
    sheet = book.active
    spec = specs()[tier]
    assert sheet.title == attachment
    assert [c.value for c in sheet[3]] == [c.header for c in spec.columns]
    # The `=` names are text cells, never formulas.
    first = {c.header: cell for c, cell in zip(spec.columns, sheet[4], strict=True)}
    assert first["申报单位名称"].value == FORMULA and first["申报单位名称"].data_type == "s"
    project = first[spec.columns[2].header]
    assert (project.value, project.data_type) == ("=1+2 智能工厂", "s")
    assert first["涉及典型场景实例（罗列）"].value.splitlines() == [
        "1.生产作业—人机协同作业—发动机壳体柔性加工",
        "2.质量管控—在线智能检测—视觉检测—外观",
    ]
    if tier == "pilot":
        assert first["重点探索的未来制造模式清单"].value.splitlines() == [
            f"{i}.{m}" for i, m in enumerate(MODES, 1)
        ]
    # Another order meanwhile; the file puts the exported one back, and submits it.
    assert _order(await _push(rec, issuer, url, ids[::-1])) == ids[::-1]
    back = await _upload(
        rec, issuer, url, exported.content, submit=True,
        **{"Content-Disposition": 'attachment; filename="table.xlsx"'},
    )  # fmt: skip
    assert back.status_code == 200, back.text
    assert (back.json()["status"], _order(back.json())) == ("submitted", ids)
    pushed = [h for h in back.json()["history"] if h["action"] == "pushed"][-1]
    assert "推荐汇总表 file table.xlsx (XLSX, sha256" in pushed["reason"]
    frozen = await rec.get(f"{url}/summary-table.xlsx", headers=_h(issuer))
    data = lambda content: [  # noqa: E731
        r for r in load_workbook(io.BytesIO(content)).active.iter_rows(min_row=3, values_only=True)
    ]
    assert data(frozen.content) == data(exported.content)


def _csv(rows: list[list], encoding: str) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    for row in rows:
        writer.writerow(csv_row(row))
    return out.getvalue().encode(encoding)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
async def test_a_csv_in_utf8_or_gb18030_imports_with_the_apostrophe_taken_off(
    rec, issuer, cases, encoding
):
    url = f"{BASE}/excellence/440000"
    ids = await cases(2)
    await _push(rec, issuer, url, ids)
    exported = await rec.get(f"{url}/summary-table.xlsx", headers=_h(issuer))
    rows = [list(r) for r in load_workbook(io.BytesIO(exported.content)).active.values]
    content = _csv(rows[::1][:3] + rows[3:][::-1], encoding)  # ranks 2, 1 in the file
    assert b"'=HYPERLINK" in content  # as csv_text writes it
    await _push(rec, issuer, url, ids[::-1])
    back = await _upload(rec, issuer, url, content, "text/csv")
    assert back.status_code == 200, back.text
    assert _order(back.json()) == ids


async def test_the_notices_own_layout_and_an_added_uscc_column_are_understood(rec, issuer, ready):
    url = f"{BASE}/excellence/440000"
    other = "91440300MA5F00002X"
    a, b = await ready(2, enterprise_name="同名公司", factory_name="同名工厂")
    (c,) = await ready(1, enterprise_name="同名公司", factory_name="同名工厂",
                       enterprise_uscc=other)  # fmt: skip
    head = ["序号", "统一社会信用代码", "申报单位名称", "卓越级智能工厂\n项目名称",
            "涉及典型场景实例（罗列）", "联系人", "联系方式\n（手机号）", "备注"]  # fmt: skip
    rows = [
        ["卓越级智能工厂项目推荐汇总表"],
        ["推荐单位（盖章）："],
        head,
        [1, other, "同名公司", "同名工厂", None, None, None, "Ladder 不读的列"],
        [None],
        ["2", "91440100M000100Y43", "同名公司", "同名工厂"],
        ["注：1.推荐的卓越级智能工厂项目按优先次序排名；2.推荐数量不超过通知中规定的上限。"],
    ]
    resp = await _upload(rec, issuer, url, _xlsx(rows), submit=False)
    # The USCC names the enterprise, but two cases of that one have the same names.
    assert _problems(resp) == ([(6, "统一社会信用代码", "ambiguous")], [])
    rows[5][1] = other
    rows[3][1] = "91440100M000100Y43"
    assert _problems(await _upload(rec, issuer, url, _xlsx(rows))) == (
        [(4, "统一社会信用代码", "ambiguous")],
        [],
    )
    del rows[5]
    rows[3][1] = other
    done = await _upload(rec, issuer, url, _xlsx(rows))
    assert done.status_code == 201, done.text
    assert _order(done.json()) == [c]
    assert a and b


async def test_every_cell_that_is_not_what_its_column_takes_is_named(rec, issuer, cases):
    url = f"{BASE}/excellence/440000"
    await cases(3, enterprise_name="示例企业", factory_name="示例工厂")
    spec = specs()["excellence"]
    header = [c.header for c in spec.columns]
    rows = [
        ["卓越级智能工厂项目推荐汇总表"],
        ["推荐单位（盖章）：广东省工业和信息化厅"],
        header,
        [
            "一",
            "示例企业",
            "示例工厂",
            "1.生产作业—人机协同作业—发动机壳体柔性加工",
            "联系人",
            None,
        ],
        [
            2,
            "示例企业",
            "示例工厂",
            "1.生产作业-人机协同作业\n2.质量管控—在线智能检测—视觉检测—外观",
        ],
        [3, "示例企业", "没有的工厂"],
        [4, "示例企业", "示例工厂", None, "联系人", "13900000000"],
    ]
    resp = await _upload(rec, issuer, url, _xlsx(rows))
    found, listwide = _problems(resp)
    assert found == [
        (4, "序号", "rank_unreadable"),
        (4, "申报单位名称", "ambiguous"),
        (5, "申报单位名称", "ambiguous"),
        (5, "涉及典型场景实例（罗列）", "scene_unreadable"),
        (6, "申报单位名称", "not_found"),
        (7, "申报单位名称", "ambiguous"),
    ]
    assert listwide == []
    by = {(p["row"], p["code"]): p for p in resp.json()["error"]["details"]["row_problems"]}
    assert by[(5, "scene_unreadable")]["line"] == 1
    assert by[(5, "scene_unreadable")]["field"] == "scenes"


async def test_a_mismatch_in_a_file_names_its_column_and_what_was_declared(rec, issuer, cases):
    url = f"{BASE}/excellence/440000"
    (_, did) = await cases(2)
    scenes = "1.生产作业—人机协同作业—发动机壳体柔性加工\n2.质量管控 — 在线智能检测 — 视觉检测—外观"
    rows = [
        ["title"],
        ["unit"],
        [c.header for c in specs()["excellence"].columns],
        [1, "示例企业1", "示例工厂1", scenes, "联系人1", "13900000000"],
    ]
    (problem,) = (await _upload(rec, issuer, url, _xlsx(rows))).json()["error"]["details"][
        "row_problems"
    ]
    assert (problem["row"], problem["field"], problem["column"]) == (
        4,
        "contact.mobile",
        "联系方式（手机号）",
    )
    assert (problem["code"], problem["expected"]) == ("mismatch", "138****8001")
    rows[3][5] = 13800138001  # a number in the cell, as Excel may keep a mobile
    resp = await _upload(rec, issuer, url, _xlsx(rows))
    assert resp.status_code == 201, resp.text
    assert _order(resp.json()) == [did]


async def test_a_file_that_cannot_be_read_is_a_list_problem(rec, issuer, cases):
    url = f"{BASE}/excellence/440000"
    await cases(1)
    pilot_headers = [c.header for c in specs()["pilot"].columns]
    for content, ctype, code in (
        (b"not a workbook", XLSX, "unreadable_file"),
        (_xlsx([["title"], pilot_headers, [1, "a", "b"]]), XLSX, "header_missing"),
        ("序号,申报单位名称\n".encode(), "text/csv", "header_missing"),
        ("序号,申报单位名称,卓越级智能工厂项目名称\n1,甲,乙\n".encode("utf-16"),
         "text/csv; charset=utf-8", "bad_encoding"),
    ):  # fmt: skip
        resp = await _upload(rec, issuer, url, content, ctype)
        assert _problems(resp)[1] == [code], resp.text
    headers = [c.header for c in specs()["excellence"].columns]
    twice = _xlsx([[*headers, "序号"], [1, "a", "b"]])
    assert _problems(await _upload(rec, issuer, url, twice))[1] == ["header_repeated"]
    wrong = await _upload(rec, issuer, url, b"{}", "application/json")
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (415, "unsupported_media_type")
    assert (await rec.get(f"{url}", headers=_h(issuer))).status_code == 404
