"""Liveness, readiness (keys required, upstreams reported), and the request id."""

from __future__ import annotations


async def test_healthz(gateway):
    resp = await gateway.client.get("/healthz")

    assert resp.status_code == 200
    assert resp.json() == {"status": "ok"}


async def test_ready_with_keys_even_when_an_upstream_is_down(
    make_settings, start_gateway, closed_port
):
    settings = make_settings(rules_url=f"http://127.0.0.1:{closed_port}")
    async with start_gateway(settings, fakes=("declaration", "review", "identity")) as gw:
        resp = await gw.client.get("/readyz")

    assert resp.status_code == 200
    assert resp.json() == {
        "status": "ready",
        "checks": {"signing_key": "ok", "jwks": "ok"},
        "upstreams": {
            "declaration": "ok",
            "rules": "unreachable",
            "review": "ok",
            "identity": "ok",
        },
    }


async def test_not_ready_when_the_external_jwks_is_unreachable(
    make_settings, start_gateway, closed_port
):
    settings = make_settings(
        jwt_private_key_file=None, external_jwks_url=f"http://127.0.0.1:{closed_port}/jwks"
    )
    async with start_gateway(settings) as gw:
        resp = await gw.client.get("/readyz")

    assert resp.status_code == 503
    assert resp.json()["status"] == "not_ready"
    assert resp.json()["checks"] == {"jwks": "failed"}


async def test_every_answer_carries_a_request_id(gateway):
    given = await gateway.client.get("/healthz", headers={"X-Request-ID": "probe-1"})
    made = await gateway.client.get("/nowhere")

    assert given.headers["x-request-id"] == "probe-1"
    assert made.status_code == 404
    assert made.json()["error"]["code"] == "not_found"
    assert len(made.headers["x-request-id"]) == 32
