"""公示: the draft, the announcement, the public notice, objections and their resolution,
closing after the period by the service's clock, and the published list."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import httpx
import pytest
from national_facts import code

from ladder.kit.clock import FrozenClock

PUBLICITIES = "/v1/national/publicities"
ONE = f"{PUBLICITIES}/2025/excellence"
PUBLIC = "/public/v1/publicity/2025/excellence"
OBJECT = f"{PUBLIC}/objections"
# 2025-10-10 10:00 Beijing; 5 calendar days → the period ends 2025-10-15 00:00 Beijing.
ANNOUNCED_AT = datetime(2025, 10, 10, 2, tzinfo=UTC)
ENDS_AT = "2025-10-14T16:00:00Z"


@pytest.fixture
def clock(client) -> FrozenClock:
    clock = FrozenClock(ANNOUNCED_AT)
    client.app.state.clock = clock
    return clock


async def _draft(nat, tier: str = "excellence", **body):
    return await nat.client.post(
        PUBLICITIES, json={"campaign_year": 2025, "tier": tier, **body}, headers=nat.keyed()
    )


async def _publicity(nat, url: str = ONE) -> dict:
    resp = await nat.client.get(url, headers=nat.ministry())
    assert resp.status_code == 200, resp.text
    return resp.json()


async def _act(nat, action: str, url: str = ONE):
    return await nat.client.post(
        f"{url}/{action}", headers=nat.keyed((await _publicity(nat, url))["etag"])
    )


async def _announced(nat, n: int = 2, tier: str = "excellence") -> list[str]:
    dids = [await nat.selected(tier) for _ in range(n)]
    assert (await _draft(nat, tier)).status_code == 201
    url = f"{PUBLICITIES}/2025/{tier}"
    resp = await _act(nat, "announce", url)
    assert resp.status_code == 200, resp.text
    return dids


async def _object(nat, did: str, content: str = "该企业关键指标与实际不符，请核实", **extra):
    return await nat.client.post(OBJECT, json={"declaration_id": did, "content": content, **extra})


async def _objections(nat, **params) -> list[dict]:
    resp = await nat.client.get(f"{ONE}/objections", params=params, headers=nat.ministry())
    assert resp.status_code == 200, resp.text
    return resp.json()["items"]


async def _resolve(nat, objection: dict, outcome: str, text: str = "经核查"):
    return await nat.client.post(
        f"/v1/national/objections/{objection['id']}/resolution",
        json={"outcome": outcome, "resolution": text},
        headers=nat.keyed(objection["etag"]),
    )


async def test_a_draft_lists_the_selected_cases_and_is_not_public(nat, client, clock):
    did = await nat.selected()
    await nat.case("in_expert_review")  # not selected: not on it
    resp = await _draft(nat)
    assert resp.status_code == 201, resp.text
    draft = resp.json()
    assert (draft["status"], draft["days"], draft["starts_at"]) == ("draft", 5, None)
    assert [e["declaration_id"] for e in draft["entries"]] == [did]
    assert (await client.get(PUBLIC)).status_code == 404
    again = await _draft(nat)
    assert again.status_code == 409 and code(again) == "publicity_exists"
    long = await _draft(nat, "pilot", days=31)
    assert long.status_code == 422 and code(long) == "publicity_period_too_long"
    empty = await _draft(nat, "pilot")
    assert empty.status_code == 409 and code(empty) == "nothing_to_announce"


async def test_announcing_puts_the_selected_in_publicity_for_the_period(nat, client, clock):
    dids = await _announced(nat)
    pub = await _publicity(nat)
    assert (pub["status"], pub["starts_at"], pub["ends_at"]) == (
        "open",
        "2025-10-10T02:00:00Z",
        ENDS_AT,
    )
    assert {e["status"] for e in pub["entries"]} == {"in_publicity"}
    for did in dids:
        assert (await nat.events(did))[-1] == "announced"
        assert (await nat.status_events(did))[-1]["status"] == "in_publicity"
    notice = await client.get(PUBLIC)  # no token
    assert notice.status_code == 200, notice.text
    body = notice.json()
    assert body["accepting_objections"] is True and body["ends_at"] == ENDS_AT
    assert {e["declaration_id"] for e in body["entries"]} == set(dids)
    assert set(body["entries"][0]) == {
        "declaration_id",
        "enterprise_name",
        "factory_name",
        "region_code",
        "tier",
    }
    twice = await _act(nat, "announce")
    assert twice.status_code == 409 and code(twice) == "publicity_not_draft"


async def test_the_public_objects_within_limits(nat, client, clock):
    did, _ = await _announced(nat)
    short = await _object(nat, did, "太短了")
    assert short.status_code == 422
    long = await _object(nat, did, "长" * 2001)
    assert long.status_code == 422
    stranger = await _object(nat, str(uuid.uuid4()))
    assert stranger.status_code == 404 and code(stranger) == "publicity_entry_not_found"
    extra = await client.post(OBJECT, json={"declaration_id": did, "content": "内容" * 10, "x": 1})
    assert extra.status_code == 422
    key = {"Idempotency-Key": uuid.uuid4().hex}
    body = {
        "declaration_id": did,
        "content": "该企业关键指标与实际不符",
        "name": "李某",
        "contact": "li@example.com",
    }
    first = await client.post(OBJECT, json=body, headers=key)
    replay = await client.post(OBJECT, json=body, headers=key)
    assert first.status_code == replay.status_code == 201
    assert replay.json() == first.json()
    listed = await _objections(nat)
    assert [(o["name"], o["status"]) for o in listed] == [("李某", "pending")]


async def test_objections_are_refused_after_the_period(nat, clock):
    did, _ = await _announced(nat)
    clock.set(datetime(2025, 10, 14, 15, 59, 59, tzinfo=UTC))
    assert (await _object(nat, did)).status_code == 201
    clock.set(datetime(2025, 10, 14, 16, tzinfo=UTC))
    late = await _object(nat, did)
    assert late.status_code == 409 and code(late) == "publicity_closed"
    notice = await nat.client.get(PUBLIC)
    assert notice.json()["accepting_objections"] is False


async def test_an_upheld_objection_withdraws_the_case(nat, client, clock):
    did, other = await _announced(nat)
    await _object(nat, did)
    await _object(nat, did, "同一项目的第二条异议内容")
    first, second = await _objections(nat)
    resp = await _resolve(nat, first, "upheld", "异议成立：关键指标造假")
    assert resp.status_code == 200, resp.text
    assert (resp.json()["status"], resp.json()["resolved_by"]) == ("upheld", "ministry-official")
    assert await nat.status(did) == "withdrawn"
    told = (await nat.status_events(did))[-1]
    assert (told["status"], told["reason"]) == ("withdrawn", "异议成立：关键指标造假")
    again = await _resolve(nat, resp.json(), "dismissed")
    assert again.status_code == 409 and code(again) == "objection_already_resolved"
    stale = await _resolve(nat, first, "dismissed")
    assert stale.status_code == 412
    # the second upheld objection on a withdrawn case records, moves nothing
    assert (await _resolve(nat, second, "upheld")).status_code == 200
    assert (await nat.events(did)).count("withdrawn") == 1
    notice = (await client.get(PUBLIC)).json()
    assert [e["declaration_id"] for e in notice["entries"]] == [other]
    gone = await _object(nat, did)
    assert gone.status_code == 404 and code(gone) == "publicity_entry_not_found"


async def test_closing_waits_for_the_end_and_the_objections(nat, client, clock):
    did, withdrawn = await _announced(nat)
    await _object(nat, withdrawn)
    early = await _act(nat, "close")
    assert early.status_code == 409 and code(early) == "publicity_not_ended"
    clock.set(datetime(2025, 10, 15, 1, tzinfo=UTC))
    pending = await _act(nat, "close")
    assert pending.status_code == 409 and code(pending) == "objections_unresolved"
    assert await nat.status(did) == "in_publicity"
    assert (await client.get("/public/v1/published-lists/2025/excellence")).status_code == 404
    (objection,) = await _objections(nat, status="pending")
    assert (await _resolve(nat, objection, "upheld", "异议成立")).status_code == 200

    closed = await _act(nat, "close")
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed"
    assert (await nat.status(did), await nat.status(withdrawn)) == ("published", "withdrawn")
    assert (await nat.status_events(did))[-1]["status"] == "published"
    rows = await nat.sql(
        "SELECT destination, payload FROM review.outbox WHERE topic = 'review.list_published'"
    )
    ((destination, payload),) = rows
    assert destination == "declaration"
    assert [e["declaration_id"] for e in payload["entries"]] == [did]
    assert (payload["campaign_year"], payload["tier"]) == (2025, "excellence")

    listed = await client.get("/public/v1/published-lists/2025/excellence")  # no token
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert (body["total"], body["published_at"]) == (1, "2025-10-15T01:00:00Z")
    assert [e["declaration_id"] for e in body["items"]] == [did]
    again = await _act(nat, "close")
    assert again.status_code == 409 and code(again) == "publicity_not_open"


async def test_the_published_list_pages(nat, client, clock):
    dids = await _announced(nat, n=3)
    clock.set(datetime(2025, 10, 20, tzinfo=UTC))
    assert (await _act(nat, "close")).status_code == 200
    page = await client.get(
        "/public/v1/published-lists/2025/excellence", params={"page_size": 2, "page": 2}
    )
    assert page.json()["total"] == 3 and len(page.json()["items"]) == 1
    assert {e["declaration_id"] for e in page.json()["items"]} <= set(dids)


async def test_publishing_the_pilot_list_starts_cultivation(nat, client, clock):
    (did,) = await _announced(nat, n=1, tier="pilot")
    clock.set(datetime(2025, 10, 15, 17, tzinfo=UTC))  # 2025-10-16 01:00 Beijing
    closed = await _act(nat, "close", f"{PUBLICITIES}/2025/pilot")
    assert closed.status_code == 200, closed.text
    assert await nat.status(did) == "published"
    rows = await nat.sql(
        "SELECT r.status, r.start_date FROM review.cultivation_record r "
        "JOIN review.review_case c ON c.id = r.case_id WHERE c.declaration_id = :d",
        d=did,
    )
    assert [(s, d.isoformat()) for s, d in rows] == [("cultivating", "2025-10-16")]
    listed = (await client.get("/public/v1/published-lists/2025/pilot")).json()
    assert [e["tier"] for e in listed["items"]] == ["pilot"]


async def test_the_publicity_is_the_ministrys(nat, client, issuer, clock):
    await _announced(nat, n=1)
    etag = (await _publicity(nat))["etag"]
    for role in ("province", "expert", "public"):
        headers = {
            **issuer.headers(role, region="350000"),
            "If-Match": etag,
            "Idempotency-Key": uuid.uuid4().hex,
        }
        assert (await client.post(f"{ONE}/close", headers=headers)).status_code == 403
        assert (await client.get(f"{ONE}/objections", headers=headers)).status_code == 403
    missing = await client.get(f"{PUBLICITIES}/2026/excellence", headers=nat.ministry())
    assert missing.status_code == 404 and code(missing) == "publicity_not_found"
    unknown = await client.post(
        f"/v1/national/objections/{uuid.uuid4()}/resolution",
        json={"outcome": "dismissed", "resolution": "x"},
        headers=nat.keyed("*"),
    )
    assert unknown.status_code == 404 and code(unknown) == "objection_not_found"
    no_etag = await client.post(f"{ONE}/close", headers=nat.keyed())
    assert no_etag.status_code == 428


async def test_anonymous_idempotency_keys_are_scoped_per_client(nat):
    """Found by trying to break it: objectors without a token shared one key scope, so a key
    could be squatted (someone else's objection refused as a reused key) or another's receipt
    replayed. Each client now has its own scope."""
    did, _ = await _announced(nat)
    key = {"Idempotency-Key": "objection-key-0001"}
    body = {"declaration_id": did, "content": "该企业关键指标与实际不符，请核实"}
    other = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=nat.client.app, client=("203.0.113.50", 5000)),
        base_url="http://test",
    )
    async with other:
        mine = await nat.client.post(OBJECT, json=body, headers=key)
        theirs = await other.post(OBJECT, json={**body, "content": "另一位公众的不同异议内容"},
                                  headers=key)  # fmt: skip
        replay = await nat.client.post(OBJECT, json=body, headers=key)
    assert mine.status_code == theirs.status_code == 201, theirs.text
    assert theirs.json()["id"] != mine.json()["id"]
    assert replay.json()["id"] == mine.json()["id"]
    assert len(await _objections(nat)) == 2


async def _race(nat, url: str, etag: str, n: int = 10, json=None) -> list[httpx.Response]:
    """`n` POSTs with one If-Match, each with its own Idempotency-Key, all at once."""
    return list(
        await asyncio.gather(
            *(nat.client.post(url, json=json, headers=nat.keyed(etag)) for _ in range(n))
        )
    )


async def test_concurrent_announcements_with_one_if_match_keep_exactly_one(nat, clock):
    """10 announcements racing with one If-Match: 1 × 200, 9 × 412 (the 公示 is locked
    before its ETag is compared), each case announced once, and the stored 公示 is the
    winner's (issue 12)."""
    did = await nat.selected()
    assert (await _draft(nat)).status_code == 201
    answers = await _race(nat, f"{ONE}/announce", (await _publicity(nat))["etag"])
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [412] * 9, statuses
    (winner,) = [a for a in answers if a.status_code == 200]
    assert await _publicity(nat) == winner.json()
    assert (await nat.events(did)).count("announced") == 1
    entries = await nat.sql("SELECT count(*) FROM review.national_publicity_entry")
    assert entries == [(1,)]


async def test_concurrent_closings_with_one_if_match_keep_exactly_one(nat, clock):
    """10 closings racing with one If-Match: 1 × 200, 9 × 412, each case published once, one
    `review.list_published`, and the stored 公示 is the winner's (issue 12)."""
    did, other = await _announced(nat)
    clock.set(datetime(2025, 10, 20, tzinfo=UTC))
    answers = await _race(nat, f"{ONE}/close", (await _publicity(nat))["etag"])
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [412] * 9, statuses
    (winner,) = [a for a in answers if a.status_code == 200]
    assert await _publicity(nat) == winner.json()
    assert winner.json()["status"] == "closed"
    for d in (did, other):
        assert (await nat.events(d)).count("published") == 1
    told = await nat.sql("SELECT count(*) FROM review.outbox WHERE topic = 'review.list_published'")
    assert told == [(1,)]


async def test_concurrent_resolutions_with_one_if_match_keep_exactly_one(nat, clock):
    """10 resolutions of one objection racing with one If-Match (the outcomes differ): one
    200, nine 412 (the objection is locked before its ETag is compared), and the stored
    objection is the winner's: a case withdrawn only if the winner upheld (issue 12)."""
    did, _ = await _announced(nat)
    assert (await _object(nat, did)).status_code == 201
    (objection,) = await _objections(nat)
    url = f"/v1/national/objections/{objection['id']}/resolution"
    answers = await asyncio.gather(
        *(
            nat.client.post(
                url,
                json={
                    "outcome": "upheld" if i % 2 else "dismissed",
                    "resolution": f"经核查第{i}次",
                },
                headers=nat.keyed(objection["etag"]),
            )
            for i in range(10)
        )
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [412] * 9, statuses
    (winner,) = [a for a in answers if a.status_code == 200]
    (stored,) = await _objections(nat)
    assert stored == winner.json()
    upheld = winner.json()["status"] == "upheld"
    assert await nat.status(did) == ("withdrawn" if upheld else "in_publicity")
    assert (await nat.events(did)).count("withdrawn") == (1 if upheld else 0)
