"""The edge guard: hostile text and JSON are a 422 in the error envelope before any handler."""

from __future__ import annotations

import logging

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from ladder.kit.errors import install_error_handlers
from ladder.kit.inputs import MAX_DEPTH, InputGuardMiddleware
from ladder.kit.observability import RedactingFormatter, RequestContextMiddleware, redact

SEEN: list[object] = []


class Note(BaseModel):
    text: str = ""
    count: int = 0


def _app(**guard) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    app.add_middleware(InputGuardMiddleware, **guard)
    app.add_middleware(RequestContextMiddleware)

    @app.post("/notes")
    async def post_note(note: Note) -> dict:
        SEEN.append(note)
        return {"ok": True, "text": note.text}

    @app.get("/notes")
    async def list_notes(status: str = "") -> dict:
        SEEN.append(status)
        return {"status": status}

    @app.post("/proxy/{rest:path}")
    async def proxied(rest: str) -> dict:
        SEEN.append(rest)
        return {"ok": True}

    return app


@pytest.fixture
async def client():
    SEEN.clear()
    transport = httpx.ASGITransport(app=_app(skip_body_prefixes=("/proxy/",)))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        yield c


def _json(text: str) -> dict[str, str]:
    return {"content": text.encode("utf-8", "surrogatepass"), "headers": _CT}


_CT = {"content-type": "application/json"}


@pytest.mark.parametrize(
    ("body", "reason", "field"),
    [
        ('{"text": "a\\u0000b"}', "nul_character", "text"),
        ('{"text": "\\ud800"}', "unpaired_surrogate", "text"),
        ('{"text": "a\\u0001b"}', "control_character", "text"),
        ('{"text": "a\\u001bb"}', "control_character", "text"),
        ('{"text": "a\\bb"}', "control_character", "text"),
        ('{"text": "a\\fb"}', "control_character", "text"),
        ('{"text": "a\x7fb"}', "control_character", "text"),
        ('{"text": "\\udc00x"}', "unpaired_surrogate", "text"),
        ('{"te\\u0000xt": "x"}', "nul_character", "te\x00xt"),
        ('{"text": "a", "text": "b"}', "duplicate_key", "text"),
        ('{"count": NaN}', "non_finite_number", None),
        ('{"count": -Infinity}', "non_finite_number", None),
        ('{"count": 1e400}', "non_finite_number", None),
        ('{"count": ' + "9" * 5000 + "}", "number_out_of_range", None),
        ('{"count": 99999999999999999999}', "number_out_of_range", "count"),
        ("[" * 10_000 + "]" * 10_000, "too_deeply_nested", None),
        ('{"a":' * (MAX_DEPTH + 2) + "1" + "}" * (MAX_DEPTH + 2), "too_deeply_nested", None),
    ],
)
async def test_hostile_json_is_refused_before_the_handler(client, body, reason, field):
    resp = await client.post("/notes", **_json(body))
    assert resp.status_code == 422, resp.text
    error = resp.json()["error"]
    assert error["code"] == "invalid_input"
    assert error["details"]["reason"] == reason
    assert error["details"]["where"] == "body"
    if field is not None and "\x00" not in field:
        assert error["details"]["field"] == field
    assert error["message"] and error["message_en"]
    assert resp.headers["x-request-id"]
    assert SEEN == []


@pytest.mark.parametrize(
    "body",
    ['{"text": "C:\\\\u0000 typed as text"}', '{"text": "NaN or Infinity, said the name"}',
     '{"text": "C:\\\\bin", "count": 9223372036854775807}', '{"count": 1.5e10}'],
)  # fmt: skip
async def test_what_only_looks_hostile_passes(client, body):
    resp = await client.post("/notes", **_json(body))
    assert resp.status_code == 200, resp.text


async def test_a_body_that_is_not_json_is_left_to_the_route(client):
    resp = await client.post("/notes", content=b'{"text": "x"', headers=_CT)
    assert resp.status_code == 422
    assert resp.json()["error"]["code"] == "validation_error"


async def test_invalid_utf8_body_is_refused(client):
    resp = await client.post("/notes", content=b'{"text": "\xff"}', headers=_CT)
    assert resp.status_code == 422
    assert resp.json()["error"]["details"]["reason"] == "invalid_utf8"


async def test_the_refusal_never_echoes_the_value(client):
    resp = await client.post("/notes", **_json('{"text": "13800138000\\u0000"}'))
    assert resp.status_code == 422
    assert "13800138000" not in resp.text


async def test_good_json_passes_untouched(client):
    body = '{"text": "生产作业—人机协同作业\\ud83d\\ude00\\t\\r\\n", "count": 9223372036854775807}'
    resp = await client.post("/notes", **_json(body))
    assert resp.status_code == 200, resp.text
    assert resp.json()["text"] == "生产作业—人机协同作业😀\t\r\n"


@pytest.mark.parametrize(
    "query",
    ["status=%00", "status=a%00b", "st%00atus=x", "status=%ED%A0%80", "status=%ff", "s=%07"],
)
async def test_hostile_query_parameters_are_refused(client, query):
    resp = await client.get(f"/notes?{query}")
    assert resp.status_code == 422, resp.text
    assert resp.json()["error"]["details"]["where"] == "query"
    assert SEEN == []


async def test_a_nul_in_the_path_is_refused(client):
    resp = await client.get("/notes%00")
    assert resp.status_code == 422
    assert resp.json()["error"]["details"] == {"reason": "nul_character", "where": "path"}


async def test_form_bodies_are_checked(client):
    resp = await client.post(
        "/notes",
        content=b"grant_type=client_credentials&client_secret=%00",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert resp.status_code == 422
    assert resp.json()["error"]["details"]["field"] == "client_secret"


async def test_skipped_prefixes_pass_bodies_through(client):
    resp = await client.post("/proxy/x", **_json('{"a": 1, "a": 2}'))
    assert resp.status_code == 200


def test_redaction_removes_mobiles_tokens_nul_and_secrets():
    token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
    line = f'{{"msg": "13800138000 call {token} \\u0000 s3cr3t-value 1380013800012"}}'
    out = redact(line, ["s3cr3t-value"])
    assert out.startswith('{"msg": "138****8000 call')
    assert token not in out and "[token]" in out
    assert "\\u0000" not in out and "s3cr3t-value" not in out
    assert "1380013800012" in out  # not a mobile: 13 digits


def test_the_formatter_redacts_what_code_logs():
    formatter = RedactingFormatter(logging.Formatter("%(message)s"), ["topsecret-1"])
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "m %s %s", ("13912345678", "topsecret-1"), None
    )
    assert formatter.format(record) == "m 139****5678 [secret]"
