"""A browser app on the dev portal's origin calling Ladder through the real processes (issue
17): CORS preflights answered by the gateway without a token, answers (errors too) readable
by that origin only, and Accept-Language choosing the language of a service's errors."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import dev_token

pytestmark = pytest.mark.crossservice

PORTAL = "http://localhost:5173"  # a dev portal origin (the stacks run in dev)
DECLARATIONS = "/api/declaration/v1/declarations"


def _preflight(origin: str, headers: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": headers,
    }


def _names(value: str) -> set[str]:
    return {v.strip().lower() for v in value.split(",") if v.strip()}


def _cors(resp: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in resp.headers.items() if k.startswith("access-control-")}


def test_a_preflight_from_the_portal_and_from_elsewhere(gateway: httpx.Client) -> None:
    asked = "authorization, content-type, idempotency-key, accept-language"
    allowed = gateway.options(DECLARATIONS, headers=_preflight(PORTAL, asked))
    assert allowed.status_code == 204, allowed.text
    assert allowed.headers["access-control-allow-origin"] == PORTAL
    assert "post" in _names(allowed.headers["access-control-allow-methods"])
    assert _names(asked) <= _names(allowed.headers["access-control-allow-headers"])
    assert int(allowed.headers["access-control-max-age"]) > 0
    assert "origin" in _names(allowed.headers["vary"])

    graphql = gateway.options("/graphql", headers=_preflight(PORTAL, "content-type"))
    assert graphql.status_code == 204  # was 405 before the gateway spoke CORS

    elsewhere = gateway.options(DECLARATIONS, headers=_preflight("https://evil.example", asked))
    assert elsewhere.status_code == 403
    assert _cors(elsewhere) == {}
    assert elsewhere.json()["error"]["code"] == "cors_refused"


def test_the_portal_reads_answers_and_errors(gateway: httpx.Client) -> None:
    county = dev_token(gateway, "county")
    me = gateway.post(
        "/graphql",
        json={"query": "{ me { __typename ... on Viewer { role region } } }"},
        headers={**county, "Origin": PORTAL},
    )
    assert me.status_code == 200, me.text
    assert me.json()["data"]["me"] == {"__typename": "Viewer", "role": "county", "region": "350102"}
    assert me.headers["access-control-allow-origin"] == PORTAL

    inbox = gateway.get("/api/review/v1/inbox", headers={**county, "Origin": PORTAL})
    assert inbox.status_code == 200, inbox.text
    assert inbox.headers["access-control-allow-origin"] == PORTAL
    assert {"x-request-id", "etag", "retry-after"} <= _names(
        inbox.headers["access-control-expose-headers"]
    )

    unsigned = gateway.get(DECLARATIONS, headers={"Origin": PORTAL})
    assert unsigned.status_code == 401
    assert unsigned.headers["access-control-allow-origin"] == PORTAL
    assert unsigned.json()["error"]["code"] == "unauthenticated"

    other = gateway.get(
        "/api/review/v1/inbox", headers={**county, "Origin": "https://evil.example"}
    )
    assert other.status_code == 200
    assert _cors(other) == {}


@pytest.mark.parametrize(
    ("accept_language", "language"),
    [
        (None, "zh-CN"),
        ("en", "en"),
        ("en-US,en;q=0.9", "en"),
        ("zh-CN;q=0.5,en;q=0.8", "en"),
        ("ja-JP", "zh-CN"),
    ],
)
def test_a_service_s_error_in_the_language_asked_for(
    gateway: httpx.Client, accept_language: str | None, language: str
) -> None:
    county = dev_token(gateway, "county")
    asked = {"Accept-Language": accept_language} if accept_language else {}
    resp = gateway.get(
        "/api/rules/v1/campaigns/2025/quotas",
        params={"tier": "no-such-tier", "unit": "350000"},
        headers={**county, **asked, "Origin": PORTAL},
    )
    assert resp.status_code == 422, resp.text
    assert resp.headers["content-language"] == language
    assert {"accept-language", "origin"} <= _names(resp.headers["vary"])
    assert resp.headers["access-control-allow-origin"] == PORTAL
    error = resp.json()["error"]
    assert error["code"] == "validation_error"
    [field] = [f for f in error["details"]["fields"] if f["field"] == "tier"]
    for said in (error, field):
        assert said["message_en"].isascii()
        if language == "en":
            assert said["message"] == said["message_en"]
        else:
            assert not said["message"].isascii()
