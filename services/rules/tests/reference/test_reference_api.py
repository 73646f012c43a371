"""Reference datasets over HTTP: the ministry loads tables (JSON or CSV), anyone reads them."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from ladder.rules.reference.regions import regions

URL = "/v1/reference-datasets"
NOTE = "国家统计局 2024 年各省工业增加值（测试）"
PROVINCES = [p.code for p in regions().provinces]
# Whole tables (every region of the kind once): Guangdong first, Jiangsu second, the rest after.
_FIRST = ["440000", "320000"]
RANKS = [
    {"region": code, "value": rank}
    for rank, code in enumerate(_FIRST + [c for c in PROVINCES if c not in _FIRST], start=1)
]
COUNTS = [{"region": "320000", "value": 28}, {"region": "xpcc", "value": 1}] + [
    {"region": code, "value": 0} for code in PROVINCES if code != "320000"
]

_keys = iter(range(10**6))


def keyed(headers: dict[str, str], key: str | None = None) -> dict[str, str]:
    return {**headers, "Idempotency-Key": key or f"test-key-{next(_keys):06d}"}


def upload(**overrides: Any) -> dict[str, Any]:
    return {
        "kind": "industrial_value_added_rank",
        "year": 2024,
        "source_note": NOTE,
        "rows": RANKS,
        **overrides,
    }


def fields(resp) -> list[str]:
    return [f["field"] for f in resp.json()["error"]["details"]["fields"]]


async def test_ministry_uploads_json(client, ministry, enterprise) -> None:
    resp = await client.post(URL, json=upload(), headers=keyed(ministry))
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["kind"] == "industrial_value_added_rank"
    assert (body["year"], body["version"], body["current"]) == (2024, 1, True)
    assert body["source_note"] == NOTE
    assert body["sample"] is False
    assert body["uploaded_by"] == "miit-user"
    assert body["row_count"] == 31
    assert body["rows"][0] == {
        "region": "440000",
        "name": "广东省",
        "name_en": "Guangdong",
        "value": 1,
    }
    read = await client.get(f"{URL}/{body['id']}", headers=enterprise)
    assert read.status_code == 200
    assert read.json() == body


async def test_ministry_uploads_csv_with_bom(client, ministry, count) -> None:
    others = "".join(f"{c},0\r\n" for c in PROVINCES if c not in ("320000", "370000"))
    csv = f"\ufeffregion,value\r\n320000,28\r\n370000,20\r\nXPCC,1\r\n{others}\r\n".encode()
    resp = await client.post(
        URL,
        content=csv,
        params={"kind": "excellence_count", "year": 2024, "source_note": NOTE, "sample": "true"},
        headers=keyed(ministry) | {"Content-Type": "text/csv; charset=utf-8"},
    )
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["kind"] == "excellence_count"
    assert body["sample"] is True
    assert [(r["region"], r["value"]) for r in body["rows"][:3]] == [
        ("320000", 28),
        ("370000", 20),
        ("xpcc", 1),
    ]
    assert body["row_count"] == 32
    assert body["rows"][2]["name"] == "新疆生产建设兵团"
    assert await count() == 1


async def test_csv_without_bom_and_versions_count_up(client, ministry) -> None:
    first = await client.post(URL, json=upload(), headers=keyed(ministry))
    resp = await client.post(
        URL,
        content=(
            "region,value\n" + "".join(f"{r['region']},{r['value']}\n" for r in RANKS)
        ).encode(),
        params={"kind": "industrial_value_added_rank", "year": 2024, "source_note": NOTE},
        headers=keyed(ministry) | {"Content-Type": "text/csv"},
    )
    assert resp.status_code == 201, resp.text
    assert resp.json()["version"] == 2
    old = await client.get(f"{URL}/{first.json()['id']}", headers=ministry)
    assert old.json()["current"] is False
    other_year = await client.post(URL, json=upload(year=2023), headers=keyed(ministry))
    assert other_year.json()["version"] == 1


@pytest.mark.parametrize("role", ["enterprise", "county", "city", "province", "expert", "service"])
async def test_only_the_ministry_uploads(client, issuer, count, role) -> None:
    resp = await client.post(URL, json=upload(), headers=keyed(issuer.headers(role)))
    assert resp.status_code == 403
    assert resp.json()["error"]["code"] == "forbidden"
    assert await count() == 0


async def test_anonymous_is_401(client) -> None:
    assert (await client.post(URL, json=upload())).status_code == 401
    assert (await client.get(URL)).status_code == 401


async def test_idempotency_key_required(client, ministry, count) -> None:
    resp = await client.post(URL, json=upload(), headers=ministry)
    assert resp.status_code == 428
    assert resp.json()["error"]["code"] == "idempotency_key_required"
    assert await count() == 0


async def test_replay_with_the_same_key(client, ministry, count) -> None:
    headers = keyed(ministry, "upload-2024-ranks")
    first = await client.post(URL, json=upload(), headers=headers)
    again = await client.post(URL, json=upload(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert await count() == 1
    reused = await client.post(URL, json=upload(source_note="另一个来源"), headers=headers)
    assert reused.status_code == 422
    assert reused.json()["error"]["code"] == "idempotency_key_reused"
    assert await count() == 1


INVALID_JSON = [
    # (name, body, code, field)
    ("region not a province", upload(rows=[*RANKS, {"region": "710000", "value": 32}]),
     "invalid_region", "rows[31].region"),
    ("a city is not a province", upload(rows=[{"region": "350100", "value": 1}]),
     "invalid_region", "rows[0].region"),
    ("xpcc has no value-added rank", upload(rows=[{"region": "xpcc", "value": 1}]),
     "invalid_region", "rows[0].region"),
    ("region twice", upload(rows=[*RANKS, {"region": "440000", "value": 32}]),
     "duplicate_region", "rows[31].region"),
    ("rank past n", upload(rows=[RANKS[0], {"region": "320000", "value": 3}]),
     "invalid_rank", "rows[1].value"),
    ("rank 0", upload(rows=[{"region": "440000", "value": 0}]), "invalid_rank", "rows[0].value"),
    ("rank twice", upload(rows=[RANKS[0], {"region": "320000", "value": 1}]),
     "duplicate_rank", "rows[1].value"),
    ("negative count",
     upload(kind="excellence_count", rows=[*COUNTS[:2], {"region": "350000", "value": -1}]),
     "negative_count", "rows[2].value"),
    ("no source note", {k: v for k, v in upload().items() if k != "source_note"},
     "validation_error", "source_note"),
    ("blank source note", upload(source_note="   "), "validation_error", "source_note"),
    ("long source note", upload(source_note="x" * 501), "validation_error", "source_note"),
    ("no rows", upload(rows=[]), "validation_error", "rows"),
    ("too many rows", upload(rows=[{"region": "440000", "value": 1}] * 101),
     "validation_error", "rows"),
    ("value as text", upload(rows=[{"region": "440000", "value": "1"}]),
     "validation_error", "rows[0].value"),
    ("value not whole", upload(rows=[{"region": "440000", "value": 1.5}]),
     "validation_error", "rows[0].value"),
    ("row without region", upload(rows=[{"value": 1}]), "validation_error", "rows[0].region"),
    ("unknown kind", upload(kind="gdp_rank"), "validation_error", "kind"),
    ("year out of range", upload(year=1999), "validation_error", "year"),
    ("sample not a boolean", upload(sample="yes"), "validation_error", "sample"),
    ("unknown field", upload(uploaded_by="someone"), "validation_error", "uploaded_by"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "code", "field"), [c[1:] for c in INVALID_JSON], ids=[c[0] for c in INVALID_JSON]
)
async def test_invalid_json_upload_is_422_and_stores_nothing(
    client, ministry, count, body, code, field
) -> None:
    resp = await client.post(URL, json=body, headers=keyed(ministry))
    assert resp.status_code == 422, resp.text
    error = resp.json()["error"]
    assert error["code"] == code
    assert field in fields(resp)
    assert error["message"] and error["message_en"]
    assert await count() == 0
    assert await count("idempotency_key") == 0


async def test_every_bad_row_is_named(client, ministry) -> None:
    rows = [{"region": "710000", "value": 1}, RANKS[0], {"region": "abc", "value": 2}]
    resp = await client.post(URL, json=upload(rows=rows), headers=keyed(ministry))
    assert fields(resp) == ["rows[0].region", "rows[2].region"]


async def test_malformed_json_is_422(client, ministry, count) -> None:
    resp = await client.post(
        URL,
        content=b'{"kind": ',
        headers=keyed(ministry) | {"Content-Type": "application/json"},
    )
    assert resp.status_code == 422
    assert resp.json()["error"]["code"] == "validation_error"
    assert await count() == 0


def _csv_params(**overrides: Any) -> dict[str, Any]:
    return {"kind": "industrial_value_added_rank", "year": 2024, "source_note": NOTE, **overrides}


INVALID_CSV = [
    # (name, content, params, code, field)
    ("no header", b"440000,1\n", _csv_params(), "invalid_csv", "body"),
    ("wrong header", b"province,rank\n440000,1\n", _csv_params(), "invalid_csv", "body"),
    ("empty file", b"", _csv_params(), "invalid_csv", "body"),
    ("three cells", b"region,value\n440000,1\n320000,2,x\n", _csv_params(), "invalid_csv",
     "rows[1]"),
    ("not UTF-8", "region,value\n440000,1\n# 广东省\n".encode("gb18030"), _csv_params(),
     "invalid_csv", "body"),
    ("value not a number", b"region,value\n440000,first\n", _csv_params(), "validation_error",
     "rows[0].value"),
    ("region twice", b"region,value\n440000,1\n440000,2\n", _csv_params(), "duplicate_region",
     "rows[1].region"),
    ("no kind", b"region,value\n440000,1\n", {"year": 2024, "source_note": NOTE},
     "validation_error", "kind"),
    ("no source note", b"region,value\n440000,1\n", _csv_params(source_note=None),
     "validation_error", "source_note"),
    ("bad year", b"region,value\n440000,1\n", _csv_params(year="2024a"), "validation_error",
     "year"),
    ("too many rows", b"region,value\n" + b"440000,1\n" * 150, _csv_params(),
     "validation_error", "rows"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("content", "params", "code", "field"),
    [c[1:] for c in INVALID_CSV],
    ids=[c[0] for c in INVALID_CSV],
)
async def test_invalid_csv_upload_is_422_and_stores_nothing(
    client, ministry, count, content, params, code, field
) -> None:
    resp = await client.post(
        URL,
        content=content,
        params={k: v for k, v in params.items() if v is not None},
        headers=keyed(ministry) | {"Content-Type": "text/csv"},
    )
    assert resp.status_code == 422, resp.text
    assert resp.json()["error"]["code"] == code
    assert field in fields(resp)
    assert await count() == 0


async def test_query_parameters_with_a_json_body_are_refused(client, ministry, count) -> None:
    resp = await client.post(
        URL, json=upload(), params={"kind": "excellence_count"}, headers=keyed(ministry)
    )
    assert resp.status_code == 422
    assert resp.json()["error"]["code"] == "unexpected_parameter"
    assert fields(resp) == ["kind"]
    assert await count() == 0


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "text/csv; charset=gbk"])
async def test_other_media_types_are_415(client, ministry, count, content_type) -> None:
    resp = await client.post(
        URL,
        content=b"region,value\n440000,1\n",
        params=_csv_params(),
        headers=keyed(ministry) | {"Content-Type": content_type},
    )
    assert resp.status_code == 415
    assert resp.json()["error"]["code"] == "unsupported_media_type"
    assert await count() == 0


async def test_a_body_over_1_mib_is_413(client, ministry, count) -> None:
    content = b"region,value\n" + b"440000,1\n" * (1024 * 1024 // 9 + 1)
    resp = await client.post(
        URL,
        content=content,
        params=_csv_params(),
        headers=keyed(ministry) | {"Content-Type": "text/csv"},
    )
    assert resp.status_code == 413
    assert resp.json()["error"]["code"] == "payload_too_large"
    assert await count() == 0


async def test_list_filters_and_pages(client, ministry, enterprise) -> None:
    for body in (
        upload(),
        upload(rows=[{**RANKS[0], "value": 2}, {**RANKS[1], "value": 1}], partial=True),
        upload(year=2023),
        upload(kind="excellence_count", rows=COUNTS),
    ):
        assert (await client.post(URL, json=body, headers=keyed(ministry))).status_code == 201
    everything = (await client.get(URL, headers=enterprise)).json()
    assert everything["total"] == 4
    assert [(d["year"], d["kind"], d["version"], d["current"]) for d in everything["items"]] == [
        (2024, "excellence_count", 1, True),
        (2024, "industrial_value_added_rank", 2, True),
        (2024, "industrial_value_added_rank", 1, False),
        (2023, "industrial_value_added_rank", 1, True),
    ]
    assert "rows" not in everything["items"][0]
    ranks = await client.get(
        URL,
        params={"kind": "industrial_value_added_rank", "year": 2024, "page_size": 1, "page": 2},
        headers=enterprise,
    )
    body = ranks.json()
    assert (body["total"], body["page"], body["page_size"]) == (2, 2, 1)
    assert [d["version"] for d in body["items"]] == [1]
    bad = await client.get(URL, params={"kind": "gdp"}, headers=enterprise)
    assert bad.status_code == 422


async def test_unknown_dataset_is_404(client, enterprise) -> None:
    resp = await client.get(f"{URL}/{uuid.uuid4()}", headers=enterprise)
    assert resp.status_code == 404
    assert resp.json()["error"]["code"] == "reference_dataset_not_found"
    assert (await client.get(f"{URL}/not-a-uuid", headers=enterprise)).status_code == 422


async def test_the_openapi_names_both_media_types(client) -> None:
    spec = (await client.get("/openapi.json")).json()
    body = spec["paths"][URL]["post"]["requestBody"]["content"]
    assert set(body) == {"application/json", "text/csv"}
    schema = body["application/json"]["schema"]
    assert "$ref" not in str(schema)  # self-contained: the body is read by hand
    assert schema["properties"]["kind"]["enum"] == [
        "industrial_value_added_rank",
        "excellence_count",
    ]
    assert {"/v1/campaigns/{campaign}/quotas", "/v1/campaigns/{campaign}/quotas/usage"} <= set(
        spec["paths"]
    )


async def test_a_table_that_leaves_regions_out_is_refused_naming_them(client, ministry, count):
    """One province's 卓越级 count sent as the table would replace the whole table (issue 14):
    refused, naming every region left out, and nothing stored."""
    one = [{"region": "350000", "value": 12}]
    resp = await client.post(
        URL, json=upload(kind="excellence_count", rows=one), headers=keyed(ministry)
    )
    assert resp.status_code == 422, resp.text
    error = resp.json()["error"]
    assert error["code"] == "incomplete_table"
    assert len(error["details"]["missing"]) == 31  # 30 other provinces and the XPCC
    assert "xpcc" in error["details"]["missing"] and "350000" not in error["details"]["missing"]
    assert "rows[region=110000]" in fields(resp)
    assert await count() == 0


async def test_a_partial_update_changes_only_its_regions(client, ministry):
    whole = await client.post(
        URL, json=upload(kind="excellence_count", rows=COUNTS), headers=keyed(ministry)
    )
    assert whole.status_code == 201, whole.text
    one = [{"region": "350000", "value": 12}]
    resp = await client.post(
        URL,
        json=upload(kind="excellence_count", rows=one, partial=True, source_note="福建补报"),
        headers=keyed(ministry),
    )
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert (body["version"], body["row_count"], body["source_note"]) == (2, 32, "福建补报")
    values = {r["region"]: r["value"] for r in body["rows"]}
    assert values == {**{r["region"]: r["value"] for r in COUNTS}, "350000": 12}


async def test_a_partial_update_by_csv_and_its_refusals(client, ministry, count):
    # Nothing to update yet: 409, nothing stored.
    params = {"kind": "industrial_value_added_rank", "year": 2024, "source_note": NOTE}
    swap = b"region,value\n440000,2\n320000,1\n"
    headers = keyed(ministry) | {"Content-Type": "text/csv"}
    none_yet = await client.post(URL, content=swap, params={**params, "partial": "true"},
                                 headers=headers)  # fmt: skip
    assert none_yet.status_code == 409
    assert none_yet.json()["error"]["code"] == "no_table_to_update"
    assert await count() == 0
    assert (await client.post(URL, json=upload(), headers=keyed(ministry))).status_code == 201
    swapped = await client.post(URL, content=swap, params={**params, "partial": "true"},
                                headers=keyed(ministry) | {"Content-Type": "text/csv"})  # fmt: skip
    assert swapped.status_code == 201, swapped.text
    ranks = {r["region"]: r["value"] for r in swapped.json()["rows"]}
    assert (ranks["440000"], ranks["320000"], len(ranks)) == (2, 1, 31)
    # A partial update that leaves two regions on one rank is refused like a whole table.
    clash = await client.post(
        URL,
        json=upload(rows=[{"region": "440000", "value": 1}], partial=True),
        headers=keyed(ministry),
    )
    assert clash.status_code == 422
    assert clash.json()["error"]["code"] == "duplicate_rank"
    assert await count() == 2
