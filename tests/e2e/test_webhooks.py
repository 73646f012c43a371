"""Webhooks for other platforms, through the gateway with the real processes (issue 16).

Fujian's data platform is a machine client of the province (made by its official at the
identity service). It subscribes through the gateway; its endpoint is a real HTTP server this
module starts, which checks every request with the `standardwebhooks` library. The enterprise
declares, submits and withdraws through the gateway; the review service fans the events out
from its outbox. The endpoint is down for a while: every message arrives after it returns, in
order per declaration, none lost, each retry under the same `webhook-id`. An endpoint that
never answers: the delivery is dead-lettered after the bound the stack sets
(`tests.conftest.WEBHOOK_MAX_ATTEMPTS`), and a replay after the URL is fixed delivers it.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tests.conftest import WEBHOOK_MAX_ATTEMPTS, client_token, dev_token
from tests.e2e.test_list_push import _until, machine_client
from tests.e2e.test_review_chain import withdraw
from tests.e2e.test_thread import DECL, _create_draft

pytestmark = pytest.mark.crossservice

SUBS = "/api/review/v1/webhooks/subscriptions"
ID = "/api/identity"
GULOU = "350102"  # the demo enterprise's county
TYPES = ["declaration.submitted", "declaration.withdrawn", "case.status_changed"]


class Receiver:
    """Another platform's endpoint on a free port: verifies each request with
    `standardwebhooks` (a bad signature is 400 and counted) and answers 503 while `down`."""

    def __init__(self) -> None:
        self.secret = ""
        self.down = False
        self.bad = 0
        self.got: list[dict[str, Any]] = []  # verified and accepted, in arrival order
        self.tries: list[str] = []  # the webhook-id of every request, accepted or not
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # http.server calls it by this name
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status = receiver.take(raw, dict(self.headers.items()))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:  # keep the test output clean
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def take(self, raw: bytes, headers: dict[str, str]) -> int:
        with self.lock:
            self.tries.append(headers.get("webhook-id", ""))
            try:
                body = Webhook(self.secret).verify(raw, headers)
            except WebhookVerificationError:
                self.bad += 1
                return 400
            if self.down:
                return 503
            self.got.append(body)
            return 204

    def of(self, declaration_ids: set[str]) -> list[dict[str, Any]]:
        with self.lock:
            return [m for m in self.got if m["data"].get("declaration_id") in declaration_ids]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    r.thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture(scope="module")
def platform(stack) -> dict[str, str]:
    """Fujian's data platform: a machine client of the province (review:read/write)."""
    with httpx.Client(base_url=stack.url("gateway"), timeout=30.0) as gateway:
        return machine_client(gateway, "province", "福建省数据共享平台（订阅测试）")


@pytest.fixture
def subscribed(gateway, platform) -> Iterator[Callable[..., dict]]:
    """Subscribes the platform; every subscription made is deleted afterwards, so that no
    later module's events go on to a stopped endpoint."""
    made: list[str] = []

    def subscribe(url: str, **more: Any) -> dict:
        resp = gateway.post(
            SUBS,
            json={"url": url, "event_types": TYPES, "regions": [GULOU], **more},
            headers={**platform, **_key()},
        )
        assert resp.status_code == 201, resp.text
        made.append(resp.json()["id"])
        return resp.json()

    yield subscribe
    for sub_id in made:
        etag = gateway.get(f"{SUBS}/{sub_id}", headers=platform).headers["ETag"]
        deleted = gateway.delete(f"{SUBS}/{sub_id}", headers={**platform, "If-Match": etag})
        assert deleted.status_code == 200, deleted.text


def _key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def _deliveries(gateway, platform, sub_id: str, **query: Any) -> list[dict]:
    items: list[dict] = []
    after = 0
    while True:
        resp = gateway.get(
            f"{SUBS}/{sub_id}/deliveries",
            params={**query, "after": after, "limit": 100},
            headers=platform,
        )
        assert resp.status_code == 200, resp.text
        page = resp.json()
        items += page["items"]
        if page["next_after"] is None:
            return items
        after = page["next_after"]


def _submitted(gateway, enterprise) -> str:
    did = _create_draft(gateway, enterprise)["id"]
    resp = gateway.post(f"{DECL}/{did}/submit", headers={**enterprise, **_key()})
    assert resp.status_code == 200, resp.text
    return did


def test_an_endpoint_down_for_a_while_gets_everything_in_order_under_the_same_ids(
    gateway, platform, subscribed, receiver
):
    sub = subscribed(receiver.url)
    assert sub["secret"].startswith("whsec_")
    receiver.secret = sub["secret"]
    receiver.down = True
    enterprise = dev_token(gateway, "enterprise")
    first, second = _submitted(gateway, enterprise), _submitted(gateway, enterprise)
    withdraw(gateway, enterprise, first)
    mine = {first, second}
    subjects = {f"declaration:{did}" for did in mine}  # a delivery's subject

    def retried() -> list[dict] | None:
        items = [
            d
            for d in _deliveries(gateway, platform, sub["id"], state="retrying")
            if d["subject"] in subjects and d["attempts"] >= 2
        ]
        return items or None

    failing = _until("a delivery tried twice and refused", retried, timeout=60)
    assert failing[0]["last_error"] == "HTTP 503"
    receiver.down = False

    expected = {
        first: [
            ("declaration.submitted", None),
            ("case.status_changed", "received"),
            ("declaration.withdrawn", None),
            ("case.status_changed", "withdrawn_by_applicant"),
        ],
        second: [("declaration.submitted", None), ("case.status_changed", "received")],
    }
    _until(
        "all six messages",
        lambda: True if len({m["id"] for m in receiver.of(mine)}) == 6 else None,
        timeout=60,
    )
    assert receiver.bad == 0
    for did, sequence in expected.items():
        # At least once: a message may come twice; the first arrivals keep the subject's order.
        firsts = list({m["id"]: m for m in receiver.of({did})}.values())
        assert [(m["type"], m["data"].get("event")) for m in firsts] == sequence, did
    # None lost: every delivery of these declarations is delivered, and arrived under its id;
    # every refused try was of an id that arrived later (the retries carry the same id).
    listed = [d for d in _deliveries(gateway, platform, sub["id"]) if d["subject"] in subjects]
    assert len(listed) == 6 and {d["state"] for d in listed} == {"delivered"}
    arrived_ids = {m["id"] for m in receiver.of(mine)}
    assert {d["webhook_id"] for d in listed} == arrived_ids
    tried = [t for t in receiver.tries if t in arrived_ids]
    assert tried.count(failing[0]["webhook_id"]) >= 3  # two refused, then accepted
    detail = gateway.get(
        f"{SUBS}/{sub['id']}/deliveries/{failing[0]['delivery_id']}", headers=platform
    )
    assert detail.status_code == 200, detail.text
    log = [a["status_code"] for a in detail.json()["attempt_log"]]
    assert log[:2] == [503, 503] and log[-1] == 204
    assert detail.json()["message"]["id"] == failing[0]["webhook_id"]


def test_an_endpoint_that_never_answers_is_dead_lettered_and_a_replay_delivers(
    gateway, platform, subscribed, receiver
):
    gone = "http://127.0.0.1:9/hooks"  # the discard port: nothing listens
    sub = subscribed(gone, event_types=["declaration.submitted"])
    receiver.secret = sub["secret"]
    did = _submitted(gateway, dev_token(gateway, "enterprise"))

    def dead() -> dict | None:
        letters = [
            d
            for d in _deliveries(gateway, platform, sub["id"], state="dead")
            if d["subject"] == f"declaration:{did}"
        ]
        return letters[0] if letters else None

    letter = _until("the dead letter", dead, timeout=60)
    assert letter["attempts"] == WEBHOOK_MAX_ATTEMPTS and letter["type"] == "declaration.submitted"
    read = gateway.get(f"{SUBS}/{sub['id']}", headers=platform)
    assert read.json()["dead"] >= 1
    moved = gateway.patch(
        f"{SUBS}/{sub['id']}",
        json={"url": receiver.url},
        headers={**platform, "If-Match": read.headers["ETag"]},
    )
    assert moved.status_code == 200, moved.text
    replay = gateway.post(
        f"{SUBS}/{sub['id']}/deliveries/{letter['delivery_id']}/replay",
        headers={**platform, **_key()},
    )
    assert replay.status_code == 200, replay.text
    [message] = _until("the replayed message", lambda: receiver.of({did}) or None)
    assert message["id"] == letter["webhook_id"] and message["type"] == "declaration.submitted"
    assert message["data"]["declaration_id"] == did and receiver.bad == 0
    again = gateway.post(
        f"{SUBS}/{sub['id']}/deliveries/{letter['delivery_id']}/replay",
        headers={**platform, **_key()},
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "webhook_delivery_delivered"


def test_an_official_may_not_subscribe_and_another_province_cannot_see_it(
    gateway, platform, subscribed, receiver
):
    sub = subscribed(receiver.url)
    official = dev_token(gateway, "province")
    refused = gateway.get(SUBS, headers=official)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "webhooks_machine_clients_only"
    shanghai = machine_client(gateway, "province-sh", "上海市数据共享平台（订阅测试）")
    other = gateway.get(f"{SUBS}/{sub['id']}", headers=shanghai)
    assert other.status_code == 404
    assert other.json()["error"]["code"] == "webhook_subscription_not_found"
    outside = gateway.post(
        SUBS,
        json={"url": receiver.url, "event_types": TYPES, "regions": [GULOU]},
        headers={**shanghai, **_key()},
    )
    assert outside.status_code == 422
    assert outside.json()["error"]["code"] == "webhook_region_out_of_reach"


def test_a_revoked_client_s_subscriptions_stop_at_once(gateway, receiver):
    """Revoked at the identity service, the client's subscription is disabled in the review
    service by the event that says so (`identity.client_revoked`), before its last token runs
    out: nothing more is sent to it."""
    official = dev_token(gateway, "province")
    created = gateway.post(
        f"{ID}/v1/clients",
        json={"name": "福建省数据共享平台（吊销测试）", "scopes": ["review:read", "review:write"]},
        headers={**official, **_key()},
    )
    assert created.status_code == 201, created.text
    client = created.json()
    headers = client_token(gateway, client["client_id"], client["client_secret"])
    sub = gateway.post(
        SUBS,
        json={"url": receiver.url, "event_types": TYPES, "regions": [GULOU]},
        headers={**headers, **_key()},
    )
    assert sub.status_code == 201, sub.text
    revoked = gateway.post(
        f"{ID}/v1/clients/{client['client_id']}/revoke",
        headers={**official, "If-Match": client["etag"]},
    )
    assert revoked.status_code == 200, revoked.text

    def disabled():
        read = gateway.get(f"{SUBS}/{sub.json()['id']}", headers=headers)  # the token lives on
        return read.json() if read.json()["status"] == "disabled" else None

    _until("the subscription disabled", disabled)
    receiver.secret = sub.json()["secret"]
    did = _submitted(gateway, dev_token(gateway, "enterprise"))
    county = dev_token(gateway, "county")
    # Once the case is open, its events were fanned out (in the same transaction).
    _until(
        "the case opened",
        lambda: (
            True
            if gateway.get(f"/api/review/v1/cases/{did}", headers=county).status_code == 200
            else None
        ),
    )
    listed = _deliveries(gateway, headers, sub.json()["id"])
    assert [d for d in listed if d["subject"] == f"declaration:{did}"] == []
