"""Deadlines: their meaning in Beijing time, chain order, the longest prefix, and submission
refused at the second a deadline closes (national, Shanghai, Fujian) with nothing changed."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from declaration_documents import document
from factories import new_factory
from sqlalchemy import func, select, text
from stdnum.cn import uscc as uscc_std

from ladder.declaration.campaigns.deadlines import (
    BEIJING,
    DeadlineLevel,
    applicable_jurisdiction,
    closes_after,
    describe,
    is_jurisdiction,
    is_late,
    last_day_of,
    out_of_order,
)
from ladder.declaration.campaigns.seed import SEEDED_CAMPAIGNS
from ladder.declaration.tables import OUTBOX
from ladder.declaration.vocabulary import Tier

E, C, CI, P, N = (
    DeadlineLevel.enterprise,
    DeadlineLevel.county,
    DeadlineLevel.city,
    DeadlineLevel.province,
    DeadlineLevel.national,
)
FUZHOU_FACTORY = "00000000-0000-4000-8000-000000000101"  # seeded, region 350102
SHANGHAI_FACTORY = "00000000-0000-4000-8000-000000000102"  # seeded, region 310115
SHANGHAI_USCC = "91310115MA1H000024"
SHENZHEN_USCC = "91440300MA5F00001" + uscc_std.calc_check_digit("91440300MA5F00001")


def bj(*args: int) -> datetime:
    return datetime(*args, tzinfo=BEIJING)


# --- what a deadline means -----------------------------------------------------------------


def test_by_a_date_closes_at_the_next_beijing_midnight():
    closes = closes_after(date(2025, 7, 18))
    assert closes == bj(2025, 7, 19)
    assert closes == datetime(2025, 7, 18, 16, 0, tzinfo=UTC)
    assert not is_late(bj(2025, 7, 18, 23, 59, 59), closes)
    assert not is_late(bj(2025, 7, 18, 23, 59, 59) + timedelta(microseconds=999_999), closes)
    assert is_late(bj(2025, 7, 19), closes)
    assert is_late(datetime(2025, 7, 18, 16, 0, 1, tzinfo=UTC), closes)
    assert last_day_of(closes) == date(2025, 7, 18)


def test_deadlines_are_described_in_beijing_time():
    assert describe(closes_after(date(2025, 7, 18))) == (
        "2025年7月18日24时（北京时间）",
        "end of 2025-07-18 (Beijing time, UTC+8)",
    )
    zh, en = describe(datetime(2025, 7, 18, 9, 30, tzinfo=UTC))
    assert zh == "2025年7月18日17:30:00（北京时间）"
    assert en == "2025-07-18 17:30:00 (Beijing time, UTC+8)"


# --- chain order -----------------------------------------------------------------------------


def test_a_chain_in_order_passes_with_equal_and_missing_levels():
    assert out_of_order({}) == []
    assert out_of_order({E: bj(2025, 7, 12), C: bj(2025, 7, 12)}) == []  # Shanghai: same day
    assert out_of_order({E: bj(2025, 7, 19), P: bj(2025, 7, 22), N: bj(2025, 8, 2)}) == []


def test_a_higher_level_closing_first_is_named():
    [v] = out_of_order({E: bj(2025, 7, 19), C: bj(2025, 7, 18)})
    assert (v.lower, v.higher) == (E, C)
    assert v.as_details() == {
        "lower_level": "enterprise",
        "lower_closes_at": "2025-07-19T00:00:00+08:00",
        "higher_level": "county",
        "higher_closes_at": "2025-07-18T00:00:00+08:00",
    }


def test_every_out_of_order_pair_is_named_across_missing_levels():
    found = out_of_order({E: bj(2025, 7, 20), CI: bj(2025, 7, 19), N: bj(2025, 7, 10)})
    assert [(v.lower, v.higher) for v in found] == [(E, CI), (E, N), (CI, N)]


@pytest.mark.parametrize(("campaign", "chains"), SEEDED_CAMPAIGNS, ids=lambda c: str(c)[:20])
def test_seeded_chains_are_in_order(campaign, chains):
    assert set(chains) == {Tier.excellence, Tier.pilot}, "no seed sets a 先进级 date"
    for tier, by_jurisdiction in chains.items():
        for jurisdiction, chain in by_jurisdiction.items():
            assert is_jurisdiction(jurisdiction), jurisdiction
            closes = {d.level: closes_after(d.last_day) for d in chain}
            assert len(closes) == len(chain), f"a level repeats in {jurisdiction!r}"
            assert out_of_order(closes) == [], (campaign["year"], tier, jurisdiction)


def test_seeded_2025_chains_cite_each_tiers_own_clause():
    """251号 二(二)1 is 卓越级's, 三(二)1 领航级's; 430号 一(二)1 and 二(二)1 likewise."""
    (_, chains), _ = SEEDED_CAMPAIGNS
    assert chains[Tier.excellence][""][0].clause == "二(二)1"
    assert chains[Tier.pilot][""][0].clause == "三(二)1"
    assert chains[Tier.excellence]["31"][0].clause == "一(二)1"
    assert chains[Tier.pilot]["31"][0].clause == "二(二)1"
    assert chains[Tier.pilot]["3501"][1].source == "榕工信装备〔2025〕96号"


# --- which chain applies -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "expected"),
    [
        ("440300", ""),  # Shenzhen: no local chain, the national default
        ("310115", "31"),  # Shanghai Pudong
        ("350102", "3501"),  # Fuzhou Gulou: the city's chain is longer than Fujian's
        ("350203", "35"),  # Xiamen: Fujian's
        ("350000", "35"),
    ],
)
def test_the_longest_prefix_wins(region, expected):
    assert applicable_jurisdiction(region, ["", "31", "35", "3501"]) == expected


def test_the_jurisdictions_are_those_of_the_units_on_the_path():
    """平潭综合实验区 (350128) takes Fujian's chain as a 设区市 (闽工信联函装备〔2025〕321号), not
    Fuzhou's "3501" whose prefix its code has; a chain of its own would win."""
    assert applicable_jurisdiction("350128", ["", "31", "35", "3501"]) == "35"
    assert applicable_jurisdiction("350128", ["", "35", "3501", "350128"]) == "350128"
    assert applicable_jurisdiction("350125", ["", "35", "3501"]) == "3501"  # 永泰县: Fuzhou's
    assert applicable_jurisdiction("659001", ["", "65"]) == ""  # the XPCC is not Xinjiang's


def test_no_chain_applies_without_a_national_default():
    assert applicable_jurisdiction("440300", ["31", "35"]) is None
    assert applicable_jurisdiction("350102", ["3502", "35"]) == "35"


def test_jurisdiction_prefixes():
    assert all(is_jurisdiction(j) for j in ["", "31", "3501", "350102"])
    assert not any(is_jurisdiction(j) for j in ["3", "350", "35010", "3501020", "ab", " 31"])


# --- submission at the second boundary -----------------------------------------------------


async def _shenzhen_factory(client, issuer) -> tuple[str, dict[str, str]]:
    """A Shenzhen (440300) enterprise and factory: a region only the national chain covers."""
    headers = issuer.headers("enterprise", sub="sz-user", org=SHENZHEN_USCC, region="440300")
    body = {"uscc": SHENZHEN_USCC, "name": "深圳示范电子有限公司", "region_code": "440300"}
    assert (await client.post("/v1/enterprises", json=body, headers=headers)).status_code == 201
    factory = await client.post(
        f"/v1/enterprises/{SHENZHEN_USCC}/factories",
        json={"name": "电子装联智能工厂", "region_code": "440300"},
        headers=headers,
    )
    assert factory.status_code == 201, factory.text
    return factory.json()["id"], headers


async def _where(case: str, client, issuer) -> tuple[str, dict[str, str]]:
    if case == "national":
        return await _shenzhen_factory(client, issuer)
    if case == "shanghai":
        return SHANGHAI_FACTORY, issuer.headers(
            "enterprise", sub="sh-user", org=SHANGHAI_USCC, region="310115"
        )
    return FUZHOU_FACTORY, issuer.headers(
        "enterprise", sub="ent-user", org="91350102MA2Y00001E", region="350102"
    )


async def _draft(
    client, headers, factory_id: str, year: int = 2025, tier: str = "excellence"
) -> str:
    resp = await client.post(
        "/v1/declarations",
        json={
            "factory_id": factory_id,
            "campaign_year": year,
            "tier": tier,
            "facts": document(tier),
        },
        headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert resp.status_code == 201, resp.text
    return resp.json()["id"]


async def _submit(client, headers, did: str):
    return await client.post(
        f"/v1/declarations/{did}/submit",
        headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
    )


async def _count(client, table, declaration_id: str | None = None) -> int:
    async with client.app.state.db.transaction() as session:
        stmt = select(func.count()).select_from(text(table) if isinstance(table, str) else table)
        if declaration_id is not None:
            stmt = stmt.where(text("declaration_id = :d")).params(d=declaration_id)
        return (await session.execute(stmt)).scalar_one()


CASES = {
    # case: (region, jurisdiction, closes_at, source, clause, the date in the message)
    "national": (
        "440300",
        "",
        "2025-07-19T00:00:00+08:00",
        "工信厅联通装函〔2025〕251号",
        "二(二)1",
        "2025年7月18日24时",
    ),
    "shanghai": (
        "310115",
        "31",
        "2025-07-12T00:00:00+08:00",
        "沪经信制〔2025〕430号",
        "一(二)1",
        "2025年7月11日24时",
    ),
    "fujian": (
        "350102",
        "3501",
        "2025-07-19T00:00:00+08:00",
        "闽工信联函装备〔2025〕321号",
        "四(三)",
        "2025年7月18日24时",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
async def test_submit_one_second_before_the_deadline_is_in_time(client, issuer, clock, case):
    _, _, closes_at, *_ = CASES[case]
    factory_id, headers = await _where(case, client, issuer)
    did = await _draft(client, headers, factory_id)
    clock.set(datetime.fromisoformat(closes_at) - timedelta(seconds=1))
    resp = await _submit(client, headers, did)
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "submitted"
    assert resp.json()["current_version"] == 1


@pytest.mark.parametrize("late_by", [timedelta(0), timedelta(seconds=1), timedelta(days=400)])
@pytest.mark.parametrize("case", list(CASES))
async def test_submit_at_or_after_the_deadline_is_refused_and_changes_nothing(
    client, issuer, clock, case, late_by
):
    region, jurisdiction, closes_at, source, clause, day_zh = CASES[case]
    factory_id, headers = await _where(case, client, issuer)
    did = await _draft(client, headers, factory_id)  # a draft is fine at any time
    before = (await client.get(f"/v1/declarations/{did}", headers=headers)).json()
    outbox_before = await _count(client, OUTBOX)
    clock.set(datetime.fromisoformat(closes_at) + late_by)

    resp = await _submit(client, headers, did)

    assert resp.status_code == 409, resp.text
    error = resp.json()["error"]
    assert error["code"] == "deadline_passed"
    assert day_zh in error["message"] and source in error["message"]
    last_day = (datetime.fromisoformat(closes_at) - timedelta(days=1)).date().isoformat()
    assert error["details"]["last_day"] == last_day
    assert f"end of {last_day} (Beijing time" in error["message_en"]
    details = error["details"]
    assert details["level"] == "enterprise"
    assert details["jurisdiction"] == jurisdiction
    assert details["closes_at"] == closes_at
    assert details["source"] == source and details["clause"] == clause
    assert details["region_code"] == region and details["campaign_year"] == 2025
    after = (await client.get(f"/v1/declarations/{did}", headers=headers)).json()
    assert after == before, "nothing changed (status, ETag, pre-check)"
    assert after["status"] == "draft" and after["current_version"] is None
    assert await _count(client, "declaration.declaration_version", did) == 0
    assert await _count(client, "declaration.declaration_transition", did) == 0
    assert await _count(client, OUTBOX) == outbox_before


async def test_resubmitting_after_the_deadline_is_refused(client, enterprise, clock):
    did = await _draft(client, enterprise, FUZHOU_FACTORY)
    assert (await _submit(client, enterprise, did)).status_code == 200
    async with client.app.state.db.transaction() as session:  # the review returned it
        await session.execute(
            text("UPDATE declaration.declaration SET status = 'returned' WHERE id = :d"),
            {"d": did},
        )
    clock.set(bj(2025, 7, 19))
    resp = await _submit(client, enterprise, did)
    assert resp.status_code == 409
    assert resp.json()["error"]["code"] == "deadline_passed"
    read = (await client.get(f"/v1/declarations/{did}", headers=enterprise)).json()
    assert read["status"] == "returned" and read["current_version"] == 1
    clock.set(bj(2025, 7, 18, 23, 59, 59))
    again = await _submit(client, enterprise, did)
    assert again.status_code == 200, again.text
    assert again.json()["current_version"] == 2


async def test_the_demo_campaign_is_open_after_2025_closed(client, enterprise, clock):
    clock.set(bj(2026, 11, 21, 10))
    late = await _submit(client, enterprise, await _draft(client, enterprise, FUZHOU_FACTORY))
    assert late.json()["error"]["code"] == "deadline_passed"
    demo = await _submit(
        client, enterprise, await _draft(client, enterprise, FUZHOU_FACTORY, year=2026)
    )
    assert demo.status_code == 200, demo.text
    clock.set(bj(2027, 7, 19))
    another = await new_factory(client, enterprise)  # the first has its 2026 declaration
    closed = await _submit(client, enterprise, await _draft(client, enterprise, another, year=2026))
    assert closed.status_code == 409
    assert "2027年7月18日24时" in closed.json()["error"]["message"]


async def _replace_fuzhou_chain(client, issuer, level: str, last_day: str, text: str) -> None:
    """The ministry replaces Fuzhou's chain (3501) with one deadline."""
    ministry = issuer.headers("ministry", sub="miit-official")
    chain = await client.get("/v1/campaigns/2025/deadlines/3501/excellence", headers=ministry)
    deadline = {
        "level": level,
        "last_day": last_day,
        "source": "测试通知",
        "clause": "一",
        "clause_text": text,
    }
    put = await client.put(
        "/v1/campaigns/2025/deadlines/3501/excellence",
        json={"deadlines": [deadline]},
        headers={**ministry, "If-Match": chain.headers["etag"]},
    )
    assert put.status_code == 200, put.text


async def test_a_replaced_chain_is_what_submission_obeys(client, issuer, enterprise, clock):
    """Fuzhou's enterprise deadline moved a day earlier by the ministry applies at once."""
    await _replace_fuzhou_chain(
        client, issuer, "enterprise", "2025-07-17", "于2025年7月17日前完成线上申报"
    )
    did = await _draft(client, enterprise, FUZHOU_FACTORY)
    clock.set(bj(2025, 7, 18, 0, 0, 0))
    resp = await _submit(client, enterprise, did)
    assert resp.status_code == 409
    assert resp.json()["error"]["details"]["source"] == "测试通知"


async def test_the_longest_chain_decides_even_without_an_enterprise_deadline(
    client, issuer, enterprise, clock
):
    """Fuzhou's chain (3501) is the one that applies to 350102; when it names no enterprise
    deadline, the national or provincial chain's does not step in: there is none."""
    await _replace_fuzhou_chain(client, issuer, "city", "2025-07-25", "市级于2025年7月25日前推荐")
    did = await _draft(client, enterprise, FUZHOU_FACTORY)
    clock.set(bj(2025, 8, 1, 0, 0, 0))  # after every seeded enterprise deadline
    resp = await _submit(client, enterprise, did)
    assert resp.status_code == 200, resp.text


# --- the tier decides the chain ------------------------------------------------------------


@pytest.mark.parametrize("case", ["national", "fujian"])
async def test_advanced_is_on_the_provinces_calendar_excellence_on_251(client, issuer, clock, case):
    """On 2025-07-20 a 先进级 submission is accepted (251号 一(二) sets it no date and no seed
    does either), a 卓越级 one is 409 naming its own clause (251号 二(二)1; Fujian 321号 四(三))."""
    _, jurisdiction, _, source, clause, _ = CASES[case]
    factory_id, headers = await _where(case, client, issuer)
    advanced = await _draft(client, headers, factory_id, tier="advanced")
    # One factory may declare 先进级 and 卓越级 in one campaign (only 卓越级 beside 领航级 is
    # refused, 251号 三(一)3).
    excellence = await _draft(client, headers, factory_id, tier="excellence")
    clock.set(bj(2025, 7, 20, 10))
    accepted = await _submit(client, headers, advanced)
    assert accepted.status_code == 200, accepted.text
    refused = await _submit(client, headers, excellence)
    assert refused.status_code == 409, refused.text
    details = refused.json()["error"]["details"]
    assert (details["tier"], details["jurisdiction"]) == ("excellence", jurisdiction)
    assert (details["source"], details["clause"]) == (source, clause)


def _province_calendar(last_day: str) -> dict:
    return {
        "deadlines": [
            {
                "level": "enterprise",
                "last_day": last_day,
                "source": "福建省先进级智能工厂培育认定通知（测试）",
                "clause": "三(一)",
                "clause_text": f"先进级智能工厂申报主体于{last_day}前完成线上申报。",
            }
        ]
    }


async def test_a_province_sets_its_own_advanced_calendar(client, issuer, enterprise, clock):
    fujian = issuer.headers("province", sub="fj-official", region="350000")
    url = "/v1/campaigns/2025/deadlines/35/advanced"
    made = await client.put(
        url, json=_province_calendar("2025-09-30"), headers={**fujian, "If-Match": "*"}
    )
    assert made.status_code == 200, made.text
    assert (made.json()["tier"], made.json()["updated_by"]) == ("advanced", "fj-official")
    # It applies in Fuzhou too: Fuzhou's own chains are for 卓越级/领航级, not 先进级.
    applies = await client.get(
        "/v1/campaigns/2025/deadlines?region=350102&tier=advanced", headers=enterprise
    )
    assert applies.json()["jurisdiction"] == "35"
    did = await _draft(client, enterprise, FUZHOU_FACTORY, tier="advanced")
    clock.set(bj(2025, 10, 1))
    late = await _submit(client, enterprise, did)
    assert late.status_code == 409
    details = late.json()["error"]["details"]
    assert (details["tier"], details["clause"]) == ("advanced", "三(一)")
    assert "福建省先进级" in details["source"]
    clock.set(bj(2025, 9, 30, 23, 59, 59))
    assert (await _submit(client, enterprise, did)).status_code == 200


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("/v1/campaigns/2025/deadlines/31/advanced", "another province"),
        ("/v1/campaigns/2025/deadlines/national/advanced", "the national chain"),
        ("/v1/campaigns/2025/deadlines/35/excellence", "a tier 251号 dates itself"),
    ],
)
async def test_a_province_sets_only_its_own_advanced_chain(client, issuer, url, why):
    fujian = issuer.headers("province", sub="fj-official", region="350000")
    resp = await client.put(
        url, json=_province_calendar("2025-09-30"), headers={**fujian, "If-Match": "*"}
    )
    assert resp.status_code == 403, why
    error = resp.json()["error"]
    assert error["code"] == "deadline_chain_not_yours"
    assert error["details"]["clause"] == "工信厅联通装函〔2025〕251号 一(二)"
    fuzhou = await client.put(
        "/v1/campaigns/2025/deadlines/3501/advanced",
        json=_province_calendar("2025-09-30"),
        headers={**fujian, "If-Match": "*"},
    )
    assert fuzhou.status_code == 200, "a city inside the province is the province's to set"
