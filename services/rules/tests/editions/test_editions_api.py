"""The editions routes over HTTP."""

from __future__ import annotations

import pytest


async def test_list_editions(client, enterprise) -> None:
    resp = await client.get("/v1/editions", headers=enterprise)
    assert resp.status_code == 200
    assert resp.json() == [
        {
            "id": "2024",
            "title": "智能工厂梯度培育要素条件",
            "source": "工信厅联通装函〔2024〕399号 附件2",
            "effective_from": "2024-10-29",
        },
        {
            "id": "2025",
            "title": "智能工厂梯度培育要素条件（2025年版）",
            "source": "工信厅联通装函〔2025〕251号 附件1",
            "effective_from": "2025-06-01",
        },
    ]


async def test_read_edition(client, enterprise) -> None:
    resp = await client.get("/v1/editions/2025", headers=enterprise)
    assert resp.status_code == 200
    body = resp.json()
    assert body["id"] == "2025"
    assert [s["name"] for s in body["segments"]] == [
        "工厂建设",
        "研发设计",
        "生产作业",
        "生产管理",
        "运营管理",
    ]
    assert set(body["tiers"]) == {"basic", "advanced", "excellence", "pilot"}
    pilot = body["tiers"]["pilot"]
    assert pilot["cmmm"] == {
        "min_level": 4,
        "clause": "要素条件(2025) 一5",
        "text": "领航级智能工厂应达到四级及以上",
    }
    assert pilot["segments"]["severity"] == "error"
    assert pilot["segments"]["clause"] == "要素条件(2025) 五(一)"


async def test_unknown_edition_is_404(client, enterprise) -> None:
    resp = await client.get("/v1/editions/1999", headers=enterprise)
    assert resp.status_code == 404
    err = resp.json()["error"]
    assert err["code"] == "edition_not_found"
    assert err["details"]["known"] == ["2024", "2025"]


async def test_a_service_token_may_read(client, issuer) -> None:
    resp = await client.get("/v1/editions/2024", headers=issuer.service_headers("declaration"))
    assert resp.status_code == 200


async def test_scene_catalogue_maps_each_scene_to_its_segment(client, enterprise) -> None:
    resp = await client.get("/v1/editions/2025/scenes", headers=enterprise)
    assert resp.status_code == 200
    body = resp.json()
    assert len(body["segments"]) == 8 and len(body["scenes"]) == 40 and body["scenes_loaded"]
    remote = next(s for s in body["scenes"] if s["scene"] == "远程运维服务")
    assert (remote["segment"], remote["maps_to"]) == ("产品服务", "运营管理")
    old = (await client.get("/v1/editions/2024/scenes", headers=enterprise)).json()
    assert len(old["segments"]) == 15 and old["scenes"] == [] and not old["scenes_loaded"]


async def test_kpi_catalogue_has_group_unit_kind_and_direction(client, enterprise) -> None:
    body = (await client.get("/v1/editions/2025/kpis", headers=enterprise)).json()
    assert len(body["indicators"]) == 21 and len(body["groups"]) == 5
    ai = next(i for i in body["indicators"] if i["key"] == "ai_scene_share")
    assert ai == {
        "row": 4,
        "key": "ai_scene_share",
        "group": "capability",
        "kind": "share",
        "unit": "%",
        "name": "应用人工智能技术场景比例",
        "name_en": "share of scenes applying AI",
        "higher_is_better": True,
    }
    old = (await client.get("/v1/editions/2024/kpis", headers=enterprise)).json()
    assert len(old["indicators"]) == 20


async def test_material_catalogue_per_tier(client, enterprise) -> None:
    body = (await client.get("/v1/editions/2025/materials", headers=enterprise)).json()
    assert [s["name"] for s in body["tiers"]["pilot"]["sections"]] == [
        "申报单位基本信息",
        "智能工厂基本情况",
        "智能工厂场景建设情况",
        "领航级智能工厂培育方案",
        "智能工厂建设成效",
    ]
    assert len(body["tiers"]["excellence"]["sections"]) == 4
    assert set(body["tiers"]) == {"excellence", "pilot"}


async def test_rule_catalogue_names_each_rule_with_its_clause(client, enterprise) -> None:
    resp = await client.get(
        "/v1/editions/2025/rules", params={"tier": "excellence", "jurisdiction": "350102"},
        headers=enterprise,
    )  # fmt: skip
    assert resp.status_code == 200
    body = resp.json()
    assert body["overlays"] == ["fujian-2025"]
    clauses = {r["rule_id"]: r["clause"] for r in body["rules"]}
    assert clauses["ai.scene_share"] == "要素条件(2025) 四(二)1"
    assert clauses["local.credit_blacklist"] == "榕工信装备〔2025〕96号 2"
    assert clauses["materials.sections"] == "工信厅联通装函〔2025〕251号 附件2"
    bad = await client.get("/v1/editions/2025/rules", params={"tier": "gold"}, headers=enterprise)
    assert bad.status_code == 422
    missing = await client.get("/v1/editions/1999/kpis", headers=enterprise)
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("on", "status", "edition"),
    [("2025-06-01", 200, "2025"), ("2025-05-31", 200, "2024"), ("2020-01-01", 422, None)],
)
async def test_the_edition_in_effect_on_a_date(client, enterprise, on, status, edition) -> None:
    resp = await client.get("/v1/editions/in-effect", params={"on": on}, headers=enterprise)
    assert resp.status_code == status
    if edition:
        assert resp.json()["id"] == edition
    else:
        assert resp.json()["error"]["code"] == "no_edition_in_effect"
