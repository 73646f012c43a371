"""Webhook subscriptions end to end in the review service: a machine client subscribes, cases
move, signed messages reach a real HTTP receiver (aiohttp, on a free port) that verifies them
with the `standardwebhooks` library — in order per declaration, the same `webhook-id` on every
retry, dead-lettered after the bound and delivered by a replay — and only within the client's
jurisdiction."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aiohttp import web
from review_stand_ins import stand_in_declaration
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from ladder.contracts import contract_for
from ladder.contracts.declaration import DECLARATION_WITHDRAWN
from ladder.contracts.identity import CLIENT_REVOKED
from ladder.kit.testing import event_envelope, running, settings_for_tests, wire_peer
from ladder.review.main import create_app
from ladder.review.settings import Settings

SUBS = "/v1/webhooks/subscriptions"
FUJIAN = "350000"
GULOU = "350102"
TYPES = ["declaration.submitted", "declaration.withdrawn", "case.status_changed"]


class Receiver:
    """An outside platform's endpoint: verifies every request with `standardwebhooks`;
    answers 503 while `down`."""

    def __init__(self) -> None:
        self.secret = ""
        self.down = False
        self.got: list[dict[str, Any]] = []
        self.ids: list[str] = []
        self.bad = 0
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        self.ids.append(request.headers["webhook-id"])
        try:
            body = Webhook(self.secret).verify(raw, dict(request.headers))
        except WebhookVerificationError:
            self.bad += 1
            return web.Response(status=400)
        if self.down:
            return web.Response(status=503)
        self.got.append(body)
        return web.Response(status=204)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hooks", self.handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/hooks"

    async def stop(self) -> None:
        assert self._runner is not None
        await self._runner.cleanup()


@pytest.fixture
async def hooked(clean_db: str, issuer) -> AsyncIterator[httpx.AsyncClient]:
    settings = settings_for_tests(
        Settings,
        clean_db,
        webhook_max_attempts=4,
        webhook_max_backoff_seconds=0.3,
        outbox_poll_seconds=0.05,
    )
    app = create_app(settings)
    async with running(app, issuer) as c:
        wire_peer(app, "declaration", stand_in_declaration({}), issuer, "review")
        yield c


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    r = Receiver()
    await r.start()
    yield r
    await r.stop()


def client_headers(issuer, region: str = FUJIAN, name: str = "fj") -> dict[str, str]:
    """A machine client's token: a province's jurisdiction and review scopes."""
    return issuer.headers(
        "province", sub=f"client:{name}", region=region, scope="review:read review:write"
    )


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def subscribe(c: httpx.AsyncClient, headers: dict[str, str], url: str, **more: Any) -> dict:
    resp = await c.post(
        SUBS, json={"url": url, "event_types": TYPES, **more}, headers={**headers, **key()}
    )
    assert resp.status_code == 201, resp.text
    return resp.json()


async def until(what: str, probe, timeout: float = 20.0):
    for _ in range(int(timeout / 0.05)):
        if (found := await probe()) is not None:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def deliveries(c, headers, sub_id: str, **query: str) -> list[dict]:
    resp = await c.get(f"{SUBS}/{sub_id}/deliveries", params=query, headers=headers)
    assert resp.status_code == 200, resp.text
    return resp.json()["items"]


async def test_messages_are_signed_kept_in_order_and_retried_with_the_same_id(
    hooked, issuer, receiver, make_event, deliver
):
    fj = client_headers(issuer)
    sub = await subscribe(hooked, fj, receiver.url)
    receiver.secret = sub["secret"]
    assert sub["secret"].startswith("whsec_")
    receiver.down = True  # the platform is down for a while
    events = [make_event(region_code=GULOU) for _ in range(2)]
    for e in events:
        assert (await deliver(e)).status_code == 200
    withdrawn = {
        **events[0],
        "event_id": str(uuid.uuid4()),
        "topic": DECLARATION_WITHDRAWN,
        "payload": {
            **contract_for(DECLARATION_WITHDRAWN).example.model_dump(mode="json"),
            "declaration_id": events[0]["payload"]["declaration_id"],
        },
    }
    assert (await deliver(withdrawn)).status_code == 200

    async def retried():
        items = await deliveries(hooked, fj, sub["id"], state="retrying")
        return items or None

    failing = await until("a delivery retried", retried)
    assert failing[0]["attempts"] >= 1 and failing[0]["last_error"] == "HTTP 503"
    receiver.down = False

    async def all_in():
        return True if len(receiver.got) == 6 else None

    await until("all six messages", all_in)
    assert receiver.bad == 0
    first = events[0]["payload"]["declaration_id"]
    mine = [(m["type"], m["data"].get("event")) for m in receiver.got
            if m["data"]["declaration_id"] == first]  # fmt: skip
    assert mine == [
        ("declaration.submitted", None),
        ("case.status_changed", "received"),
        ("declaration.withdrawn", None),
        ("case.status_changed", "withdrawn_by_applicant"),
    ]
    # Every failed try was retried under its id; each message arrived once.
    got_ids = [m["id"] for m in receiver.got]
    assert len(set(got_ids)) == 6 and set(receiver.ids) == set(got_ids)
    detail = await hooked.get(
        f"{SUBS}/{sub['id']}/deliveries/{failing[0]['delivery_id']}", headers=fj
    )
    log = detail.json()["attempt_log"]
    assert [a["status_code"] for a in log][-1] == 204 and 503 in [a["status_code"] for a in log]


async def test_a_receiver_that_never_recovers_is_dead_lettered_then_replayed(
    hooked, issuer, receiver, make_event, deliver
):
    fj = client_headers(issuer)
    gone = "http://127.0.0.1:9/hooks"  # nothing listens there
    sub = await subscribe(hooked, fj, gone, event_types=["declaration.submitted"])
    receiver.secret = sub["secret"]
    await deliver(make_event(region_code=GULOU))

    async def dead():
        return await deliveries(hooked, fj, sub["id"], state="dead") or None

    [letter] = await until("the dead letter", dead)
    assert letter["attempts"] == 4  # the bound
    assert receiver.got == []
    read = await hooked.get(f"{SUBS}/{sub['id']}", headers=fj)
    assert read.json()["dead"] == 1
    moved = await hooked.patch(
        f"{SUBS}/{sub['id']}",
        json={"url": receiver.url},
        headers={**fj, "If-Match": read.headers["ETag"]},
    )
    assert moved.status_code == 200, moved.text
    replay = await hooked.post(f"{SUBS}/{sub['id']}/deliveries/replay", headers={**fj, **key()})
    assert replay.json() == {"replayed": 1}

    async def arrived():
        return receiver.got or None

    [message] = await until("the replayed message", arrived)
    assert message["id"] == letter["webhook_id"] and message["type"] == "declaration.submitted"
    again = await hooked.post(
        f"{SUBS}/{sub['id']}/deliveries/{letter['delivery_id']}/replay", headers={**fj, **key()}
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == (
        "webhook_delivery_delivered"
    )


async def test_a_paused_subscription_holds_what_was_queued_until_it_is_resumed(
    hooked, issuer, receiver, make_event, deliver
):
    fj = client_headers(issuer)
    sub = await subscribe(hooked, fj, receiver.url, event_types=["declaration.submitted"])
    receiver.secret = sub["secret"]
    receiver.down = True
    events = [make_event(region_code=GULOU) for _ in range(2)]
    for e in events:
        assert (await deliver(e)).status_code == 200

    async def retried():
        return await deliveries(hooked, fj, sub["id"], state="retrying") or None

    await until("a delivery refused", retried)
    read = await hooked.get(f"{SUBS}/{sub['id']}", headers=fj)
    paused = await hooked.patch(
        f"{SUBS}/{sub['id']}",
        json={"status": "paused"},
        headers={**fj, "If-Match": read.headers["ETag"]},
    )
    assert paused.status_code == 200, paused.text
    await asyncio.sleep(0.5)  # let a pass that was under way end
    receiver.down = False
    before = {d["delivery_id"]: d["attempts"] for d in await deliveries(hooked, fj, sub["id"])}
    tries = len(receiver.ids)
    await asyncio.sleep(1.5)  # several relay passes and backoffs of the schedule (0.3 s)
    assert receiver.got == [] and len(receiver.ids) == tries  # nothing was sent
    held = await deliveries(hooked, fj, sub["id"])
    assert {d["delivery_id"]: d["attempts"] for d in held} == before  # nor counted
    assert all(d["state"] in ("pending", "retrying") for d in held)
    resumed = await hooked.patch(
        f"{SUBS}/{sub['id']}",
        json={"status": "active"},
        headers={**fj, "If-Match": paused.headers["ETag"]},
    )
    assert resumed.status_code == 200, resumed.text

    async def both():
        return receiver.got if len(receiver.got) == 2 else None

    got = await until("both held messages", both, timeout=5.0)
    assert {m["data"]["declaration_id"] for m in got} == {
        e["payload"]["declaration_id"] for e in events
    }


async def test_a_revoked_client_s_subscriptions_are_disabled_and_send_nothing_more(
    hooked, issuer, receiver, make_event, deliver
):
    fj, fj2 = client_headers(issuer), client_headers(issuer, name="fj2")
    sub = await subscribe(hooked, fj, receiver.url, event_types=["declaration.submitted"])
    other = await subscribe(hooked, fj2, receiver.url, event_types=["declaration.submitted"])
    receiver.secret = sub["secret"]
    receiver.down = True
    assert (await deliver(make_event(region_code=GULOU))).status_code == 200

    async def retried():
        return await deliveries(hooked, fj, sub["id"], state="retrying") or None

    await until("a delivery refused", retried)
    revoked = contract_for(CLIENT_REVOKED).example.model_copy(
        update={"client_id": "fj", "subject": "client:fj"}
    )
    told = await hooked.post(
        "/internal/events",
        json=event_envelope(CLIENT_REVOKED, revoked, source="identity"),
        headers=issuer.service_headers("identity"),
    )
    assert told.status_code == 200, told.text
    read = await hooked.get(f"{SUBS}/{sub['id']}", headers=fj)
    assert read.json()["status"] == "disabled"
    assert (await hooked.get(f"{SUBS}/{other['id']}", headers=fj2)).json()["status"] == "active"
    receiver.down = False

    async def dead():
        return await deliveries(hooked, fj, sub["id"], state="dead") or None

    [letter] = await until("what waited dead-lettered", dead)
    assert letter["last_error"] == "the subscription is disabled or deleted"
    assert not [m for m in receiver.got if m["id"] == letter["webhook_id"]]


async def test_another_province_gets_nothing_and_cannot_see_the_subscription(
    hooked, issuer, receiver, make_event, deliver
):
    fj = client_headers(issuer)
    sh = client_headers(issuer, region="310000", name="sh")
    fuzhou_only = await subscribe(hooked, fj, receiver.url, regions=["350100"])
    shanghai = await subscribe(hooked, sh, receiver.url)
    await deliver(make_event(region_code=GULOU))
    await asyncio.sleep(1.0)
    assert await deliveries(hooked, sh, shanghai["id"]) == []
    assert len(await deliveries(hooked, fj, fuzhou_only["id"])) == 2
    other = await hooked.get(f"{SUBS}/{fuzhou_only['id']}", headers=sh)
    assert other.status_code == 404
    assert other.json()["error"]["code"] == "webhook_subscription_not_found"
    outside = await hooked.post(
        SUBS,
        json={"url": receiver.url, "event_types": TYPES, "regions": ["310100"]},
        headers={**fj, **key()},
    )
    assert outside.status_code == 422
    assert outside.json()["error"]["code"] == "webhook_region_out_of_reach"


async def test_people_are_refused_and_the_secret_is_not_kept_for_a_replayed_key(
    hooked, issuer, receiver
):
    person = issuer.headers("province", region=FUJIAN)
    refused = await hooked.get(SUBS, headers=person)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "webhooks_machine_clients_only"
    fj = client_headers(issuer)
    body = {"url": receiver.url, "event_types": TYPES}
    same = key()
    first = await hooked.post(SUBS, json=body, headers={**fj, **same})
    second = await hooked.post(SUBS, json=body, headers={**fj, **same})
    assert first.json()["secret"] and second.json()["secret"] is None
    assert first.json()["id"] == second.json()["id"]
    types = await hooked.get("/v1/webhooks/event-types", headers=person)
    assert {"declaration.submitted", "cultivation.expired"} <= {t["type"] for t in types.json()}


@pytest.mark.parametrize("value", [2**63, 10**30, -(2**63) - 1])
async def test_out_of_range_delivery_ids_and_cursors_are_422(hooked, issuer, receiver, value):
    """The bounds the hostile-input suite cannot send (its world has no machine client)."""
    fj = client_headers(issuer)
    sub = await subscribe(hooked, fj, receiver.url)
    base = f"{SUBS}/{sub['id']}/deliveries"
    for method, url, params, extra in (
        ("GET", SUBS, {"page": str(value)}, {}),
        ("GET", SUBS, {"page_size": str(value)}, {}),
        ("GET", base, {"after": str(value)}, {}),
        ("GET", f"{base}/{value}", {}, {}),
        ("POST", f"{base}/{value}/replay", {}, key()),
    ):
        resp = await hooked.request(method, url, params=params, headers={**fj, **extra})
        assert resp.status_code == 422, (method, url, resp.text)
        assert resp.json()["error"]["code"] == "validation_error"
