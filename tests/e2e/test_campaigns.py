"""A new year through the API only, on a stack seeded as a real deployment (no demo campaign):
the ministry creates the 2026 campaign with its chains per tier, the rules and review services
take its parameters from `campaign.changed`, and an enterprise's 卓越级 declaration goes from
draft to submitted in it; the edit is in the campaign's history."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from tests.conftest import dev_token, import_recognitions
from tests.e2e.test_declaration_document import _document

pytestmark = pytest.mark.crossservice

CAMPAIGNS = "/api/declaration/v1/campaigns"
USCC = "91350102MA2Y00001E"  # the `enterprise` demo user's organisation


def _deadline(level: str, last_day: str, clause: str) -> dict:
    return {
        "level": level,
        "last_day": last_day,
        "source": "工信厅联通装函〔2026〕（测试批次）",
        "clause": clause,
        "clause_text": f"于{last_day}前完成。",
    }


CAMPAIGN_2026 = {
    "year": 2026,
    "title": "2026年度智能工厂梯度培育（测试批次）",
    "source": "工信厅联通装函〔2026〕（测试批次）",
    "open_tiers": ["basic", "advanced", "excellence", "pilot"],
    "opens_on": "2026-06-01",  # the edition in effect that day is chosen
    "quota_policy": "2025",
    "publicity_period": "ladder-default",
    "cultivation_period": "251-2025",
    "deadline_chains": [
        {
            "jurisdiction": "",
            "tiers": ["excellence", "pilot"],
            # Far enough ahead that the system clock stays inside the window.
            "deadlines": [
                _deadline("enterprise", "2099-07-18", "二(二)1"),
                _deadline("national", "2099-08-01", "二(二)3"),
            ],
        }
    ],
}


@pytest.fixture
def gateway(deployment_stack):
    with httpx.Client(base_url=deployment_stack.url("gateway"), timeout=20.0) as client:
        yield client


def _delivered(gateway: httpx.Client, ministry: dict[str, str], want: int) -> list[str]:
    """The destinations the declaration service's relay delivered `campaign.changed` to,
    once it has delivered `want` of them (none dead or retrying on the way)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        seen = {}
        for state in ("delivered", "dead", "retrying"):
            resp = gateway.get(
                "/api/declaration/v1/outbox/events",
                params={"state": state, "topic": "campaign.changed", "limit": 100},
                headers=ministry,
            )
            assert resp.status_code == 200, resp.text
            seen[state] = resp.json()["items"]
        assert not seen["dead"], seen["dead"]
        if len(seen["delivered"]) >= want:
            return sorted(e["destination"] for e in seen["delivered"])
        time.sleep(0.3)
    raise AssertionError(f"campaign.changed not delivered {want} times in 30 s")


def test_the_2026_campaign_made_through_the_api_takes_a_declaration(gateway) -> None:
    ministry = dev_token(gateway, "ministry")
    enterprise = dev_token(gateway, "enterprise")
    assert gateway.get(f"{CAMPAIGNS}/2026", headers=ministry).status_code == 404

    created = gateway.post(
        CAMPAIGNS, json=CAMPAIGN_2026, headers={**ministry, "Idempotency-Key": uuid.uuid4().hex}
    )
    assert created.status_code == 201, created.text
    campaign = created.json()
    assert campaign["rules_edition"] == "2025"
    assert [(c["jurisdiction_key"], c["tier"]) for c in campaign["deadline_chains"]] == [
        ("national", "excellence"),
        ("national", "pilot"),
    ]
    # The seeded 2025 campaign and this one, each to the rules and the review service.
    assert _delivered(gateway, ministry, 4) == ["review", "review", "rules", "rules"]
    quota = gateway.get(
        "/api/rules/v1/campaigns/2026/quotas",
        params={"tier": "excellence", "unit": "310115"},
        headers=enterprise,
    )
    assert quota.status_code == 200, quota.text
    assert (quota.json()["campaign"], quota.json()["limit"]) == ("2026", 6)

    # An enterprise new to this deployment: its profile, a factory, a 卓越级 申报书.
    made = gateway.post(
        "/api/declaration/v1/enterprises",
        json={"uscc": USCC, "name": "福州示范智能装备有限公司", "region_code": "350102"},
        headers={**enterprise, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert made.status_code == 201, made.text
    factory = gateway.post(
        f"/api/declaration/v1/enterprises/{USCC}/factories",
        json={"name": "高端装备智能工厂", "region_code": "350102"},
        headers={**enterprise, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert factory.status_code == 201, factory.text
    # 卓越级 needs a recognised 先进级 (251号 二(一)2): the ministry imports last year's list.
    row = {
        "uscc": USCC,
        "enterprise_name": "福州示范智能装备有限公司",
        "factory_name": "高端装备智能工厂",
        "region_code": "350102",
        "tier": "advanced",
        "year": 2025,
    }
    recognised = import_recognitions(
        gateway, ministry, [row], "测试数据：2025年度先进级名单（非官方）"
    )
    assert recognised.status_code == 201, recognised.text
    draft = gateway.post(
        "/api/declaration/v1/declarations",
        json={
            "factory_id": factory.json()["id"],
            "campaign_year": 2026,
            "tier": "excellence",
            "facts": _document(),
        },
        headers={**enterprise, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert draft.status_code == 201, draft.text
    assert draft.json()["status"] == "draft"
    submitted = gateway.post(
        f"/api/declaration/v1/declarations/{draft.json()['id']}/submit",
        headers={**enterprise, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "submitted"

    edited = gateway.patch(
        f"{CAMPAIGNS}/2026",
        json={"title": "2026年度智能工厂梯度培育（测试批次，修订）"},
        headers={**ministry, "If-Match": created.headers["etag"]},
    )
    assert edited.status_code == 200, edited.text
    assert _delivered(gateway, ministry, 6).count("rules") == 3
    history = gateway.get(f"{CAMPAIGNS}/2026/history", headers=enterprise).json()["revisions"]
    campaign_revisions = [
        (r["row_version"], r["changed"]) for r in history if r["kind"] == "campaign"
    ]
    assert campaign_revisions[-1] == (2, ["title"])
