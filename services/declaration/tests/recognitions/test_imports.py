"""Importing earlier years' recognised lists (认定名单): by the ministry (any region) or a
province (its own), JSON or a CSV/XLSX file, all or nothing with every row's problems, an
import record kept either way."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import Workbook
from self_assessment_data import CSV, XLSX, bad_check, uscc

IMPORTS = "/v1/recognitions/imports"
HEADER = ["统一社会信用代码", "企业名称", "工厂名称", "行政区划代码", "层级", "年度"]


def rows(n: int, tier: str = "先进级", region: str = "350102", year: int = 2024) -> list[dict]:
    return [
        {"uscc": uscc(i, region), "enterprise_name": f"企业{i}", "factory_name": f"工厂{i}",
         "region_code": region, "tier": tier, "year": year}
        for i in range(1, n + 1)
    ]  # fmt: skip


def as_csv(items: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for r in items:
        writer.writerow(list(r.values()))
    return out.getvalue().encode("utf-8")


def as_xlsx(items: list[dict]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for r in items:
        sheet.append([int(v) if k == "year" and str(v).isdigit() else v for k, v in r.items()])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ministry(issuer) -> dict[str, str]:
    return issuer.headers("ministry", sub="miit")


async def send(client, headers, items, key, number="工信厅联通装函〔2024〕100号"):
    body = {"document_number": number, "source_note": "2024年名单", "rows": items}
    return await client.post(
        IMPORTS, json=body, headers={**headers, "Idempotency-Key": f"recognitions-{key}"}
    )


async def test_the_2024_excellence_and_advanced_lists_import(client, issuer) -> None:
    both = rows(2, "卓越级") + rows(3, "advanced", region="310115")
    resp = await send(client, ministry(issuer), both, "k1")
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert (body["status"], body["row_count"], body["written"], body["already_recorded"]) == (
        "accepted",
        5,
        5,
        0,
    )
    listed = await client.get(
        "/v1/recognitions", params={"page_size": 100}, headers=ministry(issuer)
    )
    authorities = {(e["tier"], e["authority"]) for e in listed.json()["items"]}
    assert authorities == {("excellence", "ministry"), ("advanced", "310000")}
    # The same list again (another key): nothing new, counted as already recorded.
    again = await send(client, ministry(issuer), both, "k2")
    assert (again.json()["written"], again.json()["already_recorded"]) == (0, 5)
    # The same key replays the first answer.
    replay = await send(client, ministry(issuer), both, "k1")
    assert replay.json() == body
    read = await client.get(f"{IMPORTS}/{body['id']}", headers=ministry(issuer))
    assert read.status_code == 200 and read.json()["document_number"].endswith("100号")


async def test_every_bad_row_is_named_and_nothing_is_written(client, issuer) -> None:
    items = rows(6)
    items[0]["uscc"] = bad_check(items[0]["uscc"])
    items[1]["tier"] = "基础级"  # self-assessed, never imported
    items[2]["year"] = 2099
    items[3]["region_code"] = "999999"
    items[4]["factory_name"] = ""
    items.append(dict(items[5]))  # the same entry twice
    resp = await send(client, ministry(issuer), items, "bad")
    assert resp.status_code == 422, resp.text
    error = resp.json()["error"]
    assert error["code"] == "recognitions_rejected"
    found = {(p["row"], p["column"], p["code"]) for p in error["details"]["errors"]}
    assert found == {
        (1, "uscc", "invalid_uscc"),
        (2, "tier", "invalid_tier"),
        (3, "year", "invalid_year"),
        (4, "region_code", "unknown_region"),
        (5, "factory_name", "required"),
        (7, "uscc", "duplicate_entry"),
    }
    listed = await client.get("/v1/recognitions", headers=ministry(issuer))
    assert listed.json()["total"] == 0
    record = await client.get(
        f"{IMPORTS}/{error['details']['import_id']}", headers=ministry(issuer)
    )
    assert record.json()["status"] == "rejected" and len(record.json()["errors"]) == 6


async def test_a_province_imports_its_own_region_only(client, issuer) -> None:
    fujian = issuer.headers("province", sub="fj", region="350000")
    own = await send(client, fujian, rows(1), "fj-1")
    assert own.status_code == 201, own.text
    other = await send(client, fujian, rows(1) + rows(1, region="310115"), "fj-2")
    assert other.status_code == 422
    (problem,) = other.json()["error"]["details"]["errors"]
    assert (problem["row"], problem["column"], problem["code"]) == (
        2,
        "region_code",
        "outside_jurisdiction",
    )
    # Another province reads neither import record.
    shanghai = issuer.headers("province", sub="sh", region="310000")
    read = await client.get(f"{IMPORTS}/{own.json()['id']}", headers=shanghai)
    assert read.status_code == 404


@pytest.mark.parametrize("who", ["enterprise", "county", "expert"])
async def test_only_the_ministry_and_provinces_import(client, issuer, who) -> None:
    headers = issuer.headers(who, sub=who, region="350102", org="91350102MA2Y00001E")
    resp = await send(client, headers, rows(1), f"no-{who}")
    assert (resp.status_code, resp.json()["error"]["code"]) == (403, "may_not_import_recognitions")


@pytest.mark.parametrize(("media", "encode"), [(CSV, as_csv), (XLSX, as_xlsx)])
async def test_a_file_imports_the_same_way(client, issuer, media, encode) -> None:
    resp = await client.post(
        f"{IMPORTS}/file",
        params={"document_number": "闽工信函〔2024〕8号", "source_note": "福建省2024年先进级"},
        content=encode(rows(3)),
        headers={**ministry(issuer), "Idempotency-Key": f"file-{media[:20]}".replace("/", "-"),
                 "Content-Type": media, "Content-Disposition": 'attachment; filename="list"'},
    )  # fmt: skip
    assert resp.status_code == 201, resp.text
    assert (resp.json()["written"], resp.json()["file_name"]) == (3, "list")
    broken = [dict(r) for r in rows(2)]
    broken[1]["year"] = "二〇二四"
    bad = await client.post(
        f"{IMPORTS}/file",
        params={"document_number": "x"},
        content=encode(broken),
        headers={
            **ministry(issuer),
            "Idempotency-Key": f"badfile-{media[:20]}".replace("/", "-"),
            "Content-Type": media,
        },
    )
    assert bad.status_code == 422
    (problem,) = bad.json()["error"]["details"]["errors"]
    assert (problem["row"], problem["column"], problem["code"]) == (3, "year", "invalid_year")


async def test_a_file_without_a_needed_column_is_refused(client, issuer) -> None:
    content = "统一社会信用代码,企业名称\n91350102MA2Y00001E,某企业\n".encode()
    resp = await client.post(
        f"{IMPORTS}/file",
        params={"document_number": "x"},
        content=content,
        headers={**ministry(issuer), "Idempotency-Key": "columns-missing", "Content-Type": CSV},
    )
    assert resp.status_code == 422
    codes = {p["code"] for p in resp.json()["error"]["details"]["errors"]}
    assert codes == {"missing_column"}


async def test_a_cell_with_a_control_character_is_a_row_problem(client, issuer) -> None:
    """Files are not checked at the edge (JSON is): a NUL or control character in a cell is
    named as the row's problem, never stored and never repeated."""
    items = rows(1)
    items[0]["enterprise_name"] = "企业\x00名"
    resp = await client.post(
        f"{IMPORTS}/file",
        params={"document_number": "x"},
        content=as_csv(items),
        headers={**ministry(issuer), "Idempotency-Key": "control-character", "Content-Type": CSV},
    )
    assert resp.status_code == 422, resp.text
    (problem,) = resp.json()["error"]["details"]["errors"]
    assert (problem["row"], problem["column"], problem["code"]) == (
        2,
        "enterprise_name",
        "invalid_character",
    )
