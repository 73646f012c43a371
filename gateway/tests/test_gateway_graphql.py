"""GraphQL: the caller, declarations and the review inbox; typed errors; document limits."""

from __future__ import annotations

import pytest

from ladder.gateway.auth.service import demo_users

ME = """
{
  me {
    __typename
    ... on Viewer { sub role name org region }
    ... on Error { code message messageEn }
    ... on Unauthenticated { reason }
  }
}
"""
DECLARATIONS = """
query ($page: Int!, $pageSize: Int!) {
  declarations(page: $page, pageSize: $pageSize) {
    __typename
    ... on DeclarationPage {
      total page pageSize
      items { id status tier factoryName enterpriseName campaignYear }
    }
    ... on Error { code message messageEn }
    ... on ServiceUnavailable { service }
    ... on InvalidArgument { field }
  }
}
"""
INBOX = """
{
  inbox {
    __typename
    ... on InboxPage {
      total
      items { declarationId tier enterpriseName factoryName regionCode status receivedAt }
    }
    ... on Error { code messageEn }
  }
}
"""


async def graphql(client, query, variables=None, headers=None):
    resp = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers or {}
    )
    assert resp.status_code == 200, resp.text
    return resp.json()


async def test_me_is_the_verified_caller(gateway):
    body = await graphql(gateway.client, ME, headers=await gateway.bearer("county"))

    assert "errors" not in body
    assert body["data"]["me"] == {
        "__typename": "Viewer",
        "sub": demo_users()["county"].sub,  # the demo account's (user:<its id>)
        "role": "county",
        "name": "福州市鼓楼区工业和信息化局",
        "org": None,
        "region": "350102",
    }


async def test_me_without_a_token_is_a_typed_unauthenticated(gateway):
    body = await graphql(gateway.client, ME)

    me = body["data"]["me"]
    assert me["__typename"] == "Unauthenticated"
    assert me["code"] == "unauthenticated"
    assert me["reason"] == "missing_token"
    assert me["message"] and me["messageEn"]


async def test_me_with_an_expired_token_is_a_typed_unauthenticated(gateway):
    key = gateway.app.state.signing_key
    token = key.mint(
        {"sub": "demo:county", "role": "county"},
        issuer="ladder-gateway",
        audience="ladder",
        ttl_seconds=-3600,
    )

    body = await graphql(gateway.client, ME, headers={"Authorization": f"Bearer {token}"})

    assert body["data"]["me"]["__typename"] == "Unauthenticated"
    assert body["data"]["me"]["reason"] == "expired"


async def test_declarations_come_from_the_declaration_service_as_the_caller(gateway):
    auth = await gateway.bearer("enterprise")

    body = await graphql(
        gateway.client,
        DECLARATIONS,
        {"page": 2, "pageSize": 3},
        headers={**auth, "X-Request-ID": "gql-req-1"},
    )

    assert "errors" not in body
    page = body["data"]["declarations"]
    assert page["__typename"] == "DeclarationPage"
    assert (page["total"], page["page"], page["pageSize"]) == (42, 2, 3)
    assert page["items"] == [
        {
            "id": "d-1",
            "status": "submitted",
            "tier": "basic",
            "factoryName": "鼓楼智能装配工厂",
            "enterpriseName": "福州示范智能装备有限公司",
            "campaignYear": 2025,
        },
        {  # odd upstream types become nulls; the item without an id is dropped
            "id": "7",
            "status": None,
            "tier": None,
            "factoryName": None,
            "enterpriseName": None,
            "campaignYear": None,
        },
    ]
    (seen,) = gateway.seen("declaration")
    assert seen["path"] == "/v1/declarations"
    assert seen["query"] == "page=2&page_size=3"
    headers = dict(seen["headers"])
    assert headers["authorization"] == auth["Authorization"]
    assert headers["x-request-id"] == "gql-req-1"


async def test_declarations_without_a_token_do_not_reach_the_service(gateway):
    body = await graphql(gateway.client, DECLARATIONS, {"page": 1, "pageSize": 20})

    assert body["data"]["declarations"]["__typename"] == "Unauthenticated"
    assert gateway.seen("declaration") == []


@pytest.mark.parametrize(("page", "page_size", "field"), [(0, 20, "page"), (1, 1000, "pageSize")])
async def test_page_arguments_out_of_range_are_typed_errors(gateway, page, page_size, field):
    body = await graphql(
        gateway.client,
        DECLARATIONS,
        {"page": page, "pageSize": page_size},
        headers=await gateway.bearer("enterprise"),
    )

    result = body["data"]["declarations"]
    assert result["__typename"] == "InvalidArgument"
    assert result["field"] == field
    assert gateway.seen("declaration") == []


async def test_declarations_when_the_service_is_down_are_a_typed_error(
    make_settings, start_gateway, closed_port
):
    settings = make_settings(declaration_url=f"http://127.0.0.1:{closed_port}")
    async with start_gateway(settings, fakes=("rules", "review")) as gw:
        body = await graphql(
            gw.client, DECLARATIONS, {"page": 1, "pageSize": 20}, headers=await gw.bearer("city")
        )

    result = body["data"]["declarations"]
    assert result["__typename"] == "ServiceUnavailable"
    assert result["code"] == "service_unavailable"
    assert result["service"] == "declaration"


async def test_inbox_comes_from_the_review_service(gateway):
    body = await graphql(gateway.client, INBOX, headers=await gateway.bearer("county"))

    assert "errors" not in body
    inbox = body["data"]["inbox"]
    assert inbox["__typename"] == "InboxPage"
    assert inbox["total"] == 1
    assert inbox["items"] == [
        {
            "declarationId": "d-1",
            "tier": "basic",
            "enterpriseName": "福州示范智能装备有限公司",
            "factoryName": "鼓楼智能装配工厂",
            "regionCode": "350102",
            "status": "pending",
            "receivedAt": "2025-06-01T08:30:00+08:00",
        }
    ]
    (seen,) = gateway.seen("review")
    assert seen["path"] == "/v1/inbox"


async def test_inbox_refused_by_the_service_is_a_typed_forbidden(gateway):
    body = await graphql(gateway.client, INBOX, headers=await gateway.bearer("enterprise"))

    inbox = body["data"]["inbox"]
    assert inbox == {
        "__typename": "Forbidden",
        "code": "forbidden",
        "messageEn": "You are not allowed to do this",
    }


async def test_documents_deeper_than_the_limit_are_refused(gateway):
    deep = "{ me { a { b { c { d { e { f { g { h { i } } } } } } } } } }"

    body = await graphql(gateway.client, deep)

    assert body["data"] is None
    assert any("exceeds maximum operation depth of 8" in e["message"] for e in body["errors"])


async def test_documents_with_too_many_aliases_are_refused(gateway):
    aliases = " ".join(f"a{i}: me {{ __typename }}" for i in range(16))

    body = await graphql(gateway.client, f"{{ {aliases} }}")

    assert body["data"] is None
    assert any("aliases found. Allowed: 15" in e["message"] for e in body["errors"])


async def test_documents_with_too_many_tokens_are_refused(gateway):
    fields = " ".join("__typename" for _ in range(2100))

    body = await graphql(gateway.client, f"{{ {fields} }}")

    assert body["data"] is None
    assert any("more than 2000 tokens" in e["message"] for e in body["errors"])


async def test_introspection_is_allowed_in_dev(gateway):
    body = await graphql(gateway.client, "{ __schema { queryType { name } } }")

    assert body["data"] == {"__schema": {"queryType": {"name": "Query"}}}


async def test_introspection_is_refused_in_production(production_gateway):
    body = await graphql(production_gateway.client, "{ __schema { queryType { name } } }")

    assert body["data"] is None
    assert "introspection" in body["errors"][0]["message"].lower()


async def test_graphiql_only_in_dev(gateway, production_gateway):
    dev = await gateway.client.get("/graphql", headers={"Accept": "text/html"})
    prod = await production_gateway.client.get("/graphql", headers={"Accept": "text/html"})

    assert dev.status_code == 200
    assert "graphiql" in dev.text.lower()
    assert prod.status_code == 404


async def test_bugs_in_resolvers_are_masked(gateway, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("ladder.gateway.graphql.schema.declaration_page", broken)

    body = await graphql(
        gateway.client,
        DECLARATIONS,
        {"page": 1, "pageSize": 20},
        headers=await gateway.bearer("enterprise"),
    )

    assert body["errors"][0]["message"] == "Unexpected error."
    assert "secret internals" not in str(body)


@pytest.mark.parametrize(
    "query",
    [
        "{ inbx { __typename } }",  # a field
        "{ declarations(pag: 1) { __typename } }",  # an argument
        "query ($p: Itn) { declarations(page: $p) { __typename } }",  # a type
    ],
)
async def test_production_suggests_no_names(production_gateway, gateway, query):
    """With introspection off, "Did you mean …" would tell the names it hides."""
    prod = await graphql(production_gateway.client, query)
    dev = await graphql(gateway.client, query)

    assert prod["errors"] and all("Did you mean" not in e["message"] for e in prod["errors"])
    assert any("Did you mean" in e["message"] for e in dev["errors"])


async def test_variables_nested_deeply_are_a_422_not_a_500(gateway):
    deep = "[" * 10_000 + "]" * 10_000
    resp = await gateway.client.post(
        "/graphql",
        content=('{"query": "{ me { __typename } }", "variables": {"x": ' + deep + "}}").encode(),
        headers={"content-type": "application/json"},
    )

    assert resp.status_code == 422
    assert resp.json()["error"]["details"]["reason"] == "too_deeply_nested"
