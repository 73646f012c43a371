"""API documents by environment (issue 11 finding 12): public in dev/test; in production no
/docs or /redoc, and /openapi.json only with a token and without the internal routes."""

from __future__ import annotations

from fastapi import APIRouter

from ladder.kit.app import ServiceSpec, create_service_app
from ladder.kit.settings import KitSettings
from ladder.kit.testing import TestIssuer, running, settings_for_tests

router = APIRouter()


@router.get("/v1/things")
async def things() -> dict:
    return {}


@router.post("/internal/events")
async def internal() -> dict:
    return {}


def _app(database_url: str, environment: str):
    settings = settings_for_tests(KitSettings, database_url, environment=environment)
    return create_service_app(
        settings, ServiceSpec(name="docs", schema="docs", title="t", description="d",
                              routers=[router])
    )  # fmt: skip


async def test_production_documents_need_a_token_and_hide_internal_routes(database_url):
    issuer = TestIssuer()
    async with running(_app(database_url, "production"), issuer) as client:
        for path in ("/docs", "/redoc"):
            assert (await client.get(path)).status_code == 404, path
        assert (await client.get("/openapi.json")).status_code == 401
        document = await client.get("/openapi.json", headers=issuer.headers("enterprise"))
        assert document.status_code == 200
        assert "/v1/things" in document.json()["paths"]
        assert not [p for p in document.json()["paths"] if p.startswith("/internal/")]


async def test_dev_documents_are_public_and_complete(database_url):
    async with running(_app(database_url, "dev"), TestIssuer()) as client:
        assert (await client.get("/docs")).status_code == 200
        document = await client.get("/openapi.json")
        assert document.status_code == 200
        assert "/internal/events" in document.json()["paths"]


async def test_no_route_redirects(database_url):
    async with running(_app(database_url, "dev"), TestIssuer()) as client:
        resp = await client.get("/v1/things/", headers={"Host": "evil.example"})
        assert resp.status_code == 404
        assert "location" not in resp.headers
