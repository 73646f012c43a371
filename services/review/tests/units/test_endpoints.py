"""The units' read API: the registry, filtered and paginated; one unit, listed or derived; the
chain of units of a factory."""

from __future__ import annotations


async def _get(client, issuer, path, role="enterprise", **params):
    """Any authenticated caller reads the registry (an enterprise too)."""
    return await client.get(path, params=params, headers=issuer.headers(role))


async def test_the_registry_lists_the_units_the_notices_name(client, issuer):
    resp = await _get(client, issuer, "/v1/units", page_size=200)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    by_id = {u["id"]: u for u in body["items"]}
    assert body["total"] == len(body["items"]) > 31
    pingtan = by_id["350128"]
    assert (pingtan["kind"], pingtan["level"], pingtan["parent"]) == (
        "special_zone",
        "city",
        "350000",
    )
    assert "321号" in pingtan["source"] and pingtan["note"]
    assert by_id["350100"]["carved_out"] == {"regions": ["350128"], "enterprises": []}
    assert by_id["sh-lingang"]["parent"] == "310000"
    assert by_id["xpcc"]["covers"]["regions"] == ["6590"]
    assert not any(u["derived"] for u in body["items"])


async def test_filters_and_pages(client, issuer):
    cities = (await _get(client, issuer, "/v1/units", level="city")).json()
    assert {u["id"] for u in cities["items"]} == {"350100", "350128"}
    committees = (await _get(client, issuer, "/v1/units", kind="management_committee")).json()
    assert {u["id"] for u in committees["items"]} == {
        "fz-hitech",
        "sh-lingang",
        "sh-scip",
        "sh-changxing",
    }
    under = (await _get(client, issuer, "/v1/units", parent="310000", page_size=5)).json()
    assert under["total"] == 19 and len(under["items"]) == 5  # 16 districts + 3 管委会
    second = (await _get(client, issuer, "/v1/units", parent="310000", page=4, page_size=5)).json()
    assert len(second["items"]) == 4


async def test_the_chain_of_units_of_a_factory(client, issuer):
    pingtan = (await _get(client, issuer, "/v1/units", region="350128")).json()
    assert [(u["id"], u["level"]) for u in pingtan["items"]] == [
        ("350128", "city"),
        ("350000", "province"),
    ]
    gulou = (await _get(client, issuer, "/v1/units", region="350102")).json()
    assert [(u["id"], u["derived"]) for u in gulou["items"]] == [
        ("350102", True),
        ("350100", False),
        ("350000", False),
    ]


async def test_one_unit_listed_or_derived(client, issuer):
    resp = await _get(client, issuer, "/v1/units/350128", role="city")
    assert resp.status_code == 200 and resp.json()["name"] == "平潭综合实验区经济发展局"
    derived = (await _get(client, issuer, "/v1/units/350102")).json()
    assert (derived["level"], derived["parent"], derived["derived"]) == ("county", "350100", True)
    soe = (await _get(client, issuer, "/v1/units/soe:91110000100000007A")).json()
    assert soe["kind"] == "central_soe_hq"
    for unknown in ("nowhere", "35012", "soe:bad"):
        resp = await _get(client, issuer, f"/v1/units/{unknown}")
        assert resp.status_code == 404
        assert resp.json()["error"]["code"] == "unit_not_found"


async def test_a_token_is_needed(client):
    assert (await client.get("/v1/units")).status_code == 401
    assert (await client.get("/v1/units/350128")).status_code == 401


async def test_a_malformed_region_is_a_422(client, issuer):
    resp = await _get(client, issuer, "/v1/units", region="3501")
    assert resp.status_code == 422
