"""CORS at the gateway, as a browser on another origin sees it (ladder.gateway.cors): the
preflight answered without a token, the answers (errors too) readable by an allowed origin
only, and the allow-list from the settings."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from ladder.gateway.cors import CorsMiddleware
from ladder.gateway.settings import DEV_CORS_ORIGINS

PORTAL = "http://localhost:5173"  # one of the dev portal's origins
OTHER = "https://elsewhere.example"
ALLOWED_HEADERS = {
    "authorization",
    "content-type",
    "idempotency-key",
    "if-match",
    "if-none-match",
    "accept-language",
    "x-request-id",
}
EXPOSED = {
    "etag",
    "location",
    "retry-after",
    "x-request-id",
    "content-disposition",
    "content-language",
}


def _preflight(origin: str, method: str = "POST", headers: str | None = None) -> dict[str, str]:
    sent = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers is not None:
        sent["Access-Control-Request-Headers"] = headers
    return sent


def _names(value: str) -> set[str]:
    return {v.strip().lower() for v in value.split(",") if v.strip()}


def _cors_headers(resp: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in resp.headers.items() if k.startswith("access-control-")}


@pytest.mark.parametrize(
    "path", ["/api/declaration/v1/declarations", "/graphql", "/api/review/v1/inbox"]
)
async def test_a_preflight_from_an_allowed_origin_is_204_without_a_token(gateway, path):
    asked = "authorization, content-type, idempotency-key, if-match, accept-language"
    resp = await gateway.client.options(path, headers=_preflight(PORTAL, "POST", asked))
    assert resp.status_code == 204, resp.text
    assert resp.content == b""
    assert resp.headers["access-control-allow-origin"] == PORTAL
    assert _names(resp.headers["access-control-allow-methods"]) >= {
        "get", "head", "post", "put", "patch", "delete"
    }  # fmt: skip
    assert _names(resp.headers["access-control-allow-headers"]) >= ALLOWED_HEADERS
    assert int(resp.headers["access-control-max-age"]) > 0
    assert "access-control-allow-credentials" not in resp.headers  # bearer tokens, no cookies
    assert "origin" in _names(resp.headers["vary"])
    # Answered at the door: no service saw it.
    assert all(not gateway.seen(name) for name in gateway.upstreams)


async def test_every_allowed_request_header_passes_the_preflight(gateway):
    asked = ", ".join(sorted(ALLOWED_HEADERS)).upper()
    resp = await gateway.client.options(
        "/api/rules/v1/evaluations", headers=_preflight(PORTAL, "PATCH", asked)
    )
    assert resp.status_code == 204, resp.text


@pytest.mark.parametrize(
    ("sent", "reason"),
    [
        (_preflight(OTHER), "origin_not_allowed"),
        (_preflight("null"), "origin_not_allowed"),
        (_preflight(PORTAL + "/"), "origin_not_allowed"),  # not an origin as browsers send it
        (_preflight("http://localhost:5174"), "origin_not_allowed"),
        (_preflight(PORTAL, "TRACE"), "method_not_allowed"),
        (_preflight(PORTAL, "patch"), "method_not_allowed"),  # browsers send PATCH as written
        (_preflight(PORTAL, "POST", "content-type, x-secret-header"), "header_not_allowed"),
    ],
)
async def test_a_preflight_not_allowed_gets_no_cors_headers(gateway, sent, reason):
    resp = await gateway.client.options("/api/declaration/v1/declarations", headers=sent)
    assert resp.status_code == 403, resp.text
    assert _cors_headers(resp) == {}
    error = resp.json()["error"]
    assert (error["code"], error["details"]["reason"]) == ("cors_refused", reason)
    assert "origin" in _names(resp.headers["vary"])
    assert all(not gateway.seen(name) for name in gateway.upstreams)


async def test_a_refused_header_is_named_only_when_it_is_a_name(gateway):
    sent = _preflight(PORTAL, "POST", "x-secret-header")
    named = await gateway.client.options("/graphql", headers=sent)
    assert named.json()["error"]["details"]["header"] == "x-secret-header"
    odd = await gateway.client.options("/graphql", headers=_preflight(PORTAL, "POST", "a b"))
    assert odd.json()["error"]["details"] == {"reason": "header_not_allowed"}


async def test_an_allowed_origin_reads_the_answer_and_its_headers(gateway):
    auth = await gateway.bearer("enterprise")
    resp = await gateway.client.get(
        "/api/declaration/v1/declarations/42", headers={**auth, "Origin": PORTAL}
    )
    assert resp.status_code == 200
    assert resp.headers["access-control-allow-origin"] == PORTAL
    assert _names(resp.headers["access-control-expose-headers"]) >= EXPOSED
    assert "access-control-allow-credentials" not in resp.headers
    assert "origin" in _names(resp.headers["vary"])
    assert resp.headers["etag"] == '"v7"'  # what the portal reads for If-Match


async def test_another_origin_gets_no_cors_headers(gateway):
    auth = await gateway.bearer("enterprise")
    resp = await gateway.client.get(
        "/api/declaration/v1/declarations/42", headers={**auth, "Origin": OTHER}
    )
    assert resp.status_code == 200
    assert _cors_headers(resp) == {}
    assert "origin" in _names(resp.headers["vary"])  # the answer depends on Origin all the same
    without = await gateway.client.get("/api/declaration/v1/declarations/42", headers=auth)
    assert _cors_headers(without) == {}
    assert "origin" in _names(without.headers["vary"])


async def test_a_graphql_post_from_the_portal(gateway):
    preflight = await gateway.client.options(
        "/graphql", headers=_preflight(PORTAL, "POST", "authorization, content-type")
    )
    assert preflight.status_code == 204
    auth = await gateway.bearer("county")
    resp = await gateway.client.post(
        "/graphql",
        json={"query": "{ me { __typename ... on Viewer { role } } }"},
        headers={**auth, "Origin": PORTAL},
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["data"]["me"] == {"__typename": "Viewer", "role": "county"}
    assert resp.headers["access-control-allow-origin"] == PORTAL


async def test_error_answers_carry_the_cors_headers(make_settings, start_gateway, closed_port):
    settings = make_settings(
        auth_rate_per_minute=1,
        max_body_bytes=1000,
        review_url=f"http://127.0.0.1:{closed_port}",
    )
    async with start_gateway(settings, fakes=("declaration", "rules", "identity")) as gw:
        browser = {"Origin": PORTAL}
        token = await gw.bearer("enterprise")  # the one /auth/* request of this minute
        answers = {
            401: await gw.client.get("/api/declaration/v1/declarations", headers=browser),
            404: await gw.client.get("/api/declaration/internal/events", headers=browser),
            413: await gw.client.post(
                "/api/declaration/v1/declarations",
                content=b"x" * 2000,
                headers={**browser, **token, "content-type": "application/json"},
            ),
            422: await gw.client.get("/graphql?query=%00", headers=browser),
            429: await gw.client.post(
                "/auth/dev-token", json={"username": "county"}, headers=browser
            ),
            503: await gw.client.get("/api/review/v1/inbox", headers={**browser, **token}),
        }
    for status, resp in answers.items():
        assert resp.status_code == status, (status, resp.text)
        assert resp.headers["access-control-allow-origin"] == PORTAL, status
        assert _names(resp.headers["access-control-expose-headers"]) >= EXPOSED, status
        assert "error" in resp.json(), status
    assert answers[401].headers["www-authenticate"].startswith("Bearer")
    assert answers[429].headers["retry-after"].isdigit()
    assert answers[503].headers["retry-after"].isdigit()


async def test_a_service_s_own_cors_headers_never_pass(gateway):
    """The gateway's list is the only one: what a service says about CORS is dropped."""
    upstream = FastAPI()

    @upstream.get("/v1/open")
    async def _open() -> JSONResponse:
        return JSONResponse(
            {}, headers={"Access-Control-Allow-Origin": "*", "Access-Control-Max-Age": "1"}
        )

    await gateway.app.state.upstreams["rules"].aclose()
    gateway.app.state.upstreams["rules"] = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=upstream), base_url="http://rules"
    )
    auth = await gateway.bearer("enterprise")
    other = await gateway.client.get("/api/rules/v1/open", headers={**auth, "Origin": OTHER})
    portal = await gateway.client.get("/api/rules/v1/open", headers={**auth, "Origin": PORTAL})
    assert _cors_headers(other) == {}
    assert portal.headers["access-control-allow-origin"] == PORTAL
    assert "access-control-max-age" not in portal.headers


async def test_production_allows_no_origin_unless_set(production_gateway):
    resp = await production_gateway.client.options("/graphql", headers=_preflight(PORTAL))
    assert resp.status_code == 403
    assert _cors_headers(resp) == {}
    answer = await production_gateway.client.get("/healthz", headers={"Origin": PORTAL})
    assert _cors_headers(answer) == {}
    assert "vary" not in answer.headers  # nothing varies by Origin while the list is empty


async def test_the_list_is_the_setting(make_settings, start_gateway):
    settings = make_settings(cors_origins=["HTTPS://Portal.Example:443/"])
    assert settings.cors_allowed_origins == ("https://portal.example",)
    async with start_gateway(settings) as gw:
        ok = await gw.client.options("/graphql", headers=_preflight("https://portal.example"))
        dev = await gw.client.options("/graphql", headers=_preflight(PORTAL))
    assert ok.status_code == 204
    assert ok.headers["access-control-allow-origin"] == "https://portal.example"
    assert dev.status_code == 403  # set explicitly, the dev origins are not added


def test_the_defaults_by_environment(make_settings):
    assert make_settings().cors_allowed_origins == DEV_CORS_ORIGINS
    assert make_settings(environment="dev").cors_allowed_origins == DEV_CORS_ORIGINS
    assert make_settings(cors_origins=[]).cors_allowed_origins == ()
    assert make_settings(environment="production").cors_allowed_origins == ()


@pytest.mark.parametrize(
    "entry",
    ["*", "null", "portal.example", "https://portal.example/app", "ftp://portal.example",
     "https://user@portal.example", "https://portal.example:99999", "https://portal.example?x"],
)  # fmt: skip
def test_an_entry_that_is_not_an_origin_is_refused(make_settings, entry):
    with pytest.raises(ValidationError, match="not an origin"):
        make_settings(cors_origins=[entry])


async def test_cors_is_the_outermost_middleware(gateway):
    assert gateway.app.user_middleware[0].cls is CorsMiddleware
