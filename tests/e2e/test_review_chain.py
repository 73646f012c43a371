"""The Fujian review chain end to end through the gateway with the real processes.

The county returns a 先进级 declaration with reasons (初审意见: 退回修改); the enterprise sees
it returned with the reason, edits and resubmits; the case comes back to the county, which
forwards it with a clear credit check (国家企业信用信息公示系统 and 中国执行信息公开网); the
city forwards it; the province, the last level, forwards it too and then holds it awaiting its
recommendation (推荐).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import httpx
import pytest

from tests.conftest import dev_token
from tests.e2e.test_thread import DECL, FACTS, INBOX, _create_draft

pytestmark = pytest.mark.crossservice

CASES = "/api/review/v1/cases"
REASON = "请补充关键绩效指标表（附表）并说明数字化车间建设成效"


def _until(what: str, probe: Callable[[], Any], timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (found := probe()) is not None:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _held_case(gateway: httpx.Client, headers: dict[str, str], did: str, **expect: Any):
    """The case once it is in the caller's held inbox with the expected fields."""

    def probe():
        resp = gateway.get(INBOX, params={"page_size": 200}, headers=headers)
        assert resp.status_code == 200, resp.text
        for item in resp.json()["items"]:
            if item["declaration_id"] == did and all(item[k] == v for k, v in expect.items()):
                return item
        return None

    return _until(f"{did} held with {expect}", probe)


def _opine(gateway: httpx.Client, headers: dict[str, str], did: str, body: dict) -> dict:
    case = gateway.get(f"{CASES}/{did}", headers=headers)
    assert case.status_code == 200, case.text
    resp = gateway.post(
        f"{CASES}/{did}/opinions",
        json=body,
        headers={
            **headers,
            "If-Match": case.headers["ETag"],
            "Idempotency-Key": uuid.uuid4().hex,
        },
    )
    assert resp.status_code == 201, resp.text
    return resp.json()


def test_return_resubmit_and_forward_up_the_fujian_chain(gateway):
    enterprise = dev_token(gateway, "enterprise")
    county = dev_token(gateway, "county")  # 350102 福州市鼓楼区
    city = dev_token(gateway, "city")  # 350100 福州市
    province = dev_token(gateway, "province")  # 350000 福建省

    did = _create_draft(gateway, enterprise)["id"]
    submitted = gateway.post(
        f"{DECL}/{did}/submit", headers={**enterprise, "Idempotency-Key": uuid.uuid4().hex}
    )
    assert submitted.status_code == 200, submitted.text

    held = _held_case(gateway, county, did, version=1)
    assert (held["level"], held["holder_region"]) == ("county", "350102")
    returned = _opine(gateway, county, did, {"decision": "return", "reasons": REASON})
    assert returned["case"]["status"] == "returned_for_revision"

    def seen_returned():
        d = gateway.get(f"{DECL}/{did}", headers=enterprise).json()
        return d if d["status"] == "returned" else None

    declaration = _until("the enterprise to see the return", seen_returned)
    assert declaration["review_status"]["reason"] == REASON
    assert declaration["review_status"]["event"] == "returned_for_revision"

    edited = gateway.patch(
        f"{DECL}/{did}",
        json={"facts": {**FACTS, "summary": "数字化车间（补充关键绩效指标）"}},
        headers={**enterprise, "If-Match": declaration["etag"]},
    )
    assert edited.status_code == 200, edited.text
    resubmitted = gateway.post(
        f"{DECL}/{did}/submit", headers={**enterprise, "Idempotency-Key": uuid.uuid4().hex}
    )
    assert resubmitted.status_code == 200, resubmitted.text

    # Back at the first level of the chain, at the new version.
    held = _held_case(gateway, county, did, version=2, status="awaiting_initial_review")
    assert held["level"] == "county"
    clear = {"gsxt": "clear", "zxgk": "clear", "checked_on": date.today().isoformat()}
    forwarded = _opine(gateway, county, did, {"decision": "forward", "credit_check": clear})
    assert (forwarded["case"]["level"], forwarded["case"]["holder_region"]) == ("city", "350100")

    _held_case(gateway, city, did, level="city")
    _opine(gateway, city, did, {"decision": "forward"})

    # The province is the chain's last level: its own initial review (收件初审) forwards the
    # case to its recommendation list.
    _held_case(gateway, province, did, level="province", status="awaiting_initial_review")
    _opine(gateway, province, did, {"decision": "forward"})

    awaiting = _held_case(gateway, province, did, status="awaiting_recommendation")
    assert (awaiting["level"], awaiting["holder_region"], awaiting["version"]) == (
        "province",
        "350000",
        2,
    )
    opinions = gateway.get(f"{CASES}/{did}/opinions", headers=province)
    assert opinions.status_code == 200
    assert [(o["level"], o["decision"], o["version"]) for o in opinions.json()] == [
        ("county", "return", 1),
        ("county", "forward", 2),
        ("city", "forward", 2),
        ("province", "forward", 2),
    ]

    def seen_awaiting():
        d = gateway.get(f"{DECL}/{did}", headers=enterprise).json()
        status = (d.get("review_status") or {}).get("status")
        return d if status == "awaiting_recommendation" else None

    assert _until("the enterprise to see the forwarding", seen_awaiting)["status"] == "submitted"


def withdraw(gateway: httpx.Client, enterprise: dict[str, str], did: str) -> None:
    """撤回申报 as a portal does it: the case's status reaches the declaration (review_status)
    and changes its ETag, sooner or later, so the enterprise withdraws what it reads now and
    reads again on a 412."""
    for _ in range(10):
        current = gateway.get(f"{DECL}/{did}", headers=enterprise)
        withdrawn = gateway.post(
            f"{DECL}/{did}/withdraw",
            json={"reason": "企业决定下一批次再申报"},
            headers={**enterprise, "If-Match": current.headers["etag"]},
        )
        if withdrawn.status_code != 412:
            break
        time.sleep(0.2)
    assert withdrawn.status_code == 200, withdrawn.text


def test_a_withdrawn_declaration_leaves_the_county_inbox(gateway):
    """The enterprise withdraws a submitted declaration (撤回申报): the review service closes
    the case (issue 14), it leaves the county's inbox, and the declaration shows the case's
    end."""
    enterprise = dev_token(gateway, "enterprise")
    county = dev_token(gateway, "county")
    did = _create_draft(gateway, enterprise)["id"]
    submitted = gateway.post(
        f"{DECL}/{did}/submit", headers={**enterprise, "Idempotency-Key": uuid.uuid4().hex}
    )
    assert submitted.status_code == 200, submitted.text
    _held_case(gateway, county, did)

    withdraw(gateway, enterprise, did)

    def closed():
        case = gateway.get(f"{CASES}/{did}", headers=county)
        return case.json() if case.json().get("status") == "withdrawn_by_applicant" else None

    case = _until("the case closed", closed)
    assert case["history"][-1]["actor"] == "service:declaration"
    inbox = gateway.get(INBOX, params={"page_size": 200}, headers=county).json()["items"]
    assert did not in [c["declaration_id"] for c in inbox]

    def mirrored():
        shown = gateway.get(f"{DECL}/{did}", headers=enterprise).json()
        status = shown["review_status"] or {}
        return shown if status.get("event") == "withdrawn_by_applicant" else None

    shown = _until("the declaration told", mirrored)
    assert shown["status"] == "withdrawn"
