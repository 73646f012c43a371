"""What the public door refuses since it was tried as an attacker would (issue 11): internal
routes, URLs a client library rewrites, redirects that leak addresses, documents in production,
spoofed forwarding headers, and tokens that used to lift the public write limit."""

from __future__ import annotations

import httpx
import pytest


def headers_of(seen: dict) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in seen["headers"]:
        out.setdefault(name, []).append(value)
    return out


OBJECTIONS = "/api/review/public/v1/publicity/2025/excellence/objections"


@pytest.mark.parametrize(
    "path",
    [
        "/api/declaration/internal/events",
        "/api/review/internal/events/batch",
        "/api/review/internal/clock",
        "/api/review/Internal/clock",
        "/api/review/internal/cultivations/sweep",
    ],
)
async def test_internal_routes_are_not_proxied(gateway, path):
    """Service-to-service routes (events, the dev clock, sweeps) are not reachable through the
    public door, whoever asks: a forged `review.status_changed` came in this way."""
    resp = await gateway.client.post(path, json={}, headers=await gateway.bearer("ministry"))

    assert resp.status_code == 404
    assert resp.json()["error"]["details"] == {"reason": "internal_route"}
    assert gateway.seen(path.split("/")[2]) == []


@pytest.mark.parametrize(
    "path", ["/api/declaration//v1/declarations", "/api/declaration/v1//declarations"]
)
async def test_empty_path_segments_are_404_not_500(gateway, path):
    resp = await gateway.client.get(path, headers=await gateway.bearer("enterprise"))

    assert resp.status_code == 404
    assert resp.json()["error"]["details"] == {"reason": "empty_segment"}


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("http://declaration/v1/declarations", "/api/declaration/v1/declarations"),
        ("http://declaration/v1/x?page=2", "/api/declaration/v1/x?page=2"),
        ("/v1/declarations/42", "/api/declaration/v1/declarations/42"),
        ("http://10.1.2.3:8001/v1/declarations", "/"),
        ("//evil.example/x", "/"),
    ],
)
async def test_redirects_never_name_a_service_address(
    make_settings, start_gateway, location, expected
):
    async with start_gateway(make_settings()) as gw:
        gw.upstreams["declaration"].state.location = location
        resp = await gw.client.get(
            "/api/declaration/v1/redirect", headers={**await gw.bearer("enterprise")}
        )

    assert resp.headers["location"] == expected


async def test_the_gateway_does_not_redirect_with_the_clients_host(gateway):
    resp = await gateway.client.post(
        "/graphql/", json={"query": "{ me { __typename } }"}, headers={"Host": "evil.example"}
    )

    assert resp.status_code == 404
    assert "location" not in resp.headers
    assert "evil.example" not in resp.text


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/openapi.json"])
async def test_production_serves_no_documents_without_a_token(production_gateway, path):
    resp = await production_gateway.client.get(path)

    assert resp.status_code in (401, 404)
    assert "swagger" not in resp.text.lower()


async def test_production_gateway_openapi_needs_a_token(production_gateway):
    client = production_gateway.client
    settings = production_gateway.app.state.settings
    token = production_gateway.app.state.signing_key.mint(
        {"sub": "service:review", "role": "service", "name": "review"},
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        ttl_seconds=300,
    )

    resp = await client.get("/openapi.json", headers={"Authorization": f"Bearer {token}"})

    assert resp.status_code == 200
    assert "/graphql" in resp.json()["paths"]


@pytest.mark.parametrize("path", ["/api/declaration/openapi.json", "/api/rules/docs"])
async def test_production_service_documents_need_a_token(production_gateway, path):
    resp = await production_gateway.client.get(path)

    assert resp.status_code == 401
    assert production_gateway.seen(path.split("/")[2]) == []


async def test_dev_service_documents_are_public(gateway):
    resp = await gateway.client.get("/api/rules/redoc")

    assert resp.status_code == 200


async def test_a_spoofed_forwarded_for_does_not_reset_the_public_write_limit(gateway):
    """Every request names another X-Forwarded-For: the limit still counts the real peer."""
    limit = gateway.app.state.settings.public_write_rate_per_minute
    answers = [
        (
            await gateway.client.post(
                OBJECTIONS, json={}, headers={"X-Forwarded-For": f"198.51.100.{i}"}
            )
        ).status_code
        for i in range(limit + 1)
    ]

    assert answers[:limit] == [200] * limit
    assert answers[limit] == 429
    (first, *_) = gateway.seen("review")
    assert headers_of(first)["x-forwarded-for"] == ["127.0.0.1"]


async def test_a_token_does_not_lift_the_public_write_limit(gateway):
    limit = gateway.app.state.settings.public_write_rate_per_minute
    auth = await gateway.bearer("public")
    answers = [
        (await gateway.client.post(OBJECTIONS, json={}, headers=auth)).status_code
        for _ in range(limit + 1)
    ]

    assert answers[-1] == 429


async def test_one_principal_is_limited_across_addresses(gateway):
    """A token holder who changes address keeps their bucket."""
    limit = gateway.app.state.settings.public_write_rate_per_minute
    auth = await gateway.bearer("public")
    answers = []
    for i in range(limit + 1):
        transport = httpx.ASGITransport(app=gateway.app, client=(f"10.0.0.{i + 1}", 4000))
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as c:
            answers.append((await c.post(OBJECTIONS, json={}, headers=auth)).status_code)

    assert answers[:limit] == [200] * limit
    assert answers[limit] == 429


async def test_forwarded_for_is_believed_across_trusted_proxies_only(make_settings, start_gateway):
    """Behind a configured proxy the right-most untrusted hop is the client: a client that
    writes its own X-Forwarded-For only adds hops to the left of the one the proxy saw."""
    settings = make_settings(trusted_proxies=["127.0.0.1/32", "10.0.0.0/8"])
    async with start_gateway(settings) as gw:
        await gw.client.get(
            "/api/rules/healthz", headers={"X-Forwarded-For": "1.2.3.4, 203.0.113.7, 10.0.0.5"}
        )
        (seen,) = gw.seen("rules")

    assert headers_of(seen)["x-forwarded-for"] == ["203.0.113.7"]


async def test_auth_limit_counts_the_client_behind_the_trusted_proxy(make_settings, start_gateway):
    settings = make_settings(trusted_proxies=["127.0.0.1"], auth_rate_per_minute=2)
    async with start_gateway(settings) as gw:

        async def demo_users(client_ip: str) -> int:
            headers = {"X-Forwarded-For": client_ip}
            return (await gw.client.get("/auth/demo-users", headers=headers)).status_code

        first = [await demo_users("203.0.113.1") for _ in range(3)]
        other = await demo_users("203.0.113.2")

    assert first == [200, 200, 429]
    assert other == 200


def test_trusted_proxies_must_be_addresses(make_settings):
    with pytest.raises(ValueError, match="not-an-ip"):
        make_settings(trusted_proxies=["not-an-ip"])
