"""Enterprises and factories: USCC validation, ownership, duplicates."""

from __future__ import annotations

import asyncio

import pytest

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


async def test_a_retried_registration_or_factory_with_its_key_answers_the_first(
    client, issuer, enterprise
):
    body = {"uscc": NEW_USCC, "name": "台江示范制造有限公司", "region_code": "350103"}
    keyed = {**_owner(issuer), "Idempotency-Key": "register-" + NEW_USCC}
    first = await client.post("/v1/enterprises", json=body, headers=keyed)
    again = await client.post("/v1/enterprises", json=body, headers=keyed)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()

    uscc = "91350102MA2Y00001E"
    factory = {"name": "三号工厂", "region_code": "350102"}
    key = {**enterprise, "Idempotency-Key": "factory-three-0001"}
    added = [
        await client.post(f"/v1/enterprises/{uscc}/factories", json=factory, headers=key)
        for _ in range(2)
    ]
    assert [r.status_code for r in added] == [201, 201]
    assert added[0].json()["id"] == added[1].json()["id"]
    listing = await client.get(f"/v1/enterprises/{uscc}/factories", headers=enterprise)
    assert [f["name"] for f in listing.json()].count("三号工厂") == 1
    # The same key for another factory is a misuse, refused.
    other = await client.post(
        f"/v1/enterprises/{uscc}/factories", json={**factory, "name": "四号工厂"}, headers=key
    )
    assert other.status_code == 422, other.text


PROFILE = {
    "address": "福建省福州市台江区示范路8号",
    "nature": "private",
    "industry": "C3411",
    "operating_regions": ["350103", "350181"],
    "above_scale": True,
    "legal_form": "legal_person",
    "contacts": [{"name": "陈工", "role": "联系人", "mobile": "13912345678"}],
}


async def test_the_profile_is_kept_and_edited_with_if_match(client, issuer):
    body = {"uscc": NEW_USCC, "name": "台江示范制造有限公司", "region_code": "350103", **PROFILE}
    created = await client.post("/v1/enterprises", json=body, headers=_owner(issuer))
    assert created.status_code == 201, created.text
    read = created.json()
    assert read["region_name"] == "台江区"
    assert read["operating_regions"] == ["350103", "350181"]
    assert read["contacts"][0]["mobile"] == "13912345678"
    tag = created.headers["etag"]
    url = f"/v1/enterprises/{NEW_USCC}"
    edit = {"above_scale": False, "contacts": [{"name": "王工", "mobile": "13600000001"}]}
    missing = await client.patch(url, json=edit, headers=_owner(issuer))
    assert missing.status_code == 428
    ok = await client.patch(url, json=edit, headers={**_owner(issuer), "If-Match": tag})
    assert ok.status_code == 200, ok.text
    assert ok.json()["above_scale"] is False and ok.json()["address"] == PROFILE["address"]
    stale = await client.patch(url, json=edit, headers={**_owner(issuer), "If-Match": tag})
    assert stale.status_code == 412
    county = await client.get(url, headers=issuer.headers("county", region="350103"))
    assert county.json()["contacts"][0]["mobile"] == "13600000001"
    other = await client.patch(
        url, json=edit, headers={**issuer.headers("county", region="350103"), "If-Match": "x"}
    )
    assert other.status_code == 403


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"region_code": "350199"}, "region_code"),
        ({"operating_regions": ["990000"]}, "operating_regions[0]"),
        ({"operating_regions": ["350103", "350103"]}, "operating_regions"),
        ({"industry": "3411"}, "industry"),
        ({"nature": "cooperative"}, "nature"),
        ({"central_soe_group": "91110000100010433X"}, "central_soe_group"),
        ({"contacts": [{"name": "陈工", "mobile": "010-12345678"}]}, "contacts[0].mobile"),
        ({"above_scale": "yes"}, "above_scale"),
    ],
)
async def test_bad_profile_fields_are_422_naming_the_field(client, issuer, change, field):
    body = {"uscc": NEW_USCC, "name": "x", "region_code": "350103", **PROFILE, **change}
    resp = await client.post("/v1/enterprises", json=body, headers=_owner(issuer))
    assert resp.status_code == 422, resp.text
    assert field in [f["field"] for f in resp.json()["error"]["details"]["fields"]]
    gone = await client.get(f"/v1/enterprises/{NEW_USCC}", headers=issuer.headers("ministry"))
    assert gone.status_code == 404


def test_mobiles_are_masked_for_readers_outside_the_chain(issuer):
    from ladder.declaration.enterprises.auth import sees_contacts
    from ladder.declaration.enterprises.models import Enterprise
    from ladder.kit.auth import Principal, Role
    from ladder.kit.privacy import mask_mobile

    firm = Enterprise(uscc=NEW_USCC, name="x", region_code="350103")
    assert mask_mobile("13912345678") == "139****5678"
    assert sees_contacts(Principal(sub="u", role=Role.enterprise, org=NEW_USCC), firm)
    assert sees_contacts(Principal(sub="c", role=Role.county, region="350103"), firm)
    assert not sees_contacts(Principal(sub="e", role=Role.expert), firm)
    assert not sees_contacts(Principal(sub="p", role=Role.public), firm)


async def test_concurrent_edits_with_one_if_match_keep_exactly_one(client, issuer):
    """20 PATCHes racing with the same If-Match: one wins, 19 are told the record moved on,
    and the stored profile is the winner's (issue 12: two writers used to be told 200 and the
    first writer's acknowledged address was gone)."""
    body = {"uscc": NEW_USCC, "name": "台江示范制造有限公司", "region_code": "350103", **PROFILE}
    created = await client.post("/v1/enterprises", json=body, headers=_owner(issuer))
    assert created.status_code == 201, created.text
    url = f"/v1/enterprises/{NEW_USCC}"
    headers = {**_owner(issuer), "If-Match": created.headers["etag"]}
    answers = await asyncio.gather(
        *(client.patch(url, json={"address": f"示范路{i}号"}, headers=headers) for i in range(20))
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [412] * 19, statuses
    (winner,) = [a for a in answers if a.status_code == 200]
    stored = (await client.get(url, headers=_owner(issuer))).json()
    assert stored["address"] == winner.json()["address"]
    assert stored["etag"] == winner.headers["etag"]
