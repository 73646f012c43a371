"""Who reads which records: the ministry all, a province or city its region (the XPCC its own),
an enterprise its own, an expert those assigned; the list's filters and pages."""

from __future__ import annotations

import uuid

import pytest

GUANGZHOU_USCC = "91440100M000100Y43"
XPCC_USCC = "91659001M000100Y43"


def _code(resp) -> str:
    return resp.json()["error"]["code"]


@pytest.fixture
async def three(api, make_case) -> dict[str, str]:
    """A record in Fuzhou (福州), one in Guangzhou (广州) and one of the XPCC (兵团)."""
    ids = {
        "fuzhou": await make_case(),
        "guangzhou": await make_case(region="440106", uscc=GUANGZHOU_USCC),
        "xpcc": await make_case(region="659001", unit="xpcc", uscc=XPCC_USCC),
    }
    for did in ids.values():
        await api.started(did)
    assert (await api.experts(ids["guangzhou"], ["expert-1"])).status_code == 200
    return ids


async def _listed(api, headers, query: str = "") -> list[str]:
    resp = await api.c.get(f"/v1/cultivations{query}", headers=headers)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["total"] == len(body["items"])
    return [r["declaration_id"] for r in body["items"]]


@pytest.mark.parametrize(
    ("role", "claims", "sees"),
    [
        ("ministry", {}, {"fuzhou", "guangzhou", "xpcc"}),
        ("province", {"region": "350000"}, {"fuzhou"}),
        ("city", {"region": "350100"}, {"fuzhou"}),
        ("city", {"region": "350200"}, set()),
        ("province", {"region": "440000"}, {"guangzhou"}),
        ("province", {"region": "650000"}, set()),  # Xinjiang does not see the 兵团's record
        ("province", {"region": "xpcc"}, {"xpcc"}),
        # The XPCC is its unit, not the prefix "xp" of its name (which used to match "xpcc").
        ("province", {"region": "xp"}, set()),
        ("province", {"region": "xpcc2"}, set()),
        ("city", {"region": "xpcc"}, set()),
        ("city", {"region": "350128"}, set()),  # 平潭 is not Fuzhou's, nor Fuzhou 平潭's
        ("province", {}, set()),  # an authority token without a region sees none
        ("enterprise", {"org": GUANGZHOU_USCC}, {"guangzhou"}),
        ("enterprise", {}, set()),
        ("expert", {"sub": "expert-1"}, {"guangzhou"}),
        ("expert", {"sub": "expert-2"}, set()),
    ],
)
async def test_each_reader_sees_its_own(api, three, role, claims, sees):
    headers = api.h(role, **claims)
    assert set(await _listed(api, headers)) == {three[k] for k in sees}
    for name, did in three.items():
        resp = await api.read(did, headers)
        if name in sees:
            assert resp.status_code == 200, resp.text
        else:
            assert (resp.status_code, _code(resp)) == (404, "cultivation_not_found")


@pytest.mark.parametrize("role", ["county", "central_soe_hq", "public", "service"])
async def test_other_roles_are_forbidden(api, three, role):
    headers = api.h(role, region="350102") if role == "county" else api.h(role)
    resp = await api.c.get("/v1/cultivations", headers=headers)
    assert (resp.status_code, _code(resp)) == (403, "forbidden")
    resp = await api.read(three["fuzhou"], headers)
    assert (resp.status_code, _code(resp)) == (403, "forbidden")


async def test_an_unknown_declaration_is_404(api):
    resp = await api.read(str(uuid.uuid4()))
    assert (resp.status_code, _code(resp)) == (404, "cultivation_not_found")


async def test_filters_and_pages(api, make_case, three):
    ministry = api.ministry
    assert set(await _listed(api, ministry, "?region=35")) == {three["fuzhou"]}
    assert set(await _listed(api, ministry, "?region=4401")) == {three["guangzhou"]}
    assert await _listed(api, ministry, "?status=accepted") == []
    assert len(await _listed(api, ministry, "?status=cultivating")) == 3
    resp = await api.c.get("/v1/cultivations?region=abc", headers=ministry)
    assert resp.status_code == 422
    resp = await api.c.get("/v1/cultivations?status=nonsense", headers=ministry)
    assert resp.status_code == 422
    # A province filters within its own region only.
    province = api.h("province", region="350000")
    assert await _listed(api, province, "?region=44") == []
    page = await api.c.get("/v1/cultivations?page=2&page_size=2", headers=ministry)
    assert (page.json()["total"], len(page.json()["items"])) == (3, 1)


async def test_the_public_list_needs_no_token_and_shows_only_accepted(api, three):
    resp = await api.c.get("/public/v1/leading-factories?page_size=5")
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"items": [], "total": 0, "page": 1, "page_size": 5}
