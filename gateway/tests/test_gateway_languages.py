"""Accept-Language through the gateway (ladder.kit.negotiation): the gateway's own errors
answer in the language asked for, and the header reaches the services unchanged, so a
service's errors do too."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from ladder.kit.errors import Conflict, declare, install_error_handlers

ENGLISH = ["en", "en-US,en;q=0.9", "zh-CN;q=0.5,en;q=0.8"]
CHINESE = [None, "zh-CN", "*", "fr-FR,de;q=0.9", "en;q=0"]


def _asking(language: str | None, **headers: str) -> dict[str, str]:
    return headers if language is None else {**headers, "Accept-Language": language}


def _check(resp: httpx.Response, language: str | None, english: str) -> dict[str, Any]:
    error = resp.json()["error"]
    assert error["message_en"] == english
    if language in ENGLISH:
        assert error["message"] == english
        assert resp.headers["content-language"] == "en"
    else:
        assert error["message"] != english and not error["message"].isascii()
        assert resp.headers["content-language"] == "zh-CN"
    assert "accept-language" in resp.headers["vary"].lower()
    return error


@pytest.mark.parametrize("language", ENGLISH + CHINESE)
async def test_the_gateway_s_own_errors(make_settings, start_gateway, closed_port, language):
    settings = make_settings(max_body_bytes=1000, review_url=f"http://127.0.0.1:{closed_port}")
    async with start_gateway(settings, fakes=("declaration", "rules", "identity")) as gw:
        token = await gw.bearer("enterprise")
        missing = await gw.client.get("/api/declaration/v1/x", headers=_asking(language))
        internal = await gw.client.get(
            "/api/declaration/internal/events", headers=_asking(language, **token)
        )
        away = await gw.client.get("/api/review/v1/inbox", headers=_asking(language, **token))
        large = await gw.client.post(
            "/api/declaration/v1/x",
            content=b"x" * 2000,
            headers=_asking(language, **token, **{"content-type": "application/json"}),
        )
        refused = await gw.client.options(
            "/graphql",
            headers=_asking(
                language,
                Origin="https://elsewhere.example",
                **{"Access-Control-Request-Method": "POST"},
            ),
        )
    _check(missing, language, "Not authenticated: missing or invalid access token")
    _check(internal, language, "Not found")
    _check(away, language, "A service this request depends on is unavailable; retry later")
    _check(large, language, "Request body exceeds 1000 bytes")
    _check(refused, language, "This cross-origin request is not allowed")


class ListInvalid(Conflict):
    code = "list_invalid"
    message = "名单有误"
    message_en = "The list is invalid"


def _service() -> FastAPI:
    """A service as the kit makes one: its errors rendered by the kit's handlers."""
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/v1/lists", responses=declare(ListInvalid))
    async def push() -> None:
        raise ListInvalid(
            details={"row_problems": [{"row": 2, "message": "缺少排名", "message_en": "No rank"}]}
        )

    return app


@pytest.mark.parametrize("language", ENGLISH + CHINESE)
async def test_a_service_s_errors_through_the_proxy(gateway, language):
    await gateway.app.state.upstreams["review"].aclose()
    gateway.app.state.upstreams["review"] = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=_service()), base_url="http://review"
    )
    auth = await gateway.bearer("county")
    resp = await gateway.client.post(
        "/api/review/v1/lists", headers=_asking(language, Origin="http://localhost:5173", **auth)
    )
    assert resp.status_code == 409
    error = _check(resp, language, "The list is invalid")
    [row] = error["details"]["row_problems"]
    assert row["message"] == ("No rank" if language in ENGLISH else "缺少排名")
    assert row["message_en"] == "No rank"
    vary = {v.strip().lower() for v in resp.headers["vary"].split(",")}
    assert {"accept-language", "origin"} <= vary  # the service's Vary, and the gateway's


async def test_the_header_reaches_the_service_unchanged(gateway):
    auth = await gateway.bearer("enterprise")
    sent = "zh-CN;q=0.5, en;q=0.8"
    resp = await gateway.client.get(
        "/api/declaration/v1/anything", headers={**auth, "Accept-Language": sent}
    )
    assert resp.status_code == 200
    [seen] = gateway.seen("declaration")
    assert ("accept-language", sent) in seen["headers"]
