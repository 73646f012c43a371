"""The error model, request ids and the body cap, on a bare app with the kit installed."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel, Field

from ladder.kit.errors import Conflict, declare, install_error_handlers
from ladder.kit.observability import RequestContextMiddleware, request_id_var


class Body(BaseModel):
    level: int = Field(ge=1, le=5)


class QuotaExhausted(Conflict):
    code = "quota_exhausted"
    message = "名额已满"
    message_en = "Quota exhausted"


def _app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    app.add_middleware(RequestContextMiddleware, max_body_bytes=1000)

    @app.post("/things")
    async def things(body: Body) -> dict:
        return {"level": body.level, "rid": request_id_var.get()}

    @app.post("/quota", responses=declare(QuotaExhausted))
    async def quota() -> dict:
        raise QuotaExhausted(details={"remaining": 0})

    @app.get("/slow")
    async def slow() -> dict:
        await asyncio.sleep(0.05)
        return {}

    @app.get("/bug")
    async def bug() -> dict:
        raise RuntimeError("secret internals")

    return app


@pytest.fixture
async def client():
    transport = httpx.ASGITransport(app=_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        yield c


async def test_domain_error_shape(client):
    resp = await client.post("/quota")
    assert resp.status_code == 409
    assert resp.json() == {
        "error": {
            "code": "quota_exhausted",
            "message": "名额已满",
            "message_en": "Quota exhausted",
            "details": {"remaining": 0},
        }
    }


async def test_validation_error_names_the_field(client):
    resp = await client.post("/things", json={"level": 9})
    assert resp.status_code == 422
    err = resp.json()["error"]
    assert err["code"] == "validation_error"
    assert err["details"]["fields"][0]["field"] == "level"
    assert "level" in err["message"]


async def test_unknown_route_is_404_in_the_model(client):
    resp = await client.get("/nowhere")
    assert resp.status_code == 404
    assert resp.json()["error"]["code"] == "not_found"


async def test_bug_is_500_without_internals(client):
    resp = await client.get("/bug")
    assert resp.status_code == 500
    assert resp.json()["error"]["code"] == "internal_error"
    assert "secret" not in resp.text


async def test_request_id_is_kept_or_made(client):
    given = await client.post("/things", json={"level": 1}, headers={"X-Request-ID": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    assert given.json()["rid"] == "abc-123"
    made = await client.post(
        "/things", json={"level": 1}, headers={"X-Request-ID": "bad id with spaces"}
    )
    assert made.headers["x-request-id"] != "bad id with spaces"
    assert len(made.headers["x-request-id"]) == 32


async def test_body_cap(client):
    resp = await client.post(
        "/things", content=b"{" + b" " * 5000 + b"}", headers={"content-type": "application/json"}
    )
    assert resp.status_code == 413
    assert resp.json()["error"]["code"] == "payload_too_large"


@pytest.mark.parametrize(
    ("path", "limit"),
    [
        ("/imports", 4000),  # an exact path
        ("/declarations/3f2a/attachments", 9000),  # a pattern
        ("/declarations/3f2a/attachments/x", 1000),  # the pattern matches whole paths only
        ("/things", 1000),  # the default
    ],
)
def test_route_limits_by_exact_path_or_pattern(path, limit) -> None:
    middleware = RequestContextMiddleware(
        _app(),
        max_body_bytes=1000,
        route_limits={"/imports": 4000, r"/declarations/[^/]+/attachments": 9000},
    )
    assert middleware._limit_for(path) == limit


async def test_the_access_log_times_the_request(client, caplog):
    """`duration_ms` is the time from the request's arrival to its end (it once measured from
    a flag reused as the start time)."""
    with caplog.at_level(logging.INFO, logger="ladder.access"):
        assert (await client.get("/slow")).status_code == 200
    [record] = [r for r in caplog.records if r.name == "ladder.access"]
    assert 50 <= record.duration_ms < 5000
