"""The issuer: JWKS, demo users and dev tokens, rate limits (no client credentials)."""

from __future__ import annotations

import httpx
import pytest

from ladder.gateway.auth.service import demo_users
from ladder.gateway.ratelimit import TokenBucketLimiter
from ladder.kit.auth import Role

REQUIRED_DEMO_USERS = {
    "enterprise": ("enterprise", "91350102MA2Y00001E", "350102"),
    "enterprise-sh": ("enterprise", "91310115MA1H000024", "310115"),
    "county": ("county", None, "350102"),
    "county-other": ("county", None, "350103"),
    "city": ("city", None, "350100"),
    "city-pingtan": ("city", None, "350128"),  # 平潭综合实验区: a city-level unit (units.yaml)
    "province": ("province", None, "350000"),
    "province-sh": ("province", None, "310000"),
    "central-soe": ("central_soe_hq", "91110000100000007F", None),
    "enterprise-soe": ("enterprise", "91350105MA2Y000030", "350105"),
    "county-sh": ("county", None, "310115"),
    "xpcc": ("province", None, "xpcc"),
    "ministry": ("ministry", None, None),
    "expert": ("expert", None, None),
    "public": ("public", None, None),
}


async def test_jwks_publishes_only_the_public_key(gateway):
    resp = await gateway.client.get("/.well-known/jwks.json")

    assert resp.status_code == 200
    (key,) = resp.json()["keys"]
    assert key["kty"] == "RSA"
    assert key["alg"] == "RS256"
    assert key["use"] == "sig"
    assert key["kid"] == gateway.app.state.signing_key.kid
    assert key["n"] and key["e"]
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key)


async def test_the_gateway_issues_no_client_credentials(gateway):
    """Service and machine tokens come from the identity service's /oauth/token (issue 15):
    the gateway holds no client secret, and its old /auth/token is gone."""
    resp = await gateway.client.post(
        "/auth/token",
        data={"grant_type": "client_credentials", "client_id": "declaration", "client_secret": "x"},
    )

    assert resp.status_code == 404
    assert "access_token" not in resp.text


async def test_demo_users_are_listed_without_secrets(gateway):
    resp = await gateway.client.get("/auth/demo-users")

    assert resp.status_code == 200
    listed = {u["username"]: u for u in resp.json()}
    assert set(REQUIRED_DEMO_USERS) <= set(listed)
    for username, (role, org, region) in REQUIRED_DEMO_USERS.items():
        user = listed[username]
        assert (user["role"], user["org"], user["region"]) == (role, org, region), username
        assert user["name"] and not user["name"].isascii(), "display names are Chinese"
        assert set(user) == {"username", "sub", "role", "name", "org", "region"}
    assert {u["role"] for u in listed.values()} >= {r.value for r in Role} - {"service"}


@pytest.mark.parametrize("username", sorted(demo_users()))
async def test_dev_token_carries_the_demo_user(gateway, username):
    user = demo_users()[username]

    token = await gateway.dev_token(username)

    verifier = gateway.verifier()
    try:
        principal = await verifier.verify(token)
    finally:
        await verifier.aclose()
    assert principal.sub == user.sub
    assert principal.role is user.role
    assert principal.name == user.name
    assert principal.org == user.org
    assert principal.region == user.region


async def test_dev_token_for_an_unknown_user_is_404(gateway):
    resp = await gateway.client.post("/auth/dev-token", json={"username": "nobody"})

    assert resp.status_code == 404
    assert resp.json()["error"]["details"] == {"username": "nobody"}


async def test_production_has_no_demo_users_but_publishes_its_keys(production_gateway):
    client = production_gateway.client

    listed = await client.get("/auth/demo-users")
    dev = await client.post("/auth/dev-token", json={"username": "province"})
    jwks = await client.get("/.well-known/jwks.json")

    assert listed.status_code == 404
    assert listed.json()["error"]["code"] == "not_found"
    assert dev.status_code == 404
    assert jwks.status_code == 200


async def test_auth_endpoints_are_rate_limited_per_client_ip(make_settings, start_gateway):
    async with start_gateway(make_settings(auth_rate_per_minute=3)) as gw:
        answers = [(await gw.client.get("/auth/demo-users")).status_code for _ in range(4)]
        limited = await gw.client.post("/auth/dev-token", json={"username": "county"})
        other_ip = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=gw.app, client=("10.0.0.9", 4000)),
            base_url="http://gateway",
        )
        async with other_ip:
            elsewhere = await other_ip.get("/auth/demo-users")
        jwks = await gw.client.get("/.well-known/jwks.json")

    assert answers == [200, 200, 200, 429]
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "rate_limited"
    assert int(limited.headers["retry-after"]) >= 1
    assert elsewhere.status_code == 200
    assert jwks.status_code == 200  # not under /auth/


def test_token_bucket_refills_at_the_configured_rate():
    now = [0.0]
    limiter = TokenBucketLimiter(per_minute=2, clock=lambda: now[0])

    assert limiter.take("a") is None
    assert limiter.take("a") is None
    wait = limiter.take("a")
    assert wait == pytest.approx(30.0)
    now[0] = 29.0
    assert limiter.take("a") is not None
    now[0] = 30.5
    assert limiter.take("a") is None


def test_token_bucket_evicts_the_least_recently_used_client_when_full():
    """Full, the table drops one bucket — the least recently used — never all of them (which
    handed every limited client a fresh bucket)."""
    now = [0.0]
    limiter = TokenBucketLimiter(per_minute=1, max_clients=2, clock=lambda: now[0])
    limiter.take("a")
    limiter.take("b")
    assert limiter.take("a") is not None  # a is limited, and now the most recently used

    assert limiter.take("c") is None
    assert len(limiter) == 2
    assert "b" not in limiter
    assert limiter.take("a") is not None  # still limited: its bucket was kept
