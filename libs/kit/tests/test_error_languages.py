"""Accept-Language chooses the language of an error's `message` (ladder.kit.negotiation), on
a bare app with the kit installed: every way the kit answers an error — a domain error, a
validation error, a routing error, a bug, the body cap, the edge guard, the database away."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel, Field
from starlette.datastructures import MutableHeaders

from ladder.kit.db import DatabaseUnreachable, install_database_errors
from ladder.kit.errors import Conflict, declare, install_error_handlers, validation_details
from ladder.kit.inputs import InputGuardMiddleware
from ladder.kit.negotiation import add_vary, localized, negotiate
from ladder.kit.observability import RequestContextMiddleware


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "zh-CN"),
        ("", "zh-CN"),
        ("en", "en"),
        ("EN-gb", "en"),
        ("en-US,en;q=0.9", "en"),
        ("zh-CN;q=0.5,en;q=0.8", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"),
        ("zh-TW,en;q=0.1", "zh-CN"),  # Chinese preferred ten to one, whatever the region
        ("*", "zh-CN"),
        ("fr", "zh-CN"),
        ("fr-FR,de;q=0.8", "zh-CN"),
        ("fr,en;q=0.5", "en"),  # English before Chinese, though not first
        ("en;q=0", "zh-CN"),  # "not English"
        ("zh;q=0, *", "en"),  # "anything but Chinese"
        ("*;q=0.1, en;q=0.2", "en"),
        ("en, zh", "en"),  # equal weight: the one named first
        ("zh, en", "zh-CN"),
        ("*, en", "en"),  # named outright beats `*`
        ("en ; q=0.9 , zh ; q=0.8", "en"),
        ("en;Q=0.9", "en"),
        ("en;q=1.5", "zh-CN"),  # not a qvalue: the element is skipped
        ("en;q=0.1234", "zh-CN"),
        ("en;level=1", "zh-CN"),
        ("en_US", "zh-CN"),  # not a language range
        ("en;q=oops, fr", "zh-CN"),
        (",,en,,", "en"),
    ],
)
def test_the_language_chosen_for_a_header(header: str | None, language: str) -> None:
    assert negotiate(header) == language


def test_only_the_first_ranges_are_read() -> None:
    assert negotiate(", ".join(["fr"] * 40 + ["en"])) == "zh-CN"
    assert negotiate(", ".join(["fr"] * 10 + ["en"])) == "en"


def test_english_replaces_every_message_that_has_an_english_one_without_touching_the_body():
    body: dict[str, Any] = {
        "error": {
            "code": "list_push_invalid",
            "message": "名单有误",
            "message_en": "The list is invalid",
            "details": {
                "row_problems": [
                    {"row": 2, "message": "缺少", "message_en": "missing"},
                    {"row": 3, "nested": {"message": "重复", "message_en": "repeated"}},
                ],
                "fields": [{"field": "x", "message_en": "only English"}],
                "message": "not a pair, kept",
            },
        }
    }
    english = localized(body, "en")
    assert english["error"]["message"] == "The list is invalid"
    rows = english["error"]["details"]["row_problems"]
    assert rows[0] == {"row": 2, "message": "missing", "message_en": "missing"}
    assert rows[1]["nested"]["message"] == "repeated"
    assert english["error"]["details"]["fields"] == [{"field": "x", "message_en": "only English"}]
    assert english["error"]["details"]["message"] == "not a pair, kept"
    assert body["error"]["message"] == "名单有误"  # the original is left as it was
    assert body["error"]["details"]["row_problems"][0]["message"] == "缺少"
    assert localized(body, "zh-CN") is body


def test_vary_is_one_field_with_each_name_once() -> None:
    headers = MutableHeaders()
    headers.append("Vary", "Origin")
    headers.append("vary", "accept-encoding, ")
    add_vary(headers, "Accept-Language", "origin")
    assert headers.getlist("vary") == ["Origin, accept-encoding, Accept-Language"]
    add_vary(headers, "Accept-Language")
    assert headers.getlist("vary") == ["Origin, accept-encoding, Accept-Language"]


def test_validation_fields_carry_chinese_and_english() -> None:
    class Form(BaseModel):
        name: str = Field(max_length=3)
        level: int = Field(ge=1)
        kind: str

    try:
        Form.model_validate({"name": "toolong", "level": 0})
    except Exception as exc:  # pydantic's ValidationError
        fields = validation_details(exc.errors())["fields"]  # type: ignore[attr-defined]
    assert [(f["field"], f["message"]) for f in fields] == [
        ("name", "至多 3 个字符"),
        ("level", "须不小于 1"),
        ("kind", "缺少必填字段"),
    ]
    assert fields[1]["message_en"] == "Input should be greater than or equal to 1"


class Entry(BaseModel):
    rank: int = Field(ge=1, le=5)


class ListInvalid(Conflict):
    """A domain error whose details carry a message per row, like a list push's."""

    code = "list_invalid"
    message = "名单有误"
    message_en = "The list is invalid"


def _app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    install_database_errors(app)
    app.add_middleware(InputGuardMiddleware)
    app.add_middleware(RequestContextMiddleware, max_body_bytes=1000)

    @app.post("/entries")
    async def entries(entry: Entry) -> dict:
        return {"rank": entry.rank}

    @app.post("/lists", responses=declare(ListInvalid))
    async def lists() -> dict:
        raise ListInvalid(
            details={"rows": [{"row": 1, "message": "超出", "message_en": "over"}]},
            headers={"Vary": "Origin"},
        )

    @app.get("/bug")
    async def bug() -> dict:
        raise RuntimeError("internals")

    @app.get("/db")
    async def db() -> dict:
        raise DatabaseUnreachable("cannot connect")

    return app


@pytest.fixture
async def client():
    transport = httpx.ASGITransport(app=_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        yield c


def _sent(method: str, path: str, **kwargs: Any) -> dict[str, Any]:
    return {"method": method, "url": path, **kwargs}


# Every way the kit answers an error, with the English `message` each gives.
ERRORS = {
    "domain": (_sent("POST", "/lists"), 409, "The list is invalid"),
    "validation": (_sent("POST", "/entries", json={"rank": 9}), 422, "Invalid request data: rank"),
    "routing": (_sent("GET", "/nowhere"), 404, "Not Found"),
    "method": (_sent("DELETE", "/entries"), 405, "Method Not Allowed"),
    "bug": (_sent("GET", "/bug"), 500, "Internal server error"),
    "body cap": (
        _sent("POST", "/entries", content=b"{" + b" " * 2000 + b"}"),
        413,
        "Request body exceeds 1000 bytes",
    ),
    "edge guard": (
        _sent("POST", "/entries", content=b'{"rank": 1, "rank": 2}'),
        422,
        "The body (rank) has a JSON object with a repeated key",
    ),
    "database": (_sent("GET", "/db"), 503, "The database is unavailable; retry later"),
}


async def _ask(client: httpx.AsyncClient, kind: str, accept_language: str | None):
    sent, status, english = ERRORS[kind]
    headers = {"content-type": "application/json"}
    if accept_language is not None:
        headers["Accept-Language"] = accept_language
    resp = await client.request(**sent, headers=headers)
    assert resp.status_code == status, resp.text
    return resp, english


@pytest.mark.parametrize("kind", ERRORS)
@pytest.mark.parametrize("accept_language", [None, "zh-CN", "fr-FR, de;q=0.5", "*"])
async def test_chinese_by_default(client, caplog, kind: str, accept_language: str | None):
    with caplog.at_level(logging.CRITICAL):  # the bug's traceback
        resp, english = await _ask(client, kind, accept_language)
    error = resp.json()["error"]
    assert error["message_en"] == english
    assert error["message"] != english
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"]), error["message"]
    assert resp.headers["content-language"] == "zh-CN"
    assert "Accept-Language" in resp.headers["vary"]


@pytest.mark.parametrize("kind", ERRORS)
@pytest.mark.parametrize("accept_language", ["en", "en-US,en;q=0.9", "zh-CN;q=0.5,en;q=0.8"])
async def test_english_when_asked(client, caplog, kind: str, accept_language: str):
    with caplog.at_level(logging.CRITICAL):
        resp, english = await _ask(client, kind, accept_language)
    error = resp.json()["error"]
    assert error["message"] == error["message_en"] == english
    assert resp.headers["content-language"] == "en"
    assert "Accept-Language" in resp.headers["vary"]


async def test_nested_messages_follow_the_choice(client):
    zh = (await client.post("/lists")).json()["error"]["details"]["rows"]
    en = (await client.post("/lists", headers={"Accept-Language": "en"})).json()
    assert zh == [{"row": 1, "message": "超出", "message_en": "over"}]
    assert en["error"]["details"]["rows"] == [{"row": 1, "message": "over", "message_en": "over"}]


async def test_validation_fields_follow_the_choice(client):
    zh = await client.post("/entries", json={"rank": 9})
    en = await client.post("/entries", json={"rank": 9}, headers={"Accept-Language": "en"})
    assert zh.json()["error"]["details"]["fields"][0]["message"] == "须不大于 5"
    [field] = en.json()["error"]["details"]["fields"]
    assert field["message"] == field["message_en"] == "Input should be less than or equal to 5"


async def test_an_error_s_own_vary_is_kept(client):
    resp = await client.post("/lists")
    assert resp.headers.get_list("vary") == ["Origin, Accept-Language"]
