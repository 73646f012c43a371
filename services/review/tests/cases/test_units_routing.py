"""Routing and reach by the registry of units (`ladder.kit.units`), through the HTTP API: 平潭
(350128) is a city-level unit under the province — its official holds its cases at the city
step, 福州 neither holds nor sees them — and a 管委会 holds the enterprises it covers."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from ladder.kit import jurisdiction, units
from ladder.kit.testing import LINGANG_ENTERPRISE, registry_with_rosters

CLEAR = {"gsxt": "clear", "zxgk": "clear", "checked_on": date.today().isoformat()}


async def _open(deliver, make_event, region: str, **kw) -> str:
    event = make_event(region_code=region, **kw)
    assert (await deliver(event)).status_code == 200
    return event["payload"]["declaration_id"]


async def _case(client, issuer, did: str, role="ministry", region=None):
    return await client.get(f"/v1/cases/{did}", headers=issuer.headers(role, region=region))


async def _ids(client, issuer, role, region, *, held=True) -> list[str]:
    resp = await client.get(
        f"/v1/inbox?held={str(held).lower()}", headers=issuer.headers(role, region=region)
    )
    assert resp.status_code == 200, resp.text
    return [i["declaration_id"] for i in resp.json()["items"]]


async def _forward(client, issuer, did, role, region):
    etag = (await _case(client, issuer, did)).json()["etag"]
    headers = issuer.headers(role, region=region)
    headers |= {"If-Match": etag, "Idempotency-Key": uuid.uuid4().hex}
    body = {"decision": "forward", "credit_check": CLEAR}
    return await client.post(f"/v1/cases/{did}/opinions", json=body, headers=headers)


async def test_pingtan_is_held_by_its_own_city_level_unit_then_the_province(
    client, issuer, make_event, deliver
):
    did = await _open(deliver, make_event, "350128")
    gulou = await _open(deliver, make_event, "350102")
    case = (await _case(client, issuer, did)).json()
    assert (case["level"], case["holder_region"], case["recommending_unit"]) == (
        "city",
        "350128",
        "350000",
    )
    assert await _ids(client, issuer, "city", "350128") == [did]
    # 福州 (3501…) neither holds nor sees 平潭's case; its county's case stays its own.
    assert await _ids(client, issuer, "city", "350100", held=False) == [gulou]
    assert (await _case(client, issuer, did, "city", "350100")).status_code == 404
    assert await _ids(client, issuer, "county", "350128", held=False) == []
    assert (await _forward(client, issuer, did, "city", "350100")).status_code == 404

    resp = await _forward(client, issuer, did, "city", "350128")
    assert resp.status_code == 201, resp.text
    assert (resp.json()["case"]["level"], resp.json()["case"]["holder_region"]) == (
        "province",
        "350000",
    )
    assert resp.json()["opinion"]["level"] == "city"
    assert resp.json()["opinion"]["region"] == "350128"
    assert await _ids(client, issuer, "province", "350000") == [did]
    # 平潭 still sees the case it forwarded (oversight), no longer holds it.
    assert await _ids(client, issuer, "city", "350128") == []
    assert await _ids(client, issuer, "city", "350128", held=False) == [did]


@pytest.fixture
def lingang_roster(monkeypatch):
    """The registry with one enterprise on 临港新片区管委会's roster (the shipped one lists
    none: the seed names the unit, not whom it covers)."""
    registry = registry_with_rosters()
    monkeypatch.setattr(units, "registry", lambda: registry)
    monkeypatch.setattr(jurisdiction, "registry", lambda: registry)
    return registry


async def test_a_committee_holds_the_enterprises_it_covers_instead_of_their_district(
    client, issuer, make_event, deliver, lingang_roster
):
    covered = await _open(deliver, make_event, "310115", enterprise_uscc=LINGANG_ENTERPRISE)
    pudong = await _open(deliver, make_event, "310115")
    case = (await _case(client, issuer, covered)).json()
    assert (case["level"], case["holder_region"]) == ("county", "sh-lingang")
    assert await _ids(client, issuer, "county", "sh-lingang") == [covered]
    assert await _ids(client, issuer, "county", "310115", held=False) == [pudong]

    resp = await _forward(client, issuer, covered, "county", "sh-lingang")
    assert resp.status_code == 201, resp.text
    assert resp.json()["case"]["holder_region"] == "310000"
    assert covered in await _ids(client, issuer, "province", "310000")
