"""The quota routes over HTTP: the contract the review service relies on."""

from __future__ import annotations

import pytest

from ladder.rules.reference.regions import regions

QUOTAS = "/v1/campaigns/2025/quotas"
USAGE = "/v1/campaigns/2025/quotas/usage"


def C(candidate_id: str) -> dict[str, str]:
    return {"id": candidate_id, "enterprise_uscc": "91310115MA1K000006"}


SOE = "soe:911100007100000013"


def ask(tier: str, unit: str) -> dict[str, str]:
    return {"tier": tier, "unit": unit}


async def upload_ranks(client, ministry, rows, key: str) -> dict:
    resp = await client.post(
        "/v1/reference-datasets",
        json={
            "kind": "industrial_value_added_rank",
            "year": 2024,
            "source_note": "国家统计局 2024 年分省工业增加值（测试用）",
            "rows": rows,
        },
        headers={**ministry, "Idempotency-Key": key},
    )
    assert resp.status_code == 201, resp.text
    return resp.json()


async def test_missing_reference_data_is_409(client, enterprise) -> None:
    resp = await client.get(QUOTAS, params=ask("excellence", "350000"), headers=enterprise)
    assert resp.status_code == 409
    error = resp.json()["error"]
    assert error["code"] == "reference_data_missing"
    assert error["details"] == {"kind": "industrial_value_added_rank", "year": 2024}
    pilot = await client.get(QUOTAS, params=ask("pilot", "350000"), headers=enterprise)
    assert pilot.status_code == 409
    assert pilot.json()["error"]["details"]["kind"] == "excellence_count"
    usage = await client.post(
        USAGE, json={"tier": "pilot", "unit": "370200", "candidates": []}, headers=enterprise
    )
    assert usage.status_code == 409


async def test_answers_on_sample_data_say_so(client, seeded, enterprise) -> None:
    resp = await client.get(QUOTAS, params=ask("excellence", "350000"), headers=enterprise)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["limit"] == 40  # 福建 is 5th in the sample ranking
    assert body["sample"] is True
    assert body["reference"]["sample"] is True
    assert body["reference"]["version"] == 1
    assert body["reference"]["source_note"].startswith("示例数据，非官方统计")
    assert body["policy"] == {
        "id": "national-2025",
        "source": "工信厅联通装函〔2025〕251号",
        "clause": "工信厅联通装函〔2025〕251号 二(二)2",
        "effective_from": "2025-06-01",
    }


async def test_a_new_upload_becomes_the_version_used(client, seeded, ministry, enterprise) -> None:
    top = ["440000", "320000", "370000", "330000", "410000", "510000", "420000", "130000",
           "430000", "340000", "310000", "360000", "610000", "150000", "350000"]  # fmt: skip
    rest = [p.code for p in regions().provinces if p.code not in top]  # a whole table: all 31
    rows = [{"region": code, "value": rank} for rank, code in enumerate(top + rest, start=1)]
    dataset = await upload_ranks(client, ministry, rows, "ranks-2024-v2")
    resp = await client.get(QUOTAS, params=ask("excellence", "350000"), headers=enterprise)
    body = resp.json()
    assert body["limit"] == 30  # 福建 now 15th
    assert body["sample"] is False
    assert body["reference"] == {
        "dataset_id": dataset["id"],
        "kind": "industrial_value_added_rank",
        "year": 2024,
        "version": 2,
        "source_note": "国家统计局 2024 年分省工业增加值（测试用）",
        "sample": False,
    }
    assert [s["step"] for s in body["derivation"]] == ["reference", "band"]
    assert body["derivation"][0]["value"] == 15
    # The table is whole (issue 14: a top-15 list is refused), so 海南 has its rank too.
    hainan = await client.get(QUOTAS, params=ask("excellence", "460000"), headers=enterprise)
    assert hainan.status_code == 200, hainan.text
    assert hainan.json()["derivation"][0]["value"] == (top + rest).index("460000") + 1


async def test_qingdao_goes_through_shandong(client, seeded, enterprise) -> None:
    body = (await client.get(QUOTAS, params=ask("excellence", "370200"), headers=enterprise)).json()
    assert body["unit"] == {
        "requested": "370200",
        "kind": "separately_planned_city",
        "code": "370200",
        "name": "青岛市",
        "name_en": "Qingdao",
    }
    assert body["quota_unit"] == {
        "kind": "province",
        "code": "370000",
        "name": "山东省",
        "name_en": "Shandong",
    }
    assert body["limit"] == 40
    assert "计划单列市的项目由所在省统一推荐" in body["derivation"][0]["text"]
    assert body["exemptions"] == []


async def test_a_shanghai_district_needs_no_reference_data(client, enterprise) -> None:
    resp = await client.get(QUOTAS, params=ask("excellence", "310115"), headers=enterprise)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert (body["limit"], body["level"], body["reference"], body["sample"]) == (
        6,
        "local",
        None,
        False,
    )
    assert body["policy"]["id"] == "shanghai-2025"
    assert body["policy"]["effective_from"] == "2025-06-27"
    assert [e["key"] for e in body["exemptions"]] == ["jiebang_accepted"]
    pilot = (await client.get(QUOTAS, params=ask("pilot", "310115"), headers=enterprise)).json()
    assert (pilot["limit"], pilot["exemptions"]) == (1, [])
    assert pilot["policy"]["clause"] == "沪经信制〔2025〕430号 二(二)3"


async def test_xpcc_pilot_says_it_is_an_interpretation(client, seeded, enterprise) -> None:
    body = (await client.get(QUOTAS, params=ask("pilot", "xpcc"), headers=enterprise)).json()
    first = body["derivation"][0]
    assert first["step"] == "interpretation"
    assert "解释" in first["text"] and "interpretation" in first["text_en"]
    assert body["limit"] == 1


@pytest.mark.parametrize(
    ("path", "params", "status", "code", "field"),
    [
        ("/v1/campaigns/1999/quotas", ask("excellence", "350000"), 404, "campaign_not_found",
         None),
        (QUOTAS, ask("basic", "350000"), 422, "no_quota_for_tier", "tier"),
        (QUOTAS, ask("advanced", "350000"), 422, "no_quota_for_tier", "tier"),
        (QUOTAS, ask("platinum", "350000"), 422, "validation_error", "tier"),
        (QUOTAS, {"tier": "excellence"}, 422, "validation_error", "unit"),
        (QUOTAS, ask("excellence", "710000"), 422, "invalid_unit", "unit"),
        (QUOTAS, ask("excellence", "soe:911100007100000014"), 422, "invalid_unit", "unit"),
        (QUOTAS, ask("excellence", "310199"), 422, "invalid_unit", "unit"),
        (QUOTAS, ask("excellence", "x" * 41), 422, "validation_error", "unit"),
        (QUOTAS, ask("pilot", SOE), 422, "recommend_via_province", "unit"),
    ],
)  # fmt: skip
async def test_errors(client, enterprise, path, params, status, code, field) -> None:
    resp = await client.get(path, params=params, headers=enterprise)
    assert resp.status_code == status, resp.text
    error = resp.json()["error"]
    assert error["code"] == code
    assert error["message"] and error["message_en"]
    if field is not None:
        assert field in [f["field"] for f in error["details"]["fields"]]


async def test_soe_pilot_names_the_rule(client, enterprise) -> None:
    resp = await client.get(QUOTAS, params=ask("pilot", SOE), headers=enterprise)
    details = resp.json()["error"]["details"]
    assert details["clause"] == "工信厅联通装函〔2025〕251号 三(二)2"
    assert "由所在省（区、市）统一推荐" in details["text"]
    excellence = await client.get(QUOTAS, params=ask("excellence", SOE), headers=enterprise)
    assert excellence.json()["limit"] == 5


async def test_anonymous_is_401(client) -> None:
    assert (await client.get(QUOTAS, params=ask("excellence", "310115"))).status_code == 401


async def test_a_service_may_ask(client, issuer) -> None:
    resp = await client.get(
        QUOTAS, params=ask("excellence", "xpcc"), headers=issuer.service_headers("review")
    )
    assert resp.status_code == 200
    assert resp.json()["limit"] == 5


async def test_usage_with_the_jiebang_exemption(
    client, enterprise, ministry, jiebang, uscc
) -> None:
    """The registry, not the caller, decides: the third candidate's enterprise has a record of
    Shanghai's acceptance, so it takes no slot of the district's 6 (430号 一(二)4)."""
    recorded = await client.post(
        "/v1/jiebang-units",
        json={**jiebang, "uscc": uscc(2)},
        headers={**ministry, "Idempotency-Key": "jiebang-usage-1"},
    )
    assert recorded.status_code == 201, recorded.text
    candidates = [{"id": f"d{i}", "enterprise_uscc": uscc(i)} for i in range(7)]
    resp = await client.post(
        USAGE,
        json={"tier": "excellence", "unit": "310115", "candidates": candidates},
        headers=enterprise,
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert (body["limit"], body["counted"], body["exempt"], body["remaining"]) == (6, 6, 1, 0)
    assert body["within_quota"] is True
    assert body["candidates"][2] == {
        "id": "d2",
        "counts": False,
        "slot": None,
        "within_quota": True,
        "reason": "exempt",
        "exemption": "jiebang_accepted",
        "exempted_by": recorded.json()["id"],
    }
    assert body["candidates"][6]["slot"] == 6


async def test_usage_over_the_quota(client, seeded, enterprise, uscc) -> None:
    candidates = [{"id": f"d{i}", "enterprise_uscc": uscc(i)} for i in range(3)]
    resp = await client.post(
        USAGE,
        json={"tier": "pilot", "unit": "350102", "candidates": candidates},
        headers=enterprise,
    )
    body = resp.json()
    assert body["quota_unit"]["code"] == "350000"
    assert body["limit"] == 2  # 福建 has 10 卓越级 factories in the sample counts
    assert (body["counted"], body["remaining"], body["within_quota"]) == (3, 0, False)
    assert [c["reason"] for c in body["candidates"]] == ["counted", "counted", "over_quota"]
    assert body["sample"] is True


@pytest.mark.parametrize(
    ("payload", "code", "field"),
    [
        ({"tier": "excellence", "unit": "310115", "candidates": [C("a"), C("a")]},
         "duplicate_candidate", "candidates[1].id"),
        ({"tier": "excellence", "unit": "310115",
          "candidates": [C(str(i)) for i in range(1001)]}, "validation_error", "candidates"),
        ({"tier": "excellence", "unit": "310115", "candidates": [C("")]},
         "validation_error", "candidates[0].id"),
        ({"tier": "excellence", "unit": "310115", "candidates": [{"id": "a"}]},
         "validation_error", "candidates[0].enterprise_uscc"),
        # The exemption is the registry's to decide: a flag sent by the caller is refused.
        ({"tier": "excellence", "unit": "310115",
          "candidates": [{**C("a"), "jiebang_accepted": True}]},
         "validation_error", "candidates[0].jiebang_accepted"),
        ({"tier": "excellence", "unit": "nowhere", "candidates": []}, "invalid_unit", "unit"),
        ({"tier": "basic", "unit": "310115", "candidates": []}, "no_quota_for_tier", "tier"),
    ],
)  # fmt: skip
async def test_usage_errors(client, enterprise, payload, code, field) -> None:
    resp = await client.post(USAGE, json=payload, headers=enterprise)
    assert resp.status_code == 422, resp.text
    error = resp.json()["error"]
    assert error["code"] == code
    assert field in [f["field"] for f in error["details"]["fields"]]


async def test_usage_of_an_unknown_campaign_is_404(client, enterprise) -> None:
    resp = await client.post(
        "/v1/campaigns/2030/quotas/usage",
        json={"tier": "excellence", "unit": "310115", "candidates": []},
        headers=enterprise,
    )
    assert resp.status_code == 404
    assert resp.json()["error"]["details"]["known"] == ["2025"]


async def test_the_demo_campaign_answers_as_2025_marked_demo(client, enterprise) -> None:
    resp = await client.get(
        "/v1/campaigns/2026/quotas", params=ask("excellence", "310115"), headers=enterprise
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert (body["campaign"], body["limit"], body["demo"]) == ("2026", 6, True)
    real = await client.get(QUOTAS, params=ask("excellence", "310115"), headers=enterprise)
    assert real.json()["demo"] is False
