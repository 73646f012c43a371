"""The REST reverse proxy: what goes up, what comes back, and what happens when nobody answers."""

from __future__ import annotations

import pytest


def _headers(seen: dict) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in seen["headers"]:
        out.setdefault(name, []).append(value)
    return out


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE"])
async def test_method_path_query_body_and_headers_go_up(gateway, method):
    auth = await gateway.bearer("enterprise")
    body = '{"factory_name": "鼓楼智能装配工厂"}' if method != "GET" else ""

    resp = await gateway.client.request(
        method,
        "/api/declaration/v1/declarations/42?tier=basic&q=%E6%99%BA%E8%83%BD&flag",
        content=body.encode(),
        headers={
            **auth,
            "Content-Type": "application/json",
            "Idempotency-Key": "idem-123",
            "If-Match": '"v6"',
            "X-Request-ID": "req-abc-1",
            "X-Forwarded-For": "203.0.113.9",
            "Connection": "keep-alive, X-Hop",
            "X-Hop": "must-not-pass",
            "Proxy-Authorization": "Basic c2VjcmV0",
            "Keep-Alive": "timeout=5",
        },
    )

    assert resp.status_code == 200, resp.text
    (seen,) = gateway.seen("declaration")
    assert seen["method"] == method
    assert seen["path"] == "/v1/declarations/42"
    assert seen["query"] == "tier=basic&q=%E6%99%BA%E8%83%BD&flag"
    assert seen["body"] == body
    up = _headers(seen)
    assert up["authorization"] == [auth["Authorization"]]
    assert up["idempotency-key"] == ["idem-123"]
    assert up["if-match"] == ['"v6"']
    assert up["content-type"] == ["application/json"]
    assert up["x-request-id"] == ["req-abc-1"]
    # No trusted proxy configured: the peer is the client, whatever the request claims.
    assert up["x-forwarded-for"] == ["127.0.0.1"]
    assert up["x-forwarded-proto"] == ["http"]
    assert up["x-forwarded-prefix"] == ["/api/declaration"]
    assert up["host"] == ["declaration"]
    for hop in ("connection", "keep-alive", "x-hop", "proxy-authorization", "te", "upgrade"):
        assert hop not in up, hop


async def test_status_body_and_headers_come_back(gateway):
    resp = await gateway.client.post(
        "/api/review/v1/recommendations",
        json={"declaration_id": "d-1"},
        headers={**await gateway.bearer("county"), "X-Fake-Status": "201", "X-Request-ID": "rid-9"},
    )

    assert resp.status_code == 201
    assert resp.json()["service"] == "review"
    assert resp.headers["etag"] == '"v7"'
    assert resp.headers["location"] == "/api/review/v1/declarations/42"  # the gateway path
    assert resp.headers["content-type"] == "application/json"
    assert resp.headers["content-disposition"] == 'attachment; filename="declaration.pdf"'
    assert resp.headers.get_list("x-request-id") == ["rid-9"]  # the gateway's, not the upstream's
    assert "keep-alive" not in resp.headers
    assert int(resp.headers["content-length"]) == len(resp.content)


async def test_upstream_error_statuses_pass_through(gateway):
    resp = await gateway.client.put(
        "/api/declaration/v1/declarations/42",
        json={},
        headers={**await gateway.bearer("enterprise"), "X-Fake-Status": "412"},
    )

    assert resp.status_code == 412


async def test_a_private_path_without_a_token_is_401(gateway):
    resp = await gateway.client.get("/api/declaration/v1/declarations")

    assert resp.status_code == 401
    assert resp.json()["error"]["code"] == "unauthenticated"
    assert resp.json()["error"]["details"]["reason"] == "missing_token"
    assert gateway.seen("declaration") == []


@pytest.mark.parametrize(
    "path",
    [
        "/api/declaration/openapi.json",
        "/api/rules/healthz",
        "/api/review/readyz",
        "/api/rules/docs",
        "/api/review/public/announcements?year=2025",
        "/api/declaration/public/verify/91350102MA2Y00001E",
    ],
)
async def test_public_paths_pass_without_a_token(gateway, path):
    service = path.split("/")[2]

    resp = await gateway.client.get(path)

    assert resp.status_code == 200
    (seen,) = gateway.seen(service)
    assert "authorization" not in _headers(seen)


@pytest.mark.parametrize(
    "path",
    [
        "/api/identity/v1/sessions",
        "/api/identity/v1/sessions/refresh",
        "/api/identity/v1/registrations",
        "/api/identity/v1/invitations/accept",
        "/api/identity/v1/password-resets",
        "/api/identity/v1/mfa/totp/confirm",
    ],
)
async def test_identity_entries_pass_without_a_token(gateway, path):
    resp = await gateway.client.post(path, json={"username": "someone"})

    assert resp.status_code == 200
    (seen,) = gateway.seen("identity")
    assert seen["path"] == path.removeprefix("/api/identity")


async def test_the_token_endpoint_takes_basic_client_authentication_through(gateway):
    resp = await gateway.client.post(
        "/api/identity/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=("client-1", "secret"),
    )

    assert resp.status_code == 200
    (seen,) = gateway.seen("identity")
    assert [v.split()[0] for v in _headers(seen)["authorization"]] == ["Basic"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/identity/v1/me",
        "/api/identity/v1/users",
        "/api/identity/v1/clients",
        "/api/declaration/v1/sessions",  # an identity entry, but not of this service
    ],
)
async def test_other_identity_routes_need_a_token(gateway, path):
    resp = await gateway.client.post(path, json={})

    assert resp.status_code == 401
    assert gateway.seen(path.split("/")[2]) == []


async def test_identity_entries_are_rate_limited_per_address(make_settings, start_gateway):
    settings = make_settings(auth_rate_per_minute=2)
    async with start_gateway(settings) as gw:
        codes = [
            (await gw.client.post("/api/identity/v1/sessions", json={})).status_code
            for _ in range(3)
        ]

    assert codes == [200, 200, 429]


@pytest.mark.parametrize(
    "path",
    [
        "/api/review/publications",  # not under public/
        "/api/review/healthz/extra",
        "/api/declaration/v1/public/x",
    ],
)
async def test_paths_that_only_look_public_need_a_token(gateway, path):
    resp = await gateway.client.get(path)

    assert resp.status_code == 401


async def test_dot_segments_cannot_step_out_of_public(gateway):
    resp = await gateway.client.get("/api/declaration/public/%2E%2E/v1/declarations")

    assert resp.status_code == 404
    assert resp.json()["error"]["details"] == {"reason": "dot_segment"}
    assert gateway.seen("declaration") == []


async def test_an_unknown_service_is_404(gateway):
    resp = await gateway.client.get(
        "/api/billing/v1/invoices", headers=await gateway.bearer("ministry")
    )

    assert resp.status_code == 404
    assert resp.json()["error"]["code"] == "not_found"
    assert resp.json()["error"]["details"] == {"service": "billing"}


async def test_an_oversized_body_is_413_before_the_service(make_settings, start_gateway):
    async with start_gateway(make_settings(max_body_bytes=1024)) as gw:
        resp = await gw.client.post(
            "/api/declaration/v1/declarations",
            content=b"x" * 2048,
            headers=await gw.bearer("enterprise"),
        )

        assert resp.status_code == 413
        assert resp.json()["error"]["code"] == "payload_too_large"
        assert gw.seen("declaration") == []


PROMPT_SECONDS = 3.0  # "at once": the test client gives up (ReadTimeout) after this


async def test_a_service_that_is_down_is_503_at_once(make_settings, start_gateway, closed_port):
    settings = make_settings(declaration_url=f"http://127.0.0.1:{closed_port}")
    async with start_gateway(settings, fakes=("rules", "review")) as gw:
        auth = await gw.bearer("enterprise")

        # Bounded by the client: an answer later than 3 s is a ReadTimeout, not a 503.
        resp = await gw.client.get(
            "/api/declaration/v1/declarations", headers=auth, timeout=PROMPT_SECONDS
        )

    assert resp.status_code == 503
    assert resp.json()["error"]["code"] == "service_unavailable"
    assert resp.json()["error"]["details"] == {"service": "declaration"}


async def test_a_service_that_does_not_answer_is_504(make_settings, start_gateway, silent_port):
    settings = make_settings(
        review_url=f"http://127.0.0.1:{silent_port}", upstream_read_timeout=0.3
    )
    async with start_gateway(settings, fakes=("declaration", "rules")) as gw:
        auth = await gw.bearer("county")

        resp = await gw.client.get("/api/review/v1/inbox", headers=auth, timeout=PROMPT_SECONDS)

    assert resp.status_code == 504
    assert resp.json()["error"]["code"] == "upstream_timeout"
    assert resp.json()["error"]["details"] == {"service": "review"}


async def test_the_gateway_documents_its_own_routes_and_not_the_proxy(gateway):
    """The proxy is no FastAPI route (`ladder.gateway.proxy.install`): neither the gateway's
    own document nor the whole API's at /openapi.json (`ladder.gateway.openapi`) has its
    catch-all; the services' operations are there under /api/<service>/ instead."""
    resp = await gateway.client.get("/openapi.json")

    assert resp.status_code == 200
    assert {"/.well-known/jwks.json", "/graphql"} <= set(resp.json()["paths"])
    assert "/api/{service}/{path}" not in resp.json()["paths"]
    paths = gateway.app.openapi()["paths"]
    assert {"/.well-known/jwks.json", "/graphql"} <= set(paths)
    assert [p for p in paths if p.startswith("/api/")] == []


async def test_anonymous_public_writes_are_rate_limited(gateway):
    """Objections to a 公示 come without a token; beyond the per-IP rate the gateway answers
    429 before the service sees them. Reads stay free."""
    limit = gateway.app.state.settings.public_write_rate_per_minute
    path = "/api/review/public/v1/publicity/2025/excellence/objections"
    for _ in range(limit):
        assert (await gateway.client.post(path, json={})).status_code == 200
    refused = await gateway.client.post(path, json={})
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) >= 1
    assert len(gateway.seen("review")) == limit
    assert (await gateway.client.get("/api/review/public/announcements")).status_code == 200
