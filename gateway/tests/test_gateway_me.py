"""`GET /v1/me` at the gateway: a person's account from the identity service composed with the
token's claims; a machine client, a Ladder service and a token of no account from the token;
capabilities by role, organisation, admin and scopes; failures of the identity service."""

from __future__ import annotations

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from ladder.gateway.me.capabilities import CAPABILITIES
from ladder.kit.errors import error_body

ORG_OF = {  # sub → (organisation kind, org_role) the fake identity service knows
    "user:7b7af264-6f64-58fd-87d3-fc3ec546eaad": ("unit", "admin"),  # county (鼓楼)
    "user:e7aed7dc-58b6-525e-bb85-4f9e4ee51422": ("enterprise", "member"),  # enterprise
}


def fake_identity() -> FastAPI:
    """The identity service's `/v1/me`, as its accounts answer it, by the token's `sub`."""
    from jose import jwt

    app = FastAPI(openapi_url=None)
    app.state.asked = 0
    app.state.answer = None  # a status to answer instead

    @app.get("/v1/me")
    async def me(request: Request) -> JSONResponse:
        app.state.asked += 1
        if app.state.answer is not None:
            return JSONResponse(error_body("unauthenticated", "x", "x"), app.state.answer)
        token = request.headers["authorization"].removeprefix("Bearer ")
        claims = jwt.get_unverified_claims(token)
        if claims["sub"] not in ORG_OF:
            return JSONResponse(
                error_body("forbidden", "x", "x", {"reason": "not_an_account"}), 403
            )
        kind, org_role = ORG_OF[claims["sub"]]
        return JSONResponse(
            {
                "user": {
                    "id": claims["sub"].removeprefix("user:"),
                    "username": "demo",
                    "email": "demo@ladder.example",
                    "display_name": claims["name"],
                    "org_role": org_role,
                    "status": "active",
                    "mfa_enrolled": False,
                    "last_sign_in_at": None,
                },
                "organisation": {
                    "id": "00000000-0000-0000-0000-000000000001",
                    "kind": kind,
                    "role": claims["role"],
                    "name": claims["name"],
                    "region": claims.get("region"),
                    "uscc": claims.get("org"),
                    "status": "active",
                },
                "claims": {"role": claims["role"]},
            }
        )

    return app


def _wire(gateway, app: FastAPI) -> None:
    gateway.app.state.upstreams["identity"] = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://identity"
    )


def _mint(gateway, claims: dict) -> dict[str, str]:
    settings = gateway.app.state.settings
    token = gateway.app.state.signing_key.mint(
        claims, issuer=settings.jwt_issuer, audience=settings.jwt_audience, ttl_seconds=300
    )
    return {"Authorization": f"Bearer {token}"}


def _names(body: dict) -> set[str]:
    return {c["name"] for c in body["capabilities"]}


async def test_a_person_gets_account_organisation_jurisdiction_and_capabilities(gateway):
    identity = fake_identity()
    _wire(gateway, identity)

    resp = await gateway.client.get("/v1/me", headers=await gateway.bearer("county"))

    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["kind"] == "person" and body["role"] == "county"
    assert body["roles"] == ["county", "org_admin"]
    assert body["account"]["org_role"] == "admin" and body["organisation"]["kind"] == "unit"
    assert body["client"] is None and body["scopes"] is None
    assert body["jurisdiction"]["region"] == "350102"
    assert body["jurisdiction"]["unit"]["id"] == "350102"
    assert body["jurisdiction"]["covers_regions"] == ["350102"]
    assert {"review_cases", "give_opinions", "approve_registrations", "manage_users",
            "manage_machine_clients", "evaluate"} <= _names(body)  # fmt: skip
    assert not {"declare", "subscribe_webhooks", "run_national_review"} & _names(body)
    opinions = next(c for c in body["capabilities"] if c["name"] == "give_opinions")
    assert opinions["path"] == "/api/review/v1/cases/{declaration_id}/opinions"
    assert opinions["scope"] == "review:write" and "321号" in opinions["source"]
    assert identity.state.asked == 1


async def test_an_enterprise_member_declares_and_manages_nothing(gateway):
    _wire(gateway, fake_identity())

    body = (await gateway.client.get("/v1/me", headers=await gateway.bearer("enterprise"))).json()

    assert body["jurisdiction"]["org"] == "91350102MA2Y00001E"
    assert body["jurisdiction"]["unit"] is None and body["jurisdiction"]["covers_regions"] == []
    assert {"declare", "self_assess", "apply_for_acceptance"} <= _names(body)
    assert not {"manage_users", "review_cases", "manage_machine_clients"} & _names(body)


async def test_a_machine_client_is_answered_from_its_token_and_scopes(gateway):
    identity = fake_identity()
    _wire(gateway, identity)
    claims = {"sub": "client:fj-platform", "role": "province", "name": "福建省申报对接系统",
              "region": "350000", "scope": "review:read review:write"}  # fmt: skip

    body = (await gateway.client.get("/v1/me", headers=_mint(gateway, claims))).json()

    assert body["kind"] == "machine_client"
    assert body["client"] == {"client_id": "fj-platform", "name": "福建省申报对接系统"}
    assert body["account"] is None and body["organisation"] is None
    assert body["scopes"] == ["review:read", "review:write"]
    assert body["jurisdiction"]["unit"]["name"] == "福建省工业和信息化厅"
    assert body["jurisdiction"]["recommending_unit"] == "350000"
    assert {"push_ranked_lists", "subscribe_webhooks", "review_cases"} <= _names(body)
    # declaration's and rules' routes need their scopes; people's routes are not a client's
    assert not {"import_self_assessments", "evaluate", "manage_users", "score_assigned_cases"} & (
        _names(body)
    )
    assert identity.state.asked == 0

    read_only = {**claims, "scope": "review:read"}
    body = (await gateway.client.get("/v1/me", headers=_mint(gateway, read_only))).json()
    assert "review_cases" in _names(body) and "push_ranked_lists" not in _names(body)


async def test_a_service_and_a_token_of_no_account(gateway):
    identity = fake_identity()
    _wire(gateway, identity)

    service = {"sub": "service:review", "role": "service", "name": "review"}
    body = (await gateway.client.get("/v1/me", headers=_mint(gateway, service))).json()
    assert body["kind"] == "service" and body["account"] is None
    assert _names(body) == {"evaluate", "object_to_publicity", "operate_event_relay"}

    # a person's token whose account the identity service does not know (403 not_an_account)
    ministry = {"sub": "user:00000000-0000-0000-0000-0000000000ff", "role": "ministry"}
    body = (await gateway.client.get("/v1/me", headers=_mint(gateway, ministry))).json()
    assert body["kind"] == "person" and body["account"] is None
    assert body["jurisdiction"]["nationwide"] is True
    assert "run_national_review" in _names(body) and "manage_users" not in _names(body)
    assert identity.state.asked == 1


async def test_without_a_token_or_with_identity_refusing_or_down(gateway, closed_port):
    resp = await gateway.client.get("/v1/me")
    assert resp.status_code == 401
    assert resp.json()["error"]["code"] == "unauthenticated"

    identity = fake_identity()
    identity.state.answer = 401  # the account was deactivated
    _wire(gateway, identity)
    resp = await gateway.client.get("/v1/me", headers=await gateway.bearer("county"))
    assert resp.status_code == 401
    assert resp.json()["error"]["details"] == {"reason": "inactive"}

    identity.state.answer = 500
    resp = await gateway.client.get("/v1/me", headers=await gateway.bearer("county"))
    assert resp.status_code == 502
    assert resp.json()["error"]["code"] == "upstream_error"

    gateway.app.state.upstreams["identity"] = httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{closed_port}"
    )
    resp = await gateway.client.get("/v1/me", headers=await gateway.bearer("county"))
    assert resp.status_code == 503
    assert resp.json()["error"]["code"] == "service_unavailable"
    assert resp.headers["retry-after"]


def test_capabilities_have_distinct_names_and_a_source():
    names = [c.name for c in CAPABILITIES]
    assert len(names) == len(set(names))
    assert all(c.source and c.roles and c.route[1].startswith("/") for c in CAPABILITIES)


async def test_the_route_is_documented_with_its_codes(gateway):
    op = gateway.app.openapi()["paths"]["/v1/me"]["get"]
    assert op["security"] == [{"bearer": []}]
    codes = {s: r["x-error-codes"] for s, r in op["responses"].items() if s >= "400"}
    assert codes == {
        "401": ["unauthenticated"],
        "403": ["insufficient_scope"],
        "502": ["upstream_connection_lost", "upstream_error"],
        "503": ["service_unavailable"],
        "504": ["upstream_timeout"],
    }
