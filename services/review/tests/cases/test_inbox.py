"""The authorities' inbox and case reads: jurisdiction by GB/T 2260 prefix, roles, paging.

These are oversight views (`held=false`: every case in the jurisdiction); the held inbox (the
cases at the caller's level) is tested with the routing in test_opinions.py."""

from __future__ import annotations

import uuid

import pytest

GULOU = "350102"  # 福州市鼓楼区

SEES_GULOU = [
    ("county", "350102"),
    ("city", "350100"),  # 福州市
    ("province", "350000"),  # 福建省
    ("ministry", None),
]
BLIND_TO_GULOU = [
    ("county", "350103"),  # 福州市台江区
    ("city", "350200"),  # 厦门市
    ("province", "310000"),  # 上海市
    ("county", None),  # an authority token without a region sees nothing
]


def _headers(issuer, role: str, region: str | None) -> dict[str, str]:
    return issuer.headers(role, region=region) if region else issuer.headers(role)


@pytest.mark.parametrize(("role", "region"), SEES_GULOU)
async def test_case_is_visible_within_jurisdiction(
    client, issuer, make_event, deliver, role, region
):
    event = make_event(region_code=GULOU)
    await deliver(event)
    headers = _headers(issuer, role, region)
    declaration_id = event["payload"]["declaration_id"]

    inbox = await client.get("/v1/inbox?held=false", headers=headers)
    assert inbox.status_code == 200, inbox.text
    body = inbox.json()
    assert body["total"] == 1
    assert body["page"] == 1
    assert body["page_size"] == 20
    item = body["items"][0]
    assert set(item) == {
        "declaration_id",
        "tier",
        "campaign_year",
        "enterprise_uscc",
        "enterprise_name",
        "factory_name",
        "region_code",
        "version",
        "fingerprint",
        "status",
        "level",
        "holder_region",
        "recommending_unit",
        "central_soe_group",
        "industry",
        "received_at",
    }
    assert item["declaration_id"] == declaration_id
    assert item["recommending_unit"] == "350000"
    assert item["status"] == "awaiting_initial_review"

    case = await client.get(f"/v1/cases/{declaration_id}", headers=headers)
    assert case.status_code == 200
    assert case.json()["declaration_id"] == declaration_id


@pytest.mark.parametrize(("role", "region"), BLIND_TO_GULOU)
async def test_case_is_invisible_outside_jurisdiction(
    client, issuer, make_event, deliver, role, region
):
    event = make_event(region_code=GULOU)
    await deliver(event)
    headers = _headers(issuer, role, region)

    inbox = await client.get("/v1/inbox?held=false", headers=headers)
    assert inbox.status_code == 200
    assert inbox.json() == {"items": [], "total": 0, "page": 1, "page_size": 20}

    declaration_id = event["payload"]["declaration_id"]
    hidden = await client.get(f"/v1/cases/{declaration_id}", headers=headers)
    absent = await client.get(f"/v1/cases/{uuid.uuid4()}", headers=headers)
    assert hidden.status_code == absent.status_code == 404
    assert hidden.json()["error"]["code"] == absent.json()["error"]["code"] == "case_not_found"


@pytest.mark.parametrize("role", ["enterprise", "expert", "public", "service"])
async def test_non_authorities_are_forbidden(client, issuer, make_event, deliver, role):
    event = make_event()
    await deliver(event)
    headers = issuer.headers(role, org=event["payload"]["enterprise_uscc"], region=GULOU)
    for path in ("/v1/inbox", f"/v1/cases/{event['payload']['declaration_id']}"):
        resp = await client.get(path, headers=headers)
        assert resp.status_code == 403, path
        assert resp.json()["error"]["code"] == "forbidden"


async def test_reads_need_a_token(client):
    for path in ("/v1/inbox", f"/v1/cases/{uuid.uuid4()}"):
        resp = await client.get(path)
        assert resp.status_code == 401
        assert resp.json()["error"]["code"] == "unauthenticated"


async def test_central_soe_headquarters_see_no_case_yet(client, issuer, make_event, deliver):
    event = make_event()
    await deliver(event)
    headers = issuer.headers("central_soe_hq", org="SOE-0001")
    for held in ("true", "false"):
        inbox = await client.get(f"/v1/inbox?held={held}", headers=headers)
        assert inbox.status_code == 200
        assert inbox.json()["total"] == 0
    case = await client.get(f"/v1/cases/{event['payload']['declaration_id']}", headers=headers)
    assert case.status_code == 404


async def test_inbox_pages_oldest_received_first(client, issuer, make_event, deliver):
    ids = []
    for _ in range(5):
        event = make_event()
        await deliver(event)
        ids.append(event["payload"]["declaration_id"])
    headers = issuer.headers("city", region="350100")

    seen = []
    for page in (1, 2, 3):
        body = (
            await client.get(f"/v1/inbox?held=false&page={page}&page_size=2", headers=headers)
        ).json()
        assert body["total"] == 5
        assert body["page"] == page
        assert body["page_size"] == 2
        seen += [i["declaration_id"] for i in body["items"]]
    assert seen == ids

    beyond = (await client.get("/v1/inbox?held=false&page=4&page_size=2", headers=headers)).json()
    assert beyond["items"] == []
    assert beyond["total"] == 5


@pytest.mark.parametrize(
    "query", ["page_size=201", "page_size=0", "page=0", "page=-1", "page_size=abc"]
)
async def test_inbox_paging_bounds(client, issuer, query):
    resp = await client.get(f"/v1/inbox?{query}", headers=issuer.headers("ministry"))
    assert resp.status_code == 422
    assert resp.json()["error"]["code"] == "validation_error"


async def test_inbox_largest_page(client, issuer):
    resp = await client.get("/v1/inbox?page_size=200", headers=issuer.headers("ministry"))
    assert resp.status_code == 200
    assert resp.json()["page_size"] == 200


async def test_inbox_filters_by_tier_and_status(client, issuer, make_event, deliver):
    for tier in ("excellence", "pilot", "excellence"):
        await deliver(make_event(tier=tier))
    headers = issuer.headers("province", region="350000")

    pilot = (await client.get("/v1/inbox?held=false&tier=pilot", headers=headers)).json()
    assert pilot["total"] == 1
    assert pilot["items"][0]["tier"] == "pilot"
    excellence = (await client.get("/v1/inbox?held=false&tier=excellence", headers=headers)).json()
    assert excellence["total"] == 2
    awaiting = await client.get(
        "/v1/inbox?held=false&status=awaiting_initial_review", headers=headers
    )
    assert awaiting.json()["total"] == 3

    for bad in ("tier=gold", "status=approved", "held=maybe"):
        resp = await client.get(f"/v1/inbox?held=false&{bad}", headers=headers)
        assert resp.status_code == 422, bad


async def test_case_read_rejects_a_malformed_id(client, issuer):
    resp = await client.get("/v1/cases/not-a-uuid", headers=issuer.headers("ministry"))
    assert resp.status_code == 422
