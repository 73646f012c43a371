"""Campaign routes: reading campaigns and the chain that applies to a region; the ministry
replacing a jurisdiction's chain with If-Match, order checked, who/when recorded."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest
from sqlalchemy import text

from ladder.declaration.campaigns.deadlines import BEIJING

FUZHOU_CHAIN = "/v1/campaigns/2025/deadlines/3501/excellence"


def _deadline(level: str, **when) -> dict:
    return {
        "level": level,
        **when,
        "source": "工信部测试通知",
        "clause": "一(一)",
        "clause_text": "测试条款原文",
    }


async def test_campaigns_list_the_official_and_the_demo_one(client, issuer):
    resp = await client.get("/v1/campaigns", headers=issuer.headers("public"))
    assert resp.status_code == 200
    by_year = {c["year"]: c for c in resp.json()}
    assert set(by_year) == {2025, 2026}
    assert "演示" in by_year[2026]["title"] and "非官方" in by_year[2026]["title"]
    assert by_year[2026]["rules_edition"] == by_year[2025]["rules_edition"] == "2025"
    assert by_year[2025]["source"] == "工信厅联通装函〔2025〕251号"
    chains = [(c["jurisdiction"], c["tier"]) for c in by_year[2025]["deadline_chains"]]
    assert chains == [
        (j, tier) for j in ("", "31", "35", "3501") for tier in ("excellence", "pilot")
    ], "no 先进级 chain: no seed sets a 先进级 date"


async def test_a_campaign_shows_its_chains_in_beijing_time_with_sources(client, enterprise):
    resp = await client.get("/v1/campaigns/2025", headers=enterprise)
    assert resp.status_code == 200
    body = resp.json()
    assert body["open_tiers"] == ["basic", "advanced", "excellence", "pilot"]
    chains = {
        c["jurisdiction_key"]: c for c in body["deadline_chains"] if c["tier"] == "excellence"
    }
    national = chains["national"]
    assert [d["level"] for d in national["deadlines"]] == ["enterprise", "province", "national"]
    enterprise_deadline = national["deadlines"][0]
    assert enterprise_deadline["closes_at"] == "2025-07-19T00:00:00+08:00"
    assert enterprise_deadline["last_day"] == "2025-07-18"
    assert enterprise_deadline["source"] == "工信厅联通装函〔2025〕251号"
    assert enterprise_deadline["clause"] == "二(二)1"
    assert "2025年7月18日前完成线上申报" in enterprise_deadline["clause_text"]
    assert national["etag"] == 'W/"deadlines-2025-national-excellence-v1"'
    county = chains["3501"]["deadlines"][1]
    assert (county["level"], county["source"], county["clause"]) == (
        "county",
        "榕工信装备〔2025〕96号",
        "2",
    )
    assert "逾期不予接收" in county["clause_text"]
    shanghai = chains["31"]["deadlines"]
    assert [(d["level"], d["last_day"]) for d in shanghai[:2]] == [
        ("enterprise", "2025-07-11"),
        ("county", "2025-07-11"),
    ]


async def test_unknown_campaign_is_404(client, enterprise):
    resp = await client.get("/v1/campaigns/2031", headers=enterprise)
    assert resp.status_code == 404
    assert resp.json()["error"]["code"] == "campaign_not_found"
    resp = await client.get(
        "/v1/campaigns/2031/deadlines?region=350102&tier=excellence", headers=enterprise
    )
    assert resp.status_code == 404


async def test_campaigns_need_a_token(client):
    assert (await client.get("/v1/campaigns")).status_code == 401


@pytest.mark.parametrize(
    ("region", "jurisdiction", "levels"),
    [
        ("350102", "3501", ["enterprise", "county", "province", "national"]),
        ("350203", "35", ["enterprise", "province", "national"]),
        # 平潭 (350128, under 3501 by its code) reports to the province as a 设区市 (321号):
        # Fujian's chain, whose province receipt (四(四), 7-21) binds its city-level opinion.
        ("350128", "35", ["enterprise", "province", "national"]),
        ("659001", "", ["enterprise", "province", "national"]),  # the XPCC: national dates
        ("310115", "31", ["enterprise", "county", "province", "national"]),
        ("440300", "", ["enterprise", "province", "national"]),
    ],
)
async def test_the_chain_for_a_region(client, enterprise, clock, region, jurisdiction, levels):
    clock.set(datetime(2025, 7, 20, 12, tzinfo=BEIJING))
    resp = await client.get(
        f"/v1/campaigns/2025/deadlines?region={region}&tier=pilot", headers=enterprise
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["jurisdiction"] == jurisdiction and body["region"] == region
    assert body["now"] == "2025-07-20T12:00:00+08:00"
    assert [d["level"] for d in body["deadlines"]] == levels
    assert body["deadlines"][0]["passed"] is True  # every enterprise deadline was by 7-18
    assert body["deadlines"][-1]["passed"] is False  # the ministry's is 8-1


async def test_the_region_must_be_a_six_digit_code(client, enterprise):
    # 062670: six digits, but no GB/T 2260 code starts with 0 (the fuzzer found it a 500).
    for bad in ("35", "3501021", "abcdef", "062670"):
        resp = await client.get(
            f"/v1/campaigns/2025/deadlines?region={bad}&tier=pilot", headers=enterprise
        )
        assert resp.status_code == 422, bad
    for query in ("", "?tier=pilot", "?region=350102", "?region=350102&tier=gold"):
        resp = await client.get(f"/v1/campaigns/2025/deadlines{query}", headers=enterprise)
        assert resp.status_code == 422, query


# --- replacing a chain ---------------------------------------------------------------------


async def test_only_the_ministry_replaces_a_chain(client, issuer):
    body = {"deadlines": [_deadline("enterprise", last_day="2025-07-20")]}
    for role, region in (("enterprise", "350102"), ("county", "350102"), ("city", "350100")):
        resp = await client.put(
            FUZHOU_CHAIN,
            json=body,
            headers={**issuer.headers(role, region=region), "If-Match": "*"},
        )
        assert resp.status_code == 403, role
        assert resp.json()["error"]["code"] == "forbidden"
    chain = (await client.get(FUZHOU_CHAIN, headers=issuer.headers("province"))).json()
    assert chain["row_version"] == 1


async def test_replacing_needs_a_fresh_if_match_and_records_who_and_when(client, issuer, clock):
    ministry = issuer.headers("ministry", sub="miit-zhang")
    clock.set(datetime(2025, 7, 10, 9, 30, tzinfo=BEIJING))
    current = await client.get(FUZHOU_CHAIN, headers=ministry)
    tag = current.headers["etag"]
    assert tag == current.json()["etag"] == 'W/"deadlines-2025-3501-excellence-v1"'
    body = {
        "deadlines": [
            _deadline("national", closes_at="2025-08-02T00:00:00+08:00"),
            _deadline("enterprise", last_day="2025-07-25"),
            _deadline("city", closes_at="2025-07-26T16:00:00Z"),
        ]
    }

    missing = await client.put(FUZHOU_CHAIN, json=body, headers=ministry)
    assert missing.status_code == 428
    assert missing.json()["error"]["code"] == "if_match_required"

    ok = await client.put(FUZHOU_CHAIN, json=body, headers={**ministry, "If-Match": tag})
    assert ok.status_code == 200, ok.text
    chain = ok.json()
    assert ok.headers["etag"] == chain["etag"] == 'W/"deadlines-2025-3501-excellence-v2"'
    assert [(d["level"], d["closes_at"], d["last_day"]) for d in chain["deadlines"]] == [
        ("enterprise", "2025-07-26T00:00:00+08:00", "2025-07-25"),
        ("city", "2025-07-27T00:00:00+08:00", "2025-07-26"),
        ("national", "2025-08-02T00:00:00+08:00", "2025-08-01"),
    ]
    assert chain["updated_by"] == "miit-zhang"
    assert chain["updated_at"] == "2025-07-10T09:30:00+08:00"

    stale = await client.put(FUZHOU_CHAIN, json=body, headers={**ministry, "If-Match": tag})
    assert stale.status_code == 412
    assert stale.json()["error"]["code"] == "stale_etag"
    assert stale.json()["error"]["details"]["current_etag"] == chain["etag"]

    again = (await client.get(FUZHOU_CHAIN, headers=ministry)).json()
    assert again == chain
    async with client.app.state.db.transaction() as session:
        revisions = (
            await session.execute(
                text(
                    "SELECT row_version, changed_by, jsonb_array_length(deadlines) "
                    "FROM declaration.campaign_deadline_revision "
                    "WHERE campaign_year = 2025 AND jurisdiction = '3501' AND tier = 'excellence' "
                    "ORDER BY row_version"
                )
            )
        ).all()
    assert [tuple(r) for r in revisions] == [(1, "seed", 4), (2, "miit-zhang", 3)]
    other = (
        await client.get("/v1/campaigns/2025/deadlines/35/excellence", headers=ministry)
    ).json()
    assert other["row_version"] == 1, "other jurisdictions are untouched"
    pilot = (await client.get("/v1/campaigns/2025/deadlines/3501/pilot", headers=ministry)).json()
    assert pilot["row_version"] == 1, "and so is the jurisdiction's chain of the other tier"


async def test_a_chain_out_of_order_is_422_naming_the_levels(client, issuer):
    ministry = issuer.headers("ministry")
    tag = (await client.get(FUZHOU_CHAIN, headers=ministry)).headers["etag"]
    body = {
        "deadlines": [
            _deadline("enterprise", last_day="2025-07-18"),
            _deadline("county", last_day="2025-07-17"),
            _deadline("province", last_day="2025-07-21"),
        ]
    }
    resp = await client.put(FUZHOU_CHAIN, json=body, headers={**ministry, "If-Match": tag})
    assert resp.status_code == 422
    error = resp.json()["error"]
    assert error["code"] == "deadline_chain_out_of_order"
    assert error["details"]["violations"] == [
        {
            "lower_level": "enterprise",
            "lower_closes_at": "2025-07-19T00:00:00+08:00",
            "higher_level": "county",
            "higher_closes_at": "2025-07-18T00:00:00+08:00",
        }
    ]
    assert "county" in error["message_en"] and "enterprise" in error["message_en"]
    assert "区县" in error["message"] and "企业" in error["message"]
    unchanged = await client.get(FUZHOU_CHAIN, headers=ministry)
    assert unchanged.headers["etag"] == tag


@pytest.mark.parametrize(
    ("deadlines", "field"),
    [
        ([], "deadlines"),
        ([_deadline("enterprise")], "deadlines[0]"),  # neither last_day nor closes_at
        (
            [_deadline("enterprise", last_day="2025-07-18", closes_at="2025-07-19T00:00:00Z")],
            "deadlines[0]",
        ),
        ([_deadline("enterprise", closes_at="2025-07-19T00:00:00")], "deadlines[0].closes_at"),
        ([_deadline("district", last_day="2025-07-18")], "deadlines[0].level"),
        (
            [
                _deadline("enterprise", last_day="2025-07-18"),
                _deadline("enterprise", last_day="2025-07-19"),
            ],
            "deadlines",
        ),
    ],
    ids=["empty", "no-instant", "both-instants", "naive", "unknown-level", "level-twice"],
)
async def test_a_bad_chain_body_is_422_naming_the_field(client, issuer, deadlines, field):
    resp = await client.put(
        FUZHOU_CHAIN,
        json={"deadlines": deadlines},
        headers={**issuer.headers("ministry"), "If-Match": "*"},
    )
    assert resp.status_code == 422, resp.text
    assert resp.json()["error"]["code"] == "validation_error"
    assert field in [f["field"] for f in resp.json()["error"]["details"]["fields"]]


async def test_a_new_jurisdiction_is_created_with_if_match_star(client, issuer, enterprise):
    ministry = issuer.headers("ministry", sub="miit-li")
    url = "/v1/campaigns/2025/deadlines/44/excellence"
    assert (await client.get(url, headers=ministry)).status_code == 404
    body = {"deadlines": [_deadline("enterprise", last_day="2025-07-15")]}
    refused = await client.put(url, json=body, headers={**ministry, "If-Match": 'W/"x"'})
    assert refused.status_code == 412
    created = await client.put(url, json=body, headers={**ministry, "If-Match": "*"})
    assert created.status_code == 200, created.text
    assert created.json()["jurisdiction"] == "44"
    assert created.headers["etag"] == 'W/"deadlines-2025-44-excellence-v1"'
    chain = await client.get(
        "/v1/campaigns/2025/deadlines?region=440300&tier=excellence", headers=enterprise
    )
    assert chain.json()["jurisdiction"] == "44"
    assert [d["last_day"] for d in chain.json()["deadlines"]] == ["2025-07-15"]


async def test_the_national_chain_is_addressed_as_national(client, issuer):
    ministry = issuer.headers("ministry")
    url = "/v1/campaigns/2026/deadlines/national/pilot"
    current = await client.get(url, headers=ministry)
    assert current.status_code == 200
    assert current.json()["jurisdiction"] == ""
    body = {"deadlines": [_deadline("enterprise", last_day="2027-07-18")]}
    ok = await client.put(url, json=body, headers={**ministry, "If-Match": current.headers["etag"]})
    assert ok.status_code == 200, ok.text
    assert ok.json()["jurisdiction_key"] == "national"


@pytest.mark.parametrize("key", ["3", "350", "35010", "3501020", "all"])
async def test_a_bad_jurisdiction_is_422(client, issuer, key):
    resp = await client.put(
        f"/v1/campaigns/2025/deadlines/{key}/excellence",
        json={"deadlines": [_deadline("enterprise", last_day="2025-07-18")]},
        headers={**issuer.headers("ministry"), "If-Match": "*"},
    )
    assert resp.status_code == 422


async def test_replacing_a_chain_of_an_unknown_campaign_is_404(client, issuer):
    resp = await client.put(
        "/v1/campaigns/2031/deadlines/national/excellence",
        json={"deadlines": [_deadline("enterprise", last_day="2031-07-18")]},
        headers={**issuer.headers("ministry"), "If-Match": "*"},
    )
    assert resp.status_code == 404
    assert resp.json()["error"]["code"] == "campaign_not_found"


async def test_concurrent_replacements_with_one_if_match_keep_exactly_one(client, issuer):
    """10 PUTs of one chain racing with one If-Match: 1 × 200, 9 × 412, and the stored chain
    is the winner's (issue 12)."""
    ministry = issuer.headers("ministry")
    tag = (await client.get(FUZHOU_CHAIN, headers=ministry)).headers["etag"]

    def body(i: int) -> dict:
        return {
            "deadlines": [
                _deadline("enterprise", last_day=f"2025-07-{10 + i:02d}"),
                _deadline("national", closes_at="2025-08-02T00:00:00+08:00"),
            ]
        }

    answers = await asyncio.gather(
        *(
            client.put(FUZHOU_CHAIN, json=body(i), headers={**ministry, "If-Match": tag})
            for i in range(10)
        )
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [412] * 9, statuses
    (winner,) = [a for a in answers if a.status_code == 200]
    stored = (await client.get(FUZHOU_CHAIN, headers=ministry)).json()
    assert stored == winner.json()
