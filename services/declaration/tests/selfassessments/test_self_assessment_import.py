"""The provinces' bulk import of self-assessments: all or nothing per file, CSV and XLSX."""

from __future__ import annotations

import csv
import io
import uuid
from urllib.parse import quote

import pytest
from evidence_files import xlsx_bomb, xlsx_many_strings
from openpyxl import load_workbook
from self_assessment_data import (
    CSV,
    XLSX,
    YEAR,
    bad_check,
    form,
    province,
    row,
    to_csv,
    to_xlsx,
    upload,
    uscc,
)
from sqlalchemy import text

from ladder.declaration.rules_client import RulesClient
from ladder.declaration.selfassessments import rules as basic_rules

URL = "/v1/self-assessments"


async def _count(client, where: str = "true") -> int:
    async with client.app.state.db.transaction() as session:
        return (
            await session.execute(
                text(f"SELECT count(*) FROM declaration.self_assessment WHERE {where}")
            )
        ).scalar_one()


def _mixed() -> list[dict[str, object]]:
    return [
        row(1),  # row 2: good
        row(2, uscc=bad_check(uscc(2))),  # row 3: wrong check character
        row(3, region="359999"),  # row 4: no such region
        row(4, region="310115"),  # row 5: Shanghai, outside Fujian
        row(5, cmmm_level="9"),  # row 6: CMMM 9
        row(6, cmmm_level="1"),  # row 7: ineligible by the rules: recorded, not an error
        row(1),  # row 8: the same enterprise and factory as row 2
        row(7, **{"kpi.productivity_gain": "很多"}),  # row 9: not a number
        row(8, segments="生产作业、装配"),  # row 10: not a segment
        row(9, **{"attest.security": "也许"}),  # row 11: neither 是 nor 否
        row(10, segments="生产管理", **{"built.production_operations": "x"}),  # row 12
        row(11, name=""),  # row 13: required
    ]


def _fixed() -> list[dict[str, object]]:
    return [
        row(1),
        row(2),
        row(3, region="350103"),
        row(4, region="350203"),
        row(5, cmmm_level="二级"),
        row(6, cmmm_level="1"),
        row(12),
        row(7, **{"kpi.productivity_gain": "8"}),
        row(8, segments="生产作业;研发设计"),
        row(9, **{"attest.security": "否"}),
        row(10, segments="生产管理", **{"built.production_operations": ""}),
        row(11, factory=""),
    ]


EXPECTED_ERRORS = [
    (3, "uscc", "invalid_uscc"),
    (4, "region", "unknown_region"),
    (5, "region", "outside_jurisdiction"),
    (6, "cmmm_level", "invalid_cmmm_level"),
    (8, "uscc", "duplicate_row"),
    (9, "kpi.productivity_gain", "invalid_number"),
    (10, "segments", "unknown_segment"),
    (11, "attest.security", "invalid_attestation"),
    (12, "built.production_operations", "built_without_segment"),
    (13, "name", "required"),
]


async def test_a_file_with_bad_rows_writes_nothing_and_names_each_error(client, issuer):
    resp = await upload(client, province(issuer), to_csv(_mixed()))
    assert resp.status_code == 422, resp.text
    error = resp.json()["error"]
    assert error["code"] == "import_rejected"
    details = error["details"]
    assert details["row_count"] == 12
    assert details["error_count"] == len(EXPECTED_ERRORS)
    got = [(e["row"], e["column"], e["code"]) for e in details["errors"]]
    assert got == EXPECTED_ERRORS
    duplicate = next(e for e in details["errors"] if e["code"] == "duplicate_row")
    assert "第2行" in duplicate["message"] and "row 2" in duplicate["message_en"]
    assert all(e["message"] and e["message_en"] for e in details["errors"])
    assert await _count(client) == 0
    # The rejected import is on record.
    record = await client.get(f"{URL}/imports/{details['import_id']}", headers=province(issuer))
    assert record.status_code == 200
    assert record.json()["status"] == "rejected"
    assert record.json()["error_count"] == len(EXPECTED_ERRORS)
    assert record.json()["written"] == 0


async def test_the_fixed_file_writes_every_row(client, issuer):
    resp = await upload(
        client,
        province(issuer),
        to_csv(_fixed()),
        extra={"Content-Disposition": f"attachment; filename*=UTF-8''{quote('福建省自评.csv')}"},
    )
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["status"] == "accepted"
    assert body["row_count"] == body["written"] == 12
    assert body["file_name"] == "福建省自评.csv"
    assert body["outcomes"] == {"eligible": 11, "ineligible": 1}
    assert await _count(client) == 12
    assert await _count(client, f"source = 'import:{body['id']}'") == 12
    # What was read from the cells.
    listing = await client.get(
        URL,
        params={"campaign_year": YEAR, "enterprise_uscc": uscc(5)},
        headers=province(issuer),
    )
    [five] = listing.json()["items"]
    full = (await client.get(f"{URL}/{five['id']}", headers=province(issuer))).json()
    assert full["cmmm_level"] == 2
    assert full["kpis"] == {"productivity_gain": 12.5, "model_count": None}
    assert full["segments"] == [
        {"segment": "生产作业", "built": "柔性产线"},
        {"segment": "生产管理", "built": None},
    ]
    assert full["attestations"]["no_bad_credit"] is True
    nine = (
        await client.get(
            URL,
            params={"campaign_year": YEAR, "enterprise_uscc": uscc(9)},
            headers=province(issuer),
        )
    ).json()["items"][0]
    nine_full = (await client.get(f"{URL}/{nine['id']}", headers=province(issuer))).json()
    assert nine_full["attestations"]["secure_controllable"] is False
    eleven = await client.get(
        URL, params={"campaign_year": YEAR, "enterprise_uscc": uscc(11)}, headers=province(issuer)
    )
    assert eleven.json()["items"][0]["factory_name"] is None


async def test_import_replaces_earlier_self_assessments(client, issuer):
    assert (await upload(client, province(issuer), to_csv([row(1), row(2)]))).status_code == 201
    again = await upload(client, province(issuer), to_csv([row(1, cmmm_level="1"), row(3)]))
    assert again.status_code == 201
    assert again.json()["written"] == 2
    assert await _count(client) == 3
    assert await _count(client, "outcome = 'ineligible'") == 1


async def test_a_row_the_rules_refuse_is_a_row_error(client, issuer, monkeypatch):
    # The edition's column list names a KPI that the rules then refuse to evaluate.
    forms = await basic_rules.forms(RulesClient(client.app.state.peers["rules"]), "2025")
    widened = basic_rules.EditionForms(
        edition=forms.edition,
        indicators=(*forms.indicators, basic_rules.Indicator("legacy_kpi", "旧指标", None)),
        requirements=forms.requirements,
    )

    async def widened_forms(_rules, _edition):
        return widened

    monkeypatch.setattr(basic_rules, "forms", widened_forms)
    rows = [row(1), row(2, **{"kpi.legacy_kpi": "3"}), row(3)]
    rows[0]["kpi.legacy_kpi"] = ""
    rows[2]["kpi.legacy_kpi"] = ""
    resp = await upload(client, province(issuer), to_csv(rows))
    assert resp.status_code == 422
    [problem] = resp.json()["error"]["details"]["errors"]
    assert (problem["row"], problem["column"], problem["code"]) == (
        3,
        "kpi.legacy_kpi",
        "rules_refused",
    )
    assert "unknown_kpi" in problem["message_en"]
    assert await _count(client) == 0


async def test_xlsx_import(client, issuer):
    content = to_xlsx([row(1), row(2, region="350203"), row(3, cmmm_level="1")])
    book = load_workbook(io.BytesIO(content), read_only=True)
    assert next(book.worksheets[0].iter_rows(values_only=True))[0] == "uscc"
    book.close()
    resp = await upload(client, province(issuer), content, XLSX)
    assert resp.status_code == 201, resp.text
    assert resp.json()["written"] == 3
    assert resp.json()["content_type"] == XLSX
    assert await _count(client, "region_code = '350203'") == 1

    bad = to_xlsx([row(1), row(2, region="310115"), row(3, cmmm_level=9)])
    rejected = await upload(client, province(issuer), bad, XLSX)
    assert rejected.status_code == 422
    got = [
        (e["row"], e["column"], e["code"]) for e in rejected.json()["error"]["details"]["errors"]
    ]
    assert got == [(3, "region", "outside_jurisdiction"), (4, "cmmm_level", "invalid_cmmm_level")]


async def test_chinese_headers_and_gb18030(client, issuer):
    template = await client.get(
        f"{URL}/imports/template.csv", params={"campaign_year": YEAR}, headers=province(issuer)
    )
    headers = next(csv.reader(io.StringIO(template.content.decode("utf-8-sig"))))
    zh_only = [h.rsplit("(", 1)[0] for h in headers]  # 统一社会信用代码 …
    keys = [h.rsplit("(", 1)[1].rstrip(")") for h in headers]
    values = row(1)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(zh_only)
    writer.writerow([values.get(k, "") for k in keys])
    resp = await upload(client, province(issuer), out.getvalue().encode("gb18030"), "text/csv")
    assert resp.status_code == 201, resp.text
    assert await _count(client, "enterprise_name = '福州企业00001有限公司'") == 1


async def test_templates_carry_the_headers(client, issuer):
    headers = province(issuer)
    as_csv = await client.get(
        f"{URL}/imports/template.csv", params={"campaign_year": YEAR}, headers=headers
    )
    assert as_csv.status_code == 200
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert as_csv.content.startswith("\ufeff".encode())
    first = next(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert first[:6] == [
        "统一社会信用代码(uscc)",
        "企业名称(name)",
        "注册地区划代码(region)",
        "工厂名称(factory)",
        "智能制造能力成熟度等级(cmmm_level)",
        "覆盖环节(segments)",
    ]
    assert "productivity_gain（%）(kpi.productivity_gain)" in first
    assert any(h.endswith("(attest.track_record)") for h in first)
    assert "生产作业建设内容(built.production_operations)" in first

    as_xlsx = await client.get(
        f"{URL}/imports/template.xlsx", params={"campaign_year": YEAR}, headers=headers
    )
    assert as_xlsx.status_code == 200
    book = load_workbook(io.BytesIO(as_xlsx.content))
    assert book.sheetnames == ["自评数据", "填写说明"]
    assert [c.value for c in book["自评数据"][1]] == first
    keys = [r[1] for r in book["填写说明"].iter_rows(min_row=3, values_only=True) if r and r[1]]
    assert keys[:2] == ["uscc", "name"]
    # The empty template itself is a file with no data rows.
    empty = await upload(client, headers, as_xlsx.content, XLSX)
    assert empty.status_code == 422
    assert empty.json()["error"]["details"]["errors"][0]["code"] == "empty_file"


async def test_header_problems_reject_the_file(client, issuer):
    rows = [row(1)]
    del rows[0]["cmmm_level"]
    rows[0]["colour"] = "red"
    resp = await upload(client, province(issuer), to_csv(rows))
    assert resp.status_code == 422
    got = {(e["row"], e["column"], e["code"]) for e in resp.json()["error"]["details"]["errors"]}
    assert got == {(1, None, "unknown_column"), (1, "cmmm_level", "missing_column")}


async def test_who_may_import(client, issuer):
    content = to_csv([row(1)])
    enterprise = issuer.headers("enterprise", org=uscc(1))
    county = issuer.headers("county", region="350102")
    for headers in (enterprise, county, issuer.headers("expert")):
        resp = await upload(client, headers, content)
        assert resp.status_code == 403
        assert resp.json()["error"]["code"] == "may_not_import"
    # The ministry imports anywhere; a province only its own regions.
    shanghai = to_csv([row(1, region="310115")])
    assert (await upload(client, issuer.headers("ministry"), shanghai)).status_code == 201
    assert (await upload(client, province(issuer), shanghai)).status_code == 422


async def test_import_record_is_read_within_jurisdiction(client, issuer):
    resp = await upload(client, province(issuer), to_csv([row(1)]))
    path = f"{URL}/imports/{resp.json()['id']}"
    assert (await client.get(path, headers=province(issuer))).status_code == 200
    assert (await client.get(path, headers=issuer.headers("ministry"))).status_code == 200
    shanghai = province(issuer, region="310000", sub="sh-province")
    assert (await client.get(path, headers=shanghai)).status_code == 404
    enterprise = issuer.headers("enterprise", org=uscc(1))
    assert (await client.get(path, headers=enterprise)).status_code == 404


async def test_media_type_key_and_replay(client, issuer):
    content = to_csv([row(1)])
    wrong = await upload(client, province(issuer), content, "application/json")
    assert wrong.status_code == 415
    no_key = await client.post(
        f"{URL}/imports?campaign_year={YEAR}",
        content=content,
        headers={**province(issuer), "Content-Type": CSV},
    )
    assert no_key.status_code == 428
    first = await upload(client, province(issuer), content, key="import-key-1")
    again = await upload(client, province(issuer), content, key="import-key-1")
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    other_file = await upload(client, province(issuer), to_csv([row(2)]), key="import-key-1")
    assert other_file.status_code == 422
    assert other_file.json()["error"]["code"] == "idempotency_key_reused"
    bad = to_csv([row(1, cmmm_level="9")])
    rejected = await upload(client, province(issuer), bad, key="import-key-2")
    replayed = await upload(client, province(issuer), bad, key="import-key-2")
    assert rejected.status_code == replayed.status_code == 422
    assert rejected.json() == replayed.json()


async def test_the_import_route_takes_more_than_the_json_cap(client, issuer):
    # 3 MiB: over the service's 2 MiB cap for JSON routes, under the import route's cap.
    rows = [row(1)]
    padding = "x" * (3 * 1024 * 1024)
    content = to_csv(rows) + f'"{padding}"\n'.encode()
    resp = await upload(client, province(issuer), content)
    assert resp.status_code == 422  # read, and refused row by row, not a 413
    assert resp.json()["error"]["code"] == "import_rejected"
    big_json = await client.post(
        URL,
        content=b'{"x": "' + padding.encode() + b'"}',
        headers={
            **province(issuer),
            "Content-Type": "application/json",
            "Idempotency-Key": "k" * 8,
        },
    )
    assert big_json.status_code == 413


async def _filed_by_shanghai_enterprise(client, issuer) -> dict:
    """A Shanghai enterprise's own self-assessment (the form), factory name left blank."""
    sh_uscc = uscc(77, region="310115")
    resp = await client.post(
        URL,
        json=form(enterprise_name="上海自评企业有限公司", region_code="310115", factory_name=None),
        headers={
            **issuer.headers("enterprise", org=sh_uscc, region="310115"),
            "Idempotency-Key": uuid.uuid4().hex,
        },
    )
    assert resp.status_code == 201, resp.text
    return resp.json()


async def test_an_import_never_overwrites_what_an_enterprise_filed_itself(client, issuer):
    """Found by trying to break it: Fujian's province imported one row with a Shanghai
    enterprise's USCC and a blank factory, and the enterprise's own record moved to 350102 with
    Fujian's outcome. 251号 一(一) has provinces organise 自评自建; nothing gives them (or the
    ministry) the power to rewrite an enterprise's own assessment."""
    own = await _filed_by_shanghai_enterprise(client, issuer)
    hostile = to_csv([row(1, uscc=own["enterprise_uscc"], factory="", cmmm_level="1")])

    for importer in (province(issuer), issuer.headers("ministry", sub="moi")):
        resp = await upload(client, importer, hostile)
        assert resp.status_code == 422, resp.text
        error = resp.json()["error"]
        assert error["code"] == "import_rejected"
        assert [(e["row"], e["code"]) for e in error["details"]["errors"]] == [
            (2, "filed_by_enterprise")
        ]

    shanghai = province(issuer, region="310000", sub="sh-province")
    after = await client.get(f"{URL}/{own['id']}", headers=shanghai)
    assert after.status_code == 200
    kept = after.json()
    for field in (
        "region_code",
        "enterprise_name",
        "cmmm_level",
        "outcome",
        "source",
        "created_by",
    ):
        assert kept[field] == own[field], field
    assert await _count(client) == 1


async def test_an_import_does_not_take_over_another_provinces_import(client, issuer):
    shanghai = province(issuer, region="310000", sub="sh-province")
    theirs = to_csv([row(1, region="310115")])
    assert (await upload(client, shanghai, theirs)).status_code == 201

    resp = await upload(client, province(issuer), to_csv([row(1), row(2)]))

    assert resp.status_code == 422
    errors = resp.json()["error"]["details"]["errors"]
    assert [(e["row"], e["code"]) for e in errors] == [(2, "held_elsewhere")]
    assert "310115" in errors[0]["message"]
    assert await _count(client, "region_code = '310115'") == 1
    assert await _count(client) == 1  # the good row 3 was not written either (all or nothing)


async def test_the_write_itself_skips_a_record_it_may_not_change(client, issuer):
    """The check and the write are separate statements; the write's own guard keeps an
    enterprise's form even if it arrived in between (the file then writes nothing)."""
    from ladder.declaration.selfassessments.repository import Staging

    own = await _filed_by_shanghai_enterprise(client, issuer)
    async with client.app.state.db.transaction() as session:
        staging = Staging(session, YEAR)
        await staging.create()
        await session.execute(
            text(
                "INSERT INTO self_assessment_stage (row_no, uscc, factory, name, region, "
                "cmmm_level, segments, attestations, kpis, outcome, findings) VALUES "
                "(2, :u, '', '福州', '350102', 1, '[]', '{}', '{}', 'ineligible', '[]')"
            ),
            {"u": own["enterprise_uscc"]},
        )
        written, _ = await staging.write(
            campaign_year=YEAR, jurisdiction="35", group=None, edition="2025", source="import:x",
            created_by="fj", first_row=2, last_row=2, chunk=10,
        )  # fmt: skip
    assert written == 0
    assert await _count(client, "source = 'form' AND region_code = '310115'") == 1


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        # Found by trying to break it: 404 KiB inflating to 400 MiB of shared strings raised
        # the process by 311 MiB before a row was read.
        (lambda: xlsx_bomb(200), "compression_ratio"),
        (lambda: xlsx_many_strings(1_000_001), "too_many_strings"),
    ],
    ids=["inflating", "many-strings"],
)
async def test_an_xlsx_beyond_the_limits_is_refused_before_it_is_parsed(
    client, issuer, content, reason
):
    resp = await upload(client, province(issuer), content(), XLSX)

    assert resp.status_code == 422, resp.text
    error = resp.json()["error"]
    assert error["code"] == "import_rejected"
    (problem,) = error["details"]["errors"]
    assert problem["code"] == "archive_refused"
    assert reason in problem["message_en"]
    assert await _count(client) == 0


async def test_who_may_not_import_is_refused_before_the_body_is_read(client, issuer):
    """The role is read from the token before a byte of the upload: the stream is never
    touched (a body that would fail if read proves it)."""
    read = []

    async def body():
        read.append(True)
        yield b"x" * 1024

    resp = await client.post(
        f"{URL}/imports?campaign_year={YEAR}",
        content=body(),
        headers={**issuer.headers("county", region="350102"), "Content-Type": CSV,
                 "Idempotency-Key": uuid.uuid4().hex},
    )  # fmt: skip
    assert resp.status_code == 403
    assert read == []


async def test_a_cell_with_a_nul_or_control_character_is_a_row_error(client, issuer):
    """A NUL in a CSV cell once reached PostgreSQL (a 500, with the row in the log)."""
    content = to_csv([row(1, name="福州\x00企业"), row(2, factory="一号\x07工厂"), row(3)])

    resp = await upload(client, province(issuer), content)

    assert resp.status_code == 422, resp.text
    errors = resp.json()["error"]["details"]["errors"]
    assert [(e["row"], e["column"], e["code"]) for e in errors] == [
        (2, "name", "invalid_character"), (3, "factory", "invalid_character")
    ]  # fmt: skip
    assert await _count(client) == 0
