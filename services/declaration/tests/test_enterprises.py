"""Enterprises and factories: USCC validation, ownership, duplicates."""

from __future__ import annotations

NEW_USCC = "91350103MA2Y000033"


def _owner(issuer):
    return issuer.headers("enterprise", sub="new-user", org=NEW_USCC, region="350103")


async def test_register_and_read(client, issuer):
    body = {"uscc": NEW_USCC, "name": "台江示范制造有限公司", "region_code": "350103"}
    resp = await client.post("/v1/enterprises", json=body, headers=_owner(issuer))
    assert resp.status_code == 201, resp.text
    assert resp.json()["name"] == "台江示范制造有限公司"
    dup = await client.post("/v1/enterprises", json=body, headers=_owner(issuer))
    assert dup.status_code == 409
    assert dup.json()["error"]["code"] == "enterprise_exists"
    read = await client.get(
        f"/v1/enterprises/{NEW_USCC}", headers=issuer.headers("county", region="350103")
    )
    assert read.status_code == 200
    hidden = await client.get(
        f"/v1/enterprises/{NEW_USCC}", headers=issuer.headers("county", region="350102")
    )
    assert hidden.status_code == 404


async def test_bad_uscc_is_422_and_nothing_written(client, issuer):
    bad = "91350103MA2Y000034"  # wrong check character
    resp = await client.post(
        "/v1/enterprises",
        json={"uscc": bad, "name": "x", "region_code": "350103"},
        headers=issuer.headers("enterprise", org=bad),
    )
    assert resp.status_code == 422
    assert resp.json()["error"]["details"]["fields"][0]["field"] == "uscc"
    assert (
        await client.get(f"/v1/enterprises/{bad}", headers=issuer.headers("ministry"))
    ).status_code == 404


async def test_bad_region_is_422(client, issuer):
    resp = await client.post(
        "/v1/enterprises",
        json={"uscc": NEW_USCC, "name": "x", "region_code": "99"},
        headers=_owner(issuer),
    )
    assert resp.status_code == 422
    assert resp.json()["error"]["details"]["fields"][0]["field"] == "region_code"


async def test_only_the_enterprise_registers_itself(client, issuer):
    resp = await client.post(
        "/v1/enterprises",
        json={"uscc": NEW_USCC, "name": "x", "region_code": "350103"},
        headers=issuer.headers("enterprise", org="91350102MA2Y00001E"),
    )
    assert resp.status_code == 403
    assert resp.json()["error"]["code"] == "not_own_enterprise"


async def test_factories(client, issuer, enterprise):
    uscc = "91350102MA2Y00001E"
    resp = await client.post(
        f"/v1/enterprises/{uscc}/factories",
        json={"name": "二号工厂", "region_code": "350102"},
        headers=enterprise,
    )
    assert resp.status_code == 201
    listing = await client.get(f"/v1/enterprises/{uscc}/factories", headers=enterprise)
    assert [f["name"] for f in listing.json()] == ["高端装备智能工厂", "二号工厂"]
    foreign = await client.post(
        f"/v1/enterprises/{uscc}/factories",
        json={"name": "x", "region_code": "350102"},
        headers=issuer.headers("county", region="350102"),
    )
    assert foreign.status_code == 403
