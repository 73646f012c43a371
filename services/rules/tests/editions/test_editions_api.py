"""The editions routes over HTTP."""

from __future__ import annotations


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
