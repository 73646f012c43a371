"""Central SOEs and the XPCC: which declarations their chain takes, who holds and sees them."""

from __future__ import annotations

import uuid

import pytest

GROUP = "91110000100000007A"  # a central-SOE group HQ (USCC)
OTHER_GROUP = "91110000100000008B"


def _soe(issuer, org: str = GROUP) -> dict[str, str]:
    return issuer.headers("central_soe_hq", org=org)


def _xpcc(issuer) -> dict[str, str]:
    return issuer.headers("province", region="xpcc")


async def _open(deliver, make_event, **kw) -> str:
    event = make_event(**kw)
    assert (await deliver(event)).status_code == 200
    return event["payload"]["declaration_id"]


async def _case(client, issuer, did: str) -> dict:
    resp = await client.get(f"/v1/cases/{did}", headers=issuer.headers("ministry"))
    assert resp.status_code == 200, resp.text
    return resp.json()


async def _held(client, headers) -> list[str]:
    resp = await client.get("/v1/inbox", headers=headers)
    assert resp.status_code == 200, resp.text
    return [i["declaration_id"] for i in resp.json()["items"]]


async def _forward(client, issuer, did, headers):
    etag = (await _case(client, issuer, did))["etag"]
    return await client.post(
        f"/v1/cases/{did}/opinions",
        json={"decision": "forward"},
        headers={**headers, "If-Match": etag, "Idempotency-Key": uuid.uuid4().hex},
    )


@pytest.mark.parametrize("tier", ["excellence", "advanced"])
async def test_a_central_soe_declaration_goes_to_its_group_hq(
    client, issuer, make_event, deliver, tier
):
    did = await _open(deliver, make_event, tier=tier, central_soe_group=GROUP)
    case = await _case(client, issuer, did)
    assert (case["level"], case["holder_region"], case["recommending_unit"]) == (
        "central_soe_hq",
        GROUP,
        f"soe:{GROUP}",
    )
    assert await _held(client, _soe(issuer)) == [did]
    assert await _held(client, _soe(issuer, OTHER_GROUP)) == []
    # The Fuzhou county and the Fujian province neither hold nor see it.
    for role, region in (("county", "350102"), ("province", "350000")):
        headers = issuer.headers(role, region=region)
        assert await _held(client, headers) == []
        resp = await client.get(f"/v1/cases/{did}", headers=headers)
        assert resp.status_code == 404
    assert (
        await client.get(f"/v1/cases/{did}", headers=_soe(issuer, OTHER_GROUP))
    ).status_code == 404

    resp = await _forward(client, issuer, did, _soe(issuer))
    assert resp.status_code == 201, resp.text
    assert resp.json()["case"]["status"] == "awaiting_recommendation"
    assert resp.json()["opinion"]["region"] == GROUP


async def test_a_central_soe_pilot_goes_through_the_province(client, issuer, make_event, deliver):
    """工信厅联通装函〔2025〕251号 三(二)2: 有关中央企业的项目由所在省统一推荐."""
    did = await _open(deliver, make_event, tier="pilot", central_soe_group=GROUP)
    case = await _case(client, issuer, did)
    assert (case["level"], case["holder_region"], case["recommending_unit"]) == (
        "county",
        "350102",
        "350000",
    )
    assert await _held(client, _soe(issuer)) == []


async def test_another_group_hq_cannot_opine(client, issuer, make_event, deliver):
    did = await _open(deliver, make_event, central_soe_group=GROUP)
    before = await _case(client, issuer, did)
    resp = await _forward(client, issuer, did, _soe(issuer, OTHER_GROUP))
    assert resp.status_code == 404
    assert (await _case(client, issuer, did))["etag"] == before["etag"]
    county = await _forward(client, issuer, did, issuer.headers("county", region="350102"))
    assert county.status_code == 404


async def test_the_xpcc_holds_its_cities_factories(client, issuer, make_event, deliver):
    did = await _open(deliver, make_event, region_code="659001")  # 石河子市
    case = await _case(client, issuer, did)
    assert (case["level"], case["holder_region"], case["recommending_unit"]) == (
        "province",
        "xpcc",
        "xpcc",
    )
    assert await _held(client, _xpcc(issuer)) == [did]
    xinjiang = issuer.headers("province", region="650000")
    assert await _held(client, xinjiang) == []
    assert (await client.get(f"/v1/cases/{did}", headers=xinjiang)).status_code == 404
    resp = await _forward(client, issuer, did, _xpcc(issuer))
    assert resp.status_code == 201, resp.text
    assert resp.json()["case"]["status"] == "awaiting_recommendation"


async def test_a_xinjiang_factory_outside_the_xpcc_cities_goes_to_the_region(
    client, issuer, make_event, deliver
):
    did = await _open(deliver, make_event, region_code="650102")  # 乌鲁木齐市天山区
    case = await _case(client, issuer, did)
    assert (case["holder_region"], case["recommending_unit"]) == ("650000", "650000")
    assert await _held(client, _xpcc(issuer)) == []


async def test_details_are_kept_on_the_case(client, issuer, make_event, deliver):
    details = {
        "scenes": [
            {"segment": "生产作业", "scene": "人机协同作业", "instance": "柔性加工", "ai": True}
        ],
        "kpis": {"production_efficiency": 25.0},
        "integrators": ["示例集成商"],
        "future_modes": [],
        "contact": {"name": "张三", "mobile": "13800000000"},
    }
    did = await _open(deliver, make_event, industry="C3411", details=details)
    case = await _case(client, issuer, did)
    assert case["details"]["scenes"][0]["instance"] == "柔性加工"
    assert case["details"]["contact"]["mobile"] == "13800000000"
    assert case["industry"] == "C3411"
