"""Fixtures for the gateway's in-process tests.

The gateway runs with its lifespan under `httpx.ASGITransport`; each upstream is a small fake
FastAPI app, wired in by replacing `app.state.upstreams[name]` with a client on that app.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from jose import jwt

from ladder.gateway.main import create_app
from ladder.gateway.settings import GatewaySettings
from ladder.kit.auth import TokenVerifier
from ladder.kit.errors import error_body
from ladder.kit.tokens import generate_private_key_pem

UPSTREAM_NAMES = ("declaration", "rules", "review", "identity")

DECLARATIONS = {
    "items": [
        {
            "id": "d-1",
            "status": "submitted",
            "tier": "basic",
            "campaign_year": 2025,
            "enterprise_uscc": "91350102MA2Y00001E",
            "enterprise_name": "福州示范智能装备有限公司",
            "factory_name": "鼓楼智能装配工厂",
            "region_code": "350102",
            "extra": {"ignored": True},
        },
        {"id": 7, "status": None, "tier": 3, "campaign_year": "2025"},  # odd types → nulls
        {"status": "draft"},  # no id: dropped
    ],
    "total": 42,
    "page": 2,
    "page_size": 3,
}
INBOX = {
    "items": [
        {
            "declaration_id": "d-1",
            "tier": "basic",
            "enterprise_name": "福州示范智能装备有限公司",
            "factory_name": "鼓楼智能装配工厂",
            "region_code": "350102",
            "status": "pending",
            "received_at": "2025-06-01T08:30:00+08:00",
        }
    ],
    "total": 1,
    "page": 1,
    "page_size": 20,
}
REVIEWER_ROLES = {"county", "city", "province", "central_soe_hq", "ministry"}


def fake_upstream(name: str) -> FastAPI:
    """An upstream that records every request and echoes it back as JSON."""
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)  # the echo answers those
    app.state.seen = []
    app.state.location = "/v1/declarations/42"  # what the echo answers in `Location`

    def record(request: Request, body: bytes) -> dict[str, Any]:
        seen = {
            "service": name,
            "method": request.method,
            "path": request.url.path,
            "query": request.scope["query_string"].decode(),
            "body": body.decode(),
            "headers": [(k, v) for k, v in request.headers.items()],
        }
        app.state.seen.append(seen)
        return seen

    @app.get("/v1/declarations")
    async def declarations(request: Request) -> JSONResponse:
        record(request, b"")
        return JSONResponse(DECLARATIONS)

    @app.get("/v1/inbox")
    async def inbox(request: Request) -> JSONResponse:
        record(request, b"")
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if jwt.get_unverified_claims(token).get("role") not in REVIEWER_ROLES:
            return JSONResponse(
                error_body("forbidden", "无权执行此操作", "You are not allowed to do this"),
                status_code=403,
            )
        return JSONResponse(INBOX)

    @app.api_route(
        "/{path:path}", methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    )
    async def echo(path: str, request: Request) -> Response:
        seen = record(request, await request.body())
        status = int(request.headers.get("x-fake-status", "200"))
        return JSONResponse(
            seen,
            status_code=status,
            headers={
                "ETag": '"v7"',
                "Location": app.state.location,
                "Content-Disposition": 'attachment; filename="declaration.pdf"',
                "X-Request-ID": "set-by-upstream",
                "Keep-Alive": "timeout=5",
            },
        )

    return app


@dataclass
class Running:
    app: FastAPI
    client: httpx.AsyncClient
    upstreams: dict[str, FastAPI] = field(default_factory=dict)

    def seen(self, service: str) -> list[dict[str, Any]]:
        return self.upstreams[service].state.seen

    async def dev_token(self, username: str) -> str:
        resp = await self.client.post("/auth/dev-token", json={"username": username})
        assert resp.status_code == 200, resp.text
        return resp.json()["access_token"]

    async def bearer(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {await self.dev_token(username)}"}

    def verifier(self) -> TokenVerifier:
        """A kit verifier that fetches the gateway's JWKS over HTTP, as a service does."""
        return TokenVerifier(
            jwks_url="http://gateway/.well-known/jwks.json",
            issuer="ladder-gateway",
            audience="ladder",
            algorithms=["RS256"],
            http=httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app)),
        )


def wire_upstream(app: FastAPI, name: str, upstream: FastAPI) -> None:
    """Point the gateway's pooled client for `name` at an in-process app."""
    app.state.upstreams[name] = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=upstream), base_url=f"http://{name}"
    )


@asynccontextmanager
async def running_gateway(
    settings: GatewaySettings, *, fakes: tuple[str, ...] = UPSTREAM_NAMES
) -> AsyncIterator[Running]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        upstreams = {}
        for name in fakes:
            await app.state.upstreams[name].aclose()
            upstreams[name] = fake_upstream(name)
            wire_upstream(app, name, upstreams[name])
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            yield Running(app, client, upstreams)


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., GatewaySettings]:
    def _make(**overrides: Any) -> GatewaySettings:
        values: dict[str, Any] = {
            "environment": "test",
            "jwt_private_key_file": tmp_path / "keys" / "jwt.pem",
            "log_json": False,
            "log_level": "WARNING",
        }
        values.update(overrides)
        return GatewaySettings(**values)

    return _make


@pytest.fixture
def start_gateway() -> Callable[..., Any]:
    """`async with start_gateway(settings, fakes=(...)) as running:` for custom settings."""
    return running_gateway


@pytest.fixture
async def gateway(make_settings: Callable[..., GatewaySettings]) -> AsyncIterator[Running]:
    async with running_gateway(make_settings()) as running:
        yield running


@pytest.fixture
async def production_gateway(
    make_settings: Callable[..., GatewaySettings], tmp_path: Path
) -> AsyncIterator[Running]:
    key_file = tmp_path / "prod.pem"
    key_file.write_bytes(generate_private_key_pem())
    settings = make_settings(environment="production", jwt_private_key_file=key_file)
    async with running_gateway(settings) as running:
        yield running


@pytest.fixture
def closed_port() -> int:
    """A local port nothing listens on (connections are refused at once)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
async def silent_port() -> AsyncIterator[int]:
    """A local port that accepts connections and reads requests but never answers."""
    release = asyncio.Event()

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)
        await release.wait()
        writer.close()

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        release.set()
        server.close()
        await server.wait_closed()
