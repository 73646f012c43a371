"""The whole API's document at the gateway (`ladder.gateway.openapi`): the merge of small
documents, and `/openapi.json`, `/docs` through the gateway with services that answer, that
are down, and that come up later."""

from __future__ import annotations

import httpx
from fastapi import FastAPI, Header
from pydantic import BaseModel

from ladder.gateway.openapi import GATEWAY, REFRESH_SECONDS, RETRY_SECONDS, Part, merge
from ladder.kit.docs import install_openapi
from ladder.kit.errors import NotFound, declare


def _op(op_id: str, ref: str | None = None, tags: tuple[str, ...] = ()) -> dict:
    content = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}
    return {
        "operationId": op_id,
        "tags": list(tags),
        "responses": {"200": {"description": "ok", **({"content": content} if ref else {})}},
    }


def _doc(title: str, paths: dict, schemas: dict) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": "1"},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


NOT_FOUND = {"title": "NotFoundError", "type": "object", "x-error-code": "not_found"}
GATEWAY_DOC = _doc(
    "Ladder gateway",
    {
        "/healthz": {"get": _op("healthz")},
        "/api/{service}/{path}": {"get": _op("proxy_get")},  # the proxy: the services' own
    },
    {},
)
RULES_DOC = _doc(
    "Ladder rules",
    {
        "/v1/things": {"get": _op("list_things", "Outer", ("things",))},
        "/healthz": {"get": _op("healthz")},
        "/internal/clock": {"post": _op("set_clock", "Clock")},
    },
    {
        "Outer": {"title": "Outer", "properties": {"t": {"$ref": "#/components/schemas/Thing"}}},
        "Thing": {"title": "Thing", "properties": {"a": {"type": "string"}}},
        "NotFoundError": NOT_FOUND,
        "Clock": {"title": "Clock"},
        "Unused": {"title": "Unused"},
    },
)
REVIEW_DOC = _doc(
    "Ladder review",
    {
        "/v1/things": {"get": _op("list_things", "Outer", ("things",))},
        "/v1/other": {"get": _op("other", "NotFoundError")},
    },
    {
        # the same Outer but for its Thing, which differs: both must be renamed
        "Outer": {"title": "Outer", "properties": {"t": {"$ref": "#/components/schemas/Thing"}}},
        "Thing": {"title": "Thing", "properties": {"b": {"type": "integer"}}},
        "NotFoundError": NOT_FOUND,
    },
)


def _schema_of(doc: dict, path: str) -> dict:
    ref = doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    return doc["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]


def test_the_merge_puts_each_service_under_its_prefix_without_internal_routes():
    doc = merge(GATEWAY_DOC, [Part("rules", RULES_DOC), Part("review", REVIEW_DOC)])

    assert set(doc["paths"]) == {
        "/healthz",
        "/api/rules/v1/things",
        "/api/rules/healthz",
        "/api/review/v1/things",
        "/api/review/v1/other",
    }
    ops = [op for ops in doc["paths"].values() for op in ops.values()]
    assert {op["x-ladder-service"] for op in ops} == {GATEWAY, "rules", "review"}
    ids = [op["operationId"] for op in ops]
    assert len(ids) == len(set(ids))
    assert {"healthz", "rules_healthz", "rules_list_things", "review_list_things"} <= set(ids)
    assert doc["paths"]["/api/review/v1/things"]["get"]["tags"] == ["review: things"]
    assert doc["servers"] == [{"url": "/", "description": "the gateway, Ladder's one door"}]
    assert doc["components"]["securitySchemes"] == {"bearer": {"type": "http", "scheme": "bearer"}}


def test_colliding_components_are_renamed_per_service_and_equal_ones_shared():
    doc = merge(GATEWAY_DOC, [Part("rules", RULES_DOC), Part("review", REVIEW_DOC)])
    schemas = doc["components"]["schemas"]

    # The first part keeps the names; review's Thing differs, and so its Outer (by its ref).
    assert {"Outer", "Thing", "ReviewOuter", "ReviewThing", "NotFoundError"} == set(schemas)
    rules_outer, review_outer = _schema_of(doc, "/api/rules/v1/things"), schemas["ReviewOuter"]
    assert _schema_of(doc, "/api/review/v1/things") is review_outer
    assert rules_outer["properties"]["t"] == {"$ref": "#/components/schemas/Thing"}
    assert review_outer["properties"]["t"] == {"$ref": "#/components/schemas/ReviewThing"}
    assert review_outer["title"] == "ReviewOuter" and schemas["ReviewThing"]["title"] == (
        "ReviewThing"
    )
    # Unused and internal-only components are left out.
    assert "Clock" not in schemas and "Unused" not in schemas
    titles = [s["title"] for s in schemas.values()]
    assert len(titles) == len(set(titles))


def test_a_missing_part_is_named_in_the_document():
    doc = merge(GATEWAY_DOC, [Part("rules", RULES_DOC), Part("review", missing="unreachable")])

    parts = doc["info"]["x-ladder-parts"]
    assert parts["review"] == {"included": False, "reason": "unreachable"}
    assert parts["rules"]["included"] and parts["rules"]["paths"] == 2
    assert parts[GATEWAY]["paths"] == 1
    assert "the review service's part is missing (unreachable)" in doc["info"]["description"]
    assert not [p for p in doc["paths"] if p.startswith("/api/review/")]


def test_the_merge_leaves_its_inputs_as_they_were():
    before = repr(REVIEW_DOC)
    merge(GATEWAY_DOC, [Part("rules", RULES_DOC), Part("review", REVIEW_DOC)])
    assert repr(REVIEW_DOC) == before


# ---- through the gateway -------------------------------------------------------------------


class Thing(BaseModel):
    name: str


def documented_upstream(name: str) -> FastAPI:
    """A service with a document made by the kit, recording who asked for it."""
    app = FastAPI(title=f"Ladder {name}", docs_url=None, redoc_url=None)
    app.state.asked = []
    install_openapi(app)

    @app.middleware("http")
    async def record(request, call_next):
        app.state.asked.append(request.headers.get("authorization"))
        return await call_next(request)

    @app.post("/v1/things", responses=declare(NotFound))
    async def create_thing(thing: Thing, key: str = Header(alias="Idempotency-Key")) -> Thing:
        return thing

    return app


def wire_upstream(app: FastAPI, name: str, upstream: FastAPI) -> None:
    app.state.upstreams[name] = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=upstream), base_url=f"http://{name}"
    )


async def test_the_gateway_serves_the_whole_api_and_says_what_is_missing(gateway, closed_port):
    rules = documented_upstream("rules")
    wire_upstream(gateway.app, "rules", rules)
    gateway.app.state.upstreams["review"] = httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{closed_port}"
    )

    resp = await gateway.client.get("/openapi.json")

    assert resp.status_code == 200
    doc = resp.json()
    assert "/api/rules/v1/things" in doc["paths"] and "/healthz" in doc["paths"]
    assert not [p for p in doc["paths"] if p.startswith("/api/{service}")]
    parts = doc["info"]["x-ladder-parts"]
    assert parts["review"] == {"included": False, "reason": "unreachable"}
    # the fakes' echo is no OpenAPI document
    assert parts["declaration"] == {"included": False, "reason": "not an OpenAPI document"}
    op = doc["paths"]["/api/rules/v1/things"]["post"]
    assert op["responses"]["404"]["x-error-codes"] == ["not_found"]
    assert "HTTPValidationError" not in resp.text

    # The review service comes up: the next request after the retry delay includes it.
    wire_upstream(gateway.app, "review", documented_upstream("review"))
    again = await gateway.client.get("/openapi.json")
    assert "review" not in {p.split("/")[2] for p in again.json()["paths"] if p.startswith("/api")}
    gateway.app.state.merged_openapi.built_at -= RETRY_SECONDS
    later = (await gateway.client.get("/openapi.json")).json()
    assert later["info"]["x-ladder-parts"]["review"]["included"] is True
    assert "/api/review/v1/things" in later["paths"]
    ids = [op["operationId"] for ops in later["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))

    # Down again at the next refresh: the part fetched before stays, marked stale.
    gateway.app.state.upstreams["review"] = httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{closed_port}"
    )
    gateway.app.state.merged_openapi.built_at -= REFRESH_SECONDS
    stale = (await gateway.client.get("/openapi.json")).json()
    assert stale["info"]["x-ladder-parts"]["review"]["stale"] == "unreachable"
    assert "/api/review/v1/things" in stale["paths"]
    assert (
        "review service's part is the one fetched before (unreachable)"
        in (stale["info"]["description"])
    )


async def test_dev_pages_are_served(gateway):
    docs = await gateway.client.get("/docs")
    assert docs.status_code == 200
    assert "/openapi.json" in docs.text and "swagger" in docs.text.lower()
    assert (await gateway.client.get("/redoc")).status_code == 200
    assert (await gateway.client.get("/docs/oauth2-redirect")).status_code == 200


async def test_production_asks_a_token_and_fetches_with_the_callers(production_gateway):
    rules = documented_upstream("rules")
    wire_upstream(production_gateway.app, "rules", rules)
    for path in ("/docs", "/redoc", "/docs/oauth2-redirect"):
        resp = await production_gateway.client.get(path)
        assert resp.status_code == 404
        assert resp.json()["error"]["code"] == "not_found"
    refused = await production_gateway.client.get("/openapi.json")
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "unauthenticated"
    assert rules.state.asked == []

    settings = production_gateway.app.state.settings
    token = production_gateway.app.state.signing_key.mint(
        {"sub": "user:someone", "role": "county", "region": "350102"},
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        ttl_seconds=300,
    )
    auth = f"Bearer {token}"
    resp = await production_gateway.client.get("/openapi.json", headers={"Authorization": auth})

    assert resp.status_code == 200
    assert "/api/rules/v1/things" in resp.json()["paths"]
    assert rules.state.asked == [auth]
