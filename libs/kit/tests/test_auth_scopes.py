"""Machine clients' scopes (`<service>:read|write`) and an external issuer's claim mapping."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from ladder.kit.auth import (
    InsufficientScope,
    PrincipalDep,
    Role,
    TokenVerifier,
    check_scope,
    principal_from_claims,
    required_scope,
)
from ladder.kit.errors import Unauthenticated, install_error_handlers
from ladder.kit.testing import AUDIENCE, ISSUER, TestIssuer


def test_the_scope_a_request_needs_follows_its_method():
    assert required_scope("review", "GET") == "review:read"
    assert required_scope("review", "head") == "review:read"
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        assert required_scope("review", method) == "review:write"


def test_scope_is_read_from_the_oauth_string_or_a_list():
    base = {"sub": "client:p1", "role": "province", "region": "350000"}
    assert principal_from_claims({**base, "scope": "review:read review:write"}, {}).scopes == {
        "review:read",
        "review:write",
    }
    assert principal_from_claims({**base, "scp": ["declaration:read"]}, {}).scopes == {
        "declaration:read"
    }
    assert principal_from_claims(base, {}).scopes is None  # a person: no scopes, role governs
    with pytest.raises(ValueError):
        principal_from_claims({**base, "scope": 7}, {})


def test_a_scoped_principal_needs_the_scope_and_others_pass():
    scoped = principal_from_claims({"sub": "c", "role": "province", "scope": "review:read"}, {})
    check_scope(scoped, "review", "GET")
    with pytest.raises(InsufficientScope) as exc:
        check_scope(scoped, "review", "POST")
    assert exc.value.details == {"required_scope": "review:write"}
    with pytest.raises(InsufficientScope):
        check_scope(scoped, "declaration", "GET")
    person = principal_from_claims({"sub": "u", "role": "county", "region": "350102"}, {})
    check_scope(person, "review", "POST")


async def test_an_external_issuers_claims_are_mapped_with_a_second_key_set():
    """Tokens of another issuer's key set, carrying Ladder's claims under its own names."""
    external = TestIssuer()
    jwks = external.key.jwks()
    verifier = TokenVerifier(
        jwks_url="http://idp.example/jwks",
        issuer=ISSUER,
        audience=AUDIENCE,
        algorithms=["RS256"],
        http=httpx.AsyncClient(
            transport=httpx.MockTransport(lambda _r: httpx.Response(200, json=jwks))
        ),
        claim_map={
            "role": "ladder_role",
            "region": "https://ladder.example/region",
            "name": "preferred_username",
        },
    )
    token = external.key.mint(
        {
            "sub": "idp|42",
            "ladder_role": "province",
            "https://ladder.example/region": "350000",
            "preferred_username": "福建省厅 张三",
            "role": "ministry",  # the external token's own `role` is not Ladder's: ignored
        },
        issuer=ISSUER,
        audience=AUDIENCE,
    )
    principal = await verifier.verify(token)
    assert (principal.sub, principal.role, principal.region, principal.name) == (
        "idp|42",
        Role.province,
        "350000",
        "福建省厅 张三",
    )
    # Ladder's own key set is not trusted by this verifier.
    with pytest.raises(Unauthenticated):
        await verifier.verify(TestIssuer().token("ministry"))
    # A token without the mapped role claim is refused, not given a default role.
    bare = external.key.mint(
        {"sub": "idp|43", "role": "ministry"}, issuer=ISSUER, audience=AUDIENCE
    )
    with pytest.raises(Unauthenticated) as exc:
        await verifier.verify(bare)
    assert exc.value.details["reason"] == "claims"


async def test_a_service_refuses_a_machine_token_without_the_scope_with_403():
    issuer = TestIssuer()
    app = FastAPI()
    install_error_handlers(app)
    app.state.verifier = issuer.verifier()
    app.state.service_name = "review"

    @app.get("/v1/things")
    async def read(principal: PrincipalDep) -> dict:
        return {"sub": principal.sub}

    @app.post("/v1/things")
    async def write(principal: PrincipalDep) -> dict:
        return {"sub": principal.sub}

    reader = issuer.headers("province", sub="client:p1", region="350000", scope="review:read")
    person = issuer.headers("province", sub="user:1", region="350000")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        assert (await client.get("/v1/things", headers=reader)).status_code == 200
        refused = await client.post("/v1/things", headers=reader)
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "insufficient_scope"
        assert refused.json()["error"]["details"] == {"required_scope": "review:write"}
        assert (await client.post("/v1/things", headers=person)).status_code == 200
