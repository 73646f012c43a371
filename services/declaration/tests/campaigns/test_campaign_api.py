"""Campaigns through the API: the ministry creates one (Idempotency-Key) and edits it
(If-Match), every revision is in its history, bad input is a clear 4xx, and a new year's
declaration obeys the chains the campaign was created with."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime

import pytest
from declaration_documents import document
from factories import new_factory
from sqlalchemy import text

from ladder.declaration.campaigns.deadlines import BEIJING


def _deadline(level: str, last_day: str, clause: str = "二(二)1") -> dict:
    return {
        "level": level,
        "last_day": last_day,
        "source": "工信厅联通装函〔2030〕1号（测试）",
        "clause": clause,
        "clause_text": f"于{last_day}前完成。",
    }


def campaign_2030(**changes) -> dict:
    body = {
        "year": 2030,
        "title": "2030年度智能工厂梯度培育",
        "source": "工信厅联通装函〔2030〕1号（测试）",
        "open_tiers": ["basic", "advanced", "excellence", "pilot"],
        "rules_edition": "2025",
        "quota_policy": "2025",
        "publicity_period": "ladder-default",
        "cultivation_period": "251-2025",
        "deadline_chains": [
            {
                "jurisdiction": "",
                "tiers": ["excellence", "pilot"],
                "deadlines": [
                    _deadline("enterprise", "2030-07-18"),
                    _deadline("national", "2030-08-01", "二(二)3"),
                ],
            },
            {
                "jurisdiction": "35",
                "tiers": ["advanced"],
                "deadlines": [_deadline("enterprise", "2030-09-30", "省通知 三")],
            },
        ],
    }
    body.update(changes)
    return body


def _key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


@pytest.fixture
def ministry(issuer) -> dict[str, str]:
    return issuer.headers("ministry", sub="miit-wang")


async def _create(client, headers, body=None, key=None):
    return await client.post(
        "/v1/campaigns",
        json=body or campaign_2030(),
        headers={**headers, **(key or _key())},
    )


async def test_the_ministry_creates_a_campaign_with_chains_per_tier(client, ministry, clock):
    clock.set(datetime(2030, 5, 6, 9, tzinfo=BEIJING))
    resp = await _create(client, ministry)
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert resp.headers["etag"] == body["etag"] == 'W/"campaign-2030-v1"'
    assert (body["updated_by"], body["updated_at"]) == ("miit-wang", "2030-05-06T09:00:00+08:00")
    assert (body["quota_policy"], body["publicity_period"], body["cultivation_period"]) == (
        "2025",
        "ladder-default",
        "251-2025",
    )
    chains = [(c["jurisdiction_key"], c["tier"]) for c in body["deadline_chains"]]
    assert chains == [("national", "excellence"), ("national", "pilot"), ("35", "advanced")]
    assert (await client.get("/v1/campaigns/2030", headers=ministry)).json() == body
    async with client.app.state.db.transaction() as session:
        queued = (
            await session.execute(
                text(
                    "SELECT destination, payload FROM declaration.outbox "
                    "WHERE topic = 'campaign.changed' AND payload->>'year' = '2030' "
                    "ORDER BY destination"
                )
            )
        ).all()
    assert [d for d, _ in queued] == ["review", "rules"]
    assert queued[0][1]["quota_policy"] == "2025" and queued[0][1]["row_version"] == 1


async def test_a_create_is_idempotent_and_a_year_exists_once(client, ministry):
    key = {"Idempotency-Key": "campaign-2030-create"}
    first = await _create(client, ministry, key=key)
    replay = await _create(client, ministry, key=key)
    assert first.status_code == replay.status_code == 201
    assert replay.json() == first.json()
    again = await _create(client, ministry)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "campaign_exists"
    assert again.json()["error"]["details"]["field"] == "year"
    seeded = await _create(client, ministry, body=campaign_2030(year=2025))
    assert seeded.status_code == 409


async def test_concurrent_creates_of_one_year_make_one(client, ministry):
    answers = await asyncio.gather(*(_create(client, ministry) for _ in range(6)))
    assert sorted(a.status_code for a in answers) == [201] + [409] * 5


async def test_only_the_ministry_creates_and_edits(client, issuer, ministry):
    for role, region in (("province", "350000"), ("enterprise", "350102"), ("public", None)):
        headers = issuer.headers(role, region=region)
        assert (await _create(client, headers)).status_code == 403, role
    patch = await client.patch(
        "/v1/campaigns/2025",
        json={"title": "x"},
        headers={**issuer.headers("province", region="350000"), "If-Match": "*"},
    )
    assert patch.status_code == 403


async def test_a_create_needs_an_idempotency_key(client, ministry):
    resp = await client.post("/v1/campaigns", json=campaign_2030(), headers=ministry)
    assert resp.status_code == 428


@pytest.mark.parametrize(
    ("changes", "status", "code", "field"),
    [
        ({"open_tiers": ["advanced", "gold"]}, 422, "validation_error", "open_tiers[1]"),
        ({"year": 1999}, 422, "validation_error", "year"),
        ({"rules_edition": None}, 422, "validation_error", ""),
        ({"rules_edition": "1999"}, 422, "unknown_rules_edition", "rules_edition"),
        (
            {"rules_edition": None, "opens_on": "2020-01-01"},
            422,
            "unknown_rules_edition",
            "opens_on",
        ),
        ({"quota_policy": "no such/policy"}, 422, "validation_error", "quota_policy"),
        (
            {
                "deadline_chains": [
                    {
                        "jurisdiction": "350",
                        "tiers": ["pilot"],
                        "deadlines": [_deadline("enterprise", "2030-07-18")],
                    }
                ]
            },
            422,
            "validation_error",
            "deadline_chains[0].jurisdiction",
        ),
        (
            {
                "open_tiers": ["excellence"],
            },
            422,
            "campaign_invalid",
            "deadline_chains[0].tiers",
        ),
        (
            {
                "deadline_chains": [
                    {
                        "jurisdiction": "31",
                        "tiers": ["pilot"],
                        "deadlines": [_deadline("enterprise", "2030-07-18")],
                    },
                    {
                        "jurisdiction": "31",
                        "tiers": ["excellence", "pilot"],
                        "deadlines": [_deadline("enterprise", "2030-07-11")],
                    },
                ]
            },
            422,
            "campaign_invalid",
            "deadline_chains[1]",
        ),
        (
            {
                "deadline_chains": [
                    {
                        "jurisdiction": "31",
                        "tiers": ["excellence"],
                        "deadlines": [
                            _deadline("enterprise", "2030-07-18"),
                            _deadline("county", "2030-07-11"),
                        ],
                    }
                ]
            },
            422,
            "deadline_chain_out_of_order",
            None,
        ),
    ],
    ids=[
        "unknown-tier",
        "bad-year",
        "no-edition",
        "unknown-edition",
        "no-edition-that-day",
        "bad-policy-id",
        "bad-jurisdiction",
        "chain-of-a-closed-tier",
        "chain-twice",
        "higher-closes-first",
    ],
)
async def test_a_bad_campaign_is_a_clear_4xx(client, ministry, changes, status, code, field):
    resp = await _create(client, ministry, body=campaign_2030(**changes))
    assert resp.status_code == status, resp.text
    error = resp.json()["error"]
    assert error["code"] == code
    if code == "validation_error" and field:
        assert field in [f["field"] for f in error["details"]["fields"]]
    elif field:
        assert error["details"]["field"] == field
    assert (await client.get("/v1/campaigns/2030", headers=ministry)).status_code == 404


async def test_the_edition_is_chosen_by_date_when_none_is_named(client, ministry):
    resp = await _create(
        client, ministry, body=campaign_2030(rules_edition=None, opens_on="2030-05-01")
    )
    assert resp.status_code == 201, resp.text
    assert resp.json()["rules_edition"] == "2025"


async def test_an_edit_needs_a_fresh_if_match_and_is_in_the_history(
    client, issuer, ministry, clock
):
    created = await _create(client, ministry)
    tag = created.headers["etag"]
    url = "/v1/campaigns/2030"
    assert (await client.patch(url, json={"title": "新标题"}, headers=ministry)).status_code == 428
    clock.set(datetime(2030, 6, 1, 10, tzinfo=BEIJING))
    editor = issuer.headers("ministry", sub="miit-li")
    ok = await client.patch(
        url,
        json={
            "title": "2030年度（修订）",
            "publicity_period": "ladder-default",
            "open_tiers": ["advanced", "excellence", "pilot"],
        },
        headers={**editor, "If-Match": tag},
    )
    assert ok.status_code == 200, ok.text
    assert ok.headers["etag"] == 'W/"campaign-2030-v2"'
    assert ok.json()["title"] == "2030年度（修订）"
    stale = await client.patch(url, json={"title": "再改"}, headers={**editor, "If-Match": tag})
    assert stale.status_code == 412
    unknown = await client.patch(
        url, json={"rules_edition": "1999"}, headers={**editor, "If-Match": ok.headers["etag"]}
    )
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "unknown_rules_edition"
    for bad in ({}, {"title": None}, {"open_tiers": ["gold"]}, {"year": 2031}):
        resp = await client.patch(url, json=bad, headers={**editor, "If-Match": ok.headers["etag"]})
        assert resp.status_code == 422, bad

    chain_url = "/v1/campaigns/2030/deadlines/national/pilot"
    chain = await client.get(chain_url, headers=editor)
    put = await client.put(
        chain_url,
        json={"deadlines": [_deadline("enterprise", "2030-07-20", "三(二)1")]},
        headers={**editor, "If-Match": chain.headers["etag"]},
    )
    assert put.status_code == 200, put.text

    history = await client.get("/v1/campaigns/2030/history", headers=issuer.headers("public"))
    assert history.status_code == 200
    revisions = history.json()["revisions"]
    campaign_revisions = [r for r in revisions if r["kind"] == "campaign"]
    assert [(r["row_version"], r["changed_by"]) for r in campaign_revisions] == [
        (1, "miit-wang"),
        (2, "miit-li"),
    ]
    assert campaign_revisions[1]["changed"] == ["title", "open_tiers"], "what changed, only"
    assert campaign_revisions[1]["changed_at"] == "2030-06-01T10:00:00+08:00"
    assert campaign_revisions[1]["fields"]["title"] == "2030年度（修订）"
    pilot = [r for r in revisions if r["kind"] == "deadline_chain" and r["tier"] == "pilot"]
    assert [r["row_version"] for r in pilot] == [1, 2]
    assert pilot[1]["fields"]["deadlines"][0]["last_day"] == "2030-07-20"
    missing = await client.get("/v1/campaigns/2031/history", headers=editor)
    assert missing.status_code == 404


async def test_a_chain_of_a_tier_the_campaign_does_not_open_is_refused(client, ministry):
    await _create(
        client, ministry, body=campaign_2030(open_tiers=["advanced", "excellence", "pilot"])
    )
    resp = await client.put(
        "/v1/campaigns/2030/deadlines/national/basic",
        json={"deadlines": [_deadline("enterprise", "2030-07-18")]},
        headers={**ministry, "If-Match": "*"},
    )
    assert resp.status_code == 422
    assert resp.json()["error"]["code"] == "campaign_invalid"


async def test_a_declaration_runs_through_a_campaign_made_by_the_api(
    client, ministry, enterprise, clock
):
    """Created through the API only: a 卓越级 draft submits before its 7-18, not after; a
    Fujian 先进级 one follows the province's 9-30."""
    assert (await _create(client, ministry)).status_code == 201
    factory = await new_factory(client, enterprise)

    async def draft(tier: str) -> str:
        resp = await client.post(
            "/v1/declarations",
            json={
                "factory_id": factory,
                "campaign_year": 2030,
                "tier": tier,
                "facts": document(tier),
            },
            headers={**enterprise, **_key()},
        )
        assert resp.status_code == 201, resp.text
        return resp.json()["id"]

    async def submit(did: str):
        return await client.post(f"/v1/declarations/{did}/submit", headers={**enterprise, **_key()})

    excellence, advanced = await draft("excellence"), await draft("advanced")
    clock.set(datetime(2030, 7, 19, tzinfo=BEIJING))
    late = await submit(excellence)
    assert late.status_code == 409
    assert late.json()["error"]["details"]["clause"] == "二(二)1"
    on_time = await submit(advanced)
    assert on_time.status_code == 200, on_time.text
    assert on_time.json()["status"] == "submitted"


async def test_a_tier_in_use_stays_open(client, ministry, enterprise):
    """Taking a tier out of a campaign would strand its declarations and chains: 409."""
    created = await _create(client, ministry)
    factory = await new_factory(client, enterprise)
    drafted = await client.post(
        "/v1/declarations",
        json={
            "factory_id": factory,
            "campaign_year": 2030,
            "tier": "pilot",
            "facts": document("pilot"),
        },
        headers={**enterprise, **_key()},
    )
    assert drafted.status_code == 201, drafted.text
    url, tag = "/v1/campaigns/2030", created.headers["etag"]
    for kept, (tier, declarations, chains) in (
        (["basic", "excellence", "pilot"], ("advanced", 0, 1)),  # Fujian's 先进级 chain
        (["basic", "advanced", "excellence"], ("pilot", 1, 1)),
    ):
        resp = await client.patch(
            url, json={"open_tiers": kept}, headers={**ministry, "If-Match": tag}
        )
        assert resp.status_code == 409, resp.text
        error = resp.json()["error"]
        assert error["code"] == "tier_in_use"
        assert (error["details"]["tier"], error["details"]["declarations"]) == (tier, declarations)
        assert error["details"]["deadline_chains"] == chains
    # A tier nothing uses may go; the campaign was not changed by the refusals.
    ok = await client.patch(
        url,
        json={"open_tiers": ["advanced", "excellence", "pilot"]},
        headers={**ministry, "If-Match": tag},
    )
    assert ok.status_code == 200 and ok.headers["etag"] == 'W/"campaign-2030-v2"'
