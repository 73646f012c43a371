"""Authority dashboards: counts by each dimension, within the caller's reach."""

from __future__ import annotations

import pytest

SCENE_A = {"segment": "生产作业", "scene": "人机协同作业", "instance": "a", "ai": True}
SCENE_B = {"segment": "质量管控", "scene": "在线智能检测", "instance": "b", "ai": False}


def _details(*scenes) -> dict:
    return {"scenes": list(scenes), "kpis": {}, "integrators": [], "future_modes": []}


@pytest.fixture
async def cases(deliver, make_event):
    """Four cases: two in Fuzhou (one 领航级), one in Guangzhou, one of a central SOE."""
    events = [
        make_event(industry="C3411", details=_details(SCENE_A, SCENE_B)),
        make_event(tier="pilot", industry="C3412", details=_details(SCENE_A)),
        make_event(region_code="440106", industry="C2611", details=_details(SCENE_B)),
        make_event(central_soe_group="91110000100000007A", industry="B0610", details=_details()),
    ]
    for e in events:
        assert (await deliver(e)).status_code == 200
    return [e["payload"]["declaration_id"] for e in events]


async def _counts(client, headers, by, **params) -> dict:
    resp = await client.get(
        "/v1/dashboards/cases", params={"campaign": 2025, "by": by, **params}, headers=headers
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    return {"total": body["total"], **{g["key"]: g["count"] for g in body["groups"]}}


async def test_the_ministry_counts_everything(client, issuer, cases):
    ministry = issuer.headers("ministry")
    assert await _counts(client, ministry, "province") == {"total": 4, "350000": 3, "440000": 1}
    assert await _counts(client, ministry, "tier") == {"total": 4, "excellence": 3, "pilot": 1}
    assert await _counts(client, ministry, "industry") == {"total": 4, "C34": 2, "C26": 1, "B06": 1}
    assert await _counts(client, ministry, "status") == {"total": 4, "awaiting_initial_review": 4}
    assert await _counts(client, ministry, "scene") == {
        "total": 3,
        "生产作业—人机协同作业": 2,
        "质量管控—在线智能检测": 2,
    }
    assert await _counts(client, ministry, "recommending_unit") == {
        "total": 4,
        "350000": 2,
        "440000": 1,
        "soe:91110000100000007A": 1,
    }
    assert await _counts(client, ministry, "tier", tier="pilot") == {"total": 1, "pilot": 1}


async def test_each_authority_counts_its_reach(client, issuer, cases):
    fujian = issuer.headers("province", region="350000")
    # The central SOE's case is its group HQ's, not Fujian's.
    assert await _counts(client, fujian, "tier") == {"total": 2, "excellence": 1, "pilot": 1}
    group = issuer.headers("central_soe_hq", org="91110000100000007A")
    assert await _counts(client, group, "tier") == {"total": 1, "excellence": 1}
    other_county = issuer.headers("county", region="350103")
    assert await _counts(client, other_county, "tier") == {"total": 0}
    assert await _counts(client, fujian, "tier", campaign=2026) == {"total": 0}


@pytest.mark.parametrize("role", ["enterprise", "expert", "public"])
async def test_non_authorities_get_no_dashboard(client, issuer, role):
    resp = await client.get(
        "/v1/dashboards/cases?campaign=2025&by=tier", headers=issuer.headers(role)
    )
    assert resp.status_code == 403


async def test_an_unknown_dimension_is_422(client, issuer):
    resp = await client.get(
        "/v1/dashboards/cases?campaign=2025&by=colour", headers=issuer.headers("ministry")
    )
    assert resp.status_code == 422
