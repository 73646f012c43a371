"""GraphQL: the caller, declarations and the review inbox as connections, their nested
objects through DataLoaders, typed errors, document limits.

The services are the stand-ins of `graphql_fakes.py` (the real ones answer the same reads in
tests/e2e/test_graphql_reads.py); each records what it was asked, so the upstream calls of a
query are counted here.
"""

from __future__ import annotations

import pytest

from gateway.tests.graphql_fakes import ENTERPRISES, wired
from ladder.gateway.auth.service import demo_users

ME = """
{
  me {
    __typename
    ... on Viewer {
      sub role name org region
      account {
        __typename
        ... on Account { username orgRole organisation { kind role region } }
        ... on Error { code }
      }
    }
    ... on Error { code message messageEn }
    ... on Unauthenticated { reason }
  }
}
"""
DECLARATIONS = """
query ($first: Int!, $after: String) {
  declarations(first: $first, after: $after) {
    __typename
    ... on DeclarationConnection {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { id } }
      nodes { id status tier factoryName enterpriseName campaignYear }
    }
    ... on Error { code message messageEn }
    ... on ServiceUnavailable { service }
    ... on UpstreamFailed { service }
    ... on InvalidArgument { field }
  }
}
"""
NESTED = """
query ($first: Int!) {
  declarations(first: $first) {
    __typename
    ... on DeclarationConnection {
      nodes {
        id
        latestPrecheck { outcome findings { ruleId clause passed field } }
        reviewStatus { status event }
        enterprise {
          __typename
          ... on Enterprise { uscc name regionName }
          ... on Error { code messageEn }
        }
        case {
          __typename
          ... on Case {
            status level holderRegion
            history { ... on CaseHistory { transitions { event } } }
          }
          ... on Error { code messageEn }
        }
      }
    }
  }
}
"""
INBOX = """
{
  inbox(first: 2) {
    __typename
    ... on CaseConnection {
      totalCount
      nodes {
        declarationId tier status level receivedAt
        history { __typename ... on CaseHistory { transitions { event toStatus } } }
        declaration { __typename ... on Declaration { id enterpriseName } }
      }
    }
    ... on Error { code messageEn }
  }
}
"""


@pytest.fixture
async def gql(make_settings, start_gateway):
    """The gateway with the services of `graphql_fakes.Services` (`gql.services`)."""
    async with start_gateway(make_settings(), fakes=()) as running:
        await wired(running)
        yield running


async def graphql(client, query, variables=None, headers=None):
    resp = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers or {}
    )
    assert resp.status_code == 200, resp.text
    return resp.json()


async def test_me_is_the_verified_caller_and_their_account(gql):
    body = await graphql(gql.client, ME, headers=await gql.bearer("county"))

    assert "errors" not in body
    me = body["data"]["me"]
    assert {k: me[k] for k in ("__typename", "sub", "role", "name", "org", "region")} == {
        "__typename": "Viewer",
        "sub": demo_users()["county"].sub,  # the demo account's (user:<its id>)
        "role": "county",
        "name": "福州市鼓楼区工业和信息化局",
        "org": None,
        "region": "350102",
    }
    assert me["account"] == {
        "__typename": "Account",
        "username": "county",
        "orgRole": "admin",
        "organisation": {"kind": "authority", "role": "county", "region": "350102"},
    }
    assert [c[1] for c in gql.services.calls("identity")] == ["/v1/me"]


PERMISSIONS = """
{
  me {
    ... on Viewer {
      kind scopes
      jurisdiction { region nationwide coversRegions recommendingUnit unit { id level } }
      account { __typename }
      permissions {
        __typename
        ... on Permissions { roles capabilities { name method path scope source } }
        ... on Error { code }
      }
    }
  }
}
"""


async def test_the_viewers_permissions_are_those_of_get_v1_me(gql):
    """The same roles and capabilities as the gateway's REST `GET /v1/me` answers."""
    auth = await gql.bearer("county")

    body = await graphql(gql.client, PERMISSIONS, headers=auth)
    rest = await gql.client.get("/v1/me", headers=auth)

    viewer = body["data"]["me"]
    assert rest.status_code == 200, rest.text
    me = rest.json()
    assert viewer["kind"] == me["kind"] == "person"
    assert viewer["permissions"]["roles"] == me["roles"]
    assert viewer["permissions"]["capabilities"] == [
        {k: c[k] for k in ("name", "method", "path", "scope", "source")} for c in me["capabilities"]
    ]
    assert viewer["jurisdiction"]["region"] == "350102"
    assert viewer["jurisdiction"]["coversRegions"] == me["jurisdiction"]["covers_regions"]
    # One identity call for the account, the permissions and REST's own.
    assert [c[1] for c in gql.services.calls("identity")] == ["/v1/me", "/v1/me"]


async def test_a_token_of_no_account_has_no_account_and_its_tokens_permissions(gql):
    key = gql.app.state.signing_key
    token = key.mint(
        {"sub": "service:review", "role": "service", "name": "review"},
        issuer="ladder-gateway",
        audience="ladder",
    )

    body = await graphql(gql.client, PERMISSIONS, headers={"Authorization": f"Bearer {token}"})

    viewer = body["data"]["me"]
    assert viewer["kind"] == "service"
    assert viewer["account"] is None
    assert viewer["permissions"]["__typename"] == "Permissions"
    assert gql.services.calls("identity") == []  # a service has no account to ask for


async def test_me_without_a_token_is_a_typed_unauthenticated(gql):
    body = await graphql(gql.client, ME)

    me = body["data"]["me"]
    assert me["__typename"] == "Unauthenticated"
    assert me["code"] == "unauthenticated"
    assert me["reason"] == "missing_token"
    assert me["message"] and me["messageEn"]
    assert gql.services.seen == []


async def test_me_with_an_expired_token_is_a_typed_unauthenticated(gql):
    key = gql.app.state.signing_key
    token = key.mint(
        {"sub": "demo:county", "role": "county"},
        issuer="ladder-gateway",
        audience="ladder",
        ttl_seconds=-3600,
    )

    body = await graphql(gql.client, ME, headers={"Authorization": f"Bearer {token}"})

    assert body["data"]["me"]["__typename"] == "Unauthenticated"
    assert body["data"]["me"]["reason"] == "expired"


async def test_declarations_are_a_connection_paged_with_cursors(gql):
    auth = await gql.bearer("enterprise")
    every = [d["id"] for d in gql.services.declarations]

    seen, after, pages = [], None, 0
    while True:
        body = await graphql(gql.client, DECLARATIONS, {"first": 100, "after": after}, auth)
        page = body["data"]["declarations"]
        assert page["__typename"] == "DeclarationConnection", page
        assert page["totalCount"] == 250
        assert [e["node"]["id"] for e in page["edges"]] == [n["id"] for n in page["nodes"]]
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        assert page["pageInfo"]["hasPreviousPage"] == (after is not None)
        seen += [n["id"] for n in page["nodes"]]
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert seen == every
    assert pages == 3
    asked = [(c[2]["page"], c[2]["page_size"]) for c in gql.services.calls("declaration")]
    assert asked == [(["1"], ["100"]), (["2"], ["100"]), (["3"], ["100"])]
    first = gql.services.declarations[0]
    assert page["nodes"][-1] == {
        "id": every[-1],
        "status": "submitted",
        "tier": "advanced",
        "factoryName": "智能工厂249",
        "enterpriseName": f"示范企业{249 % len(ENTERPRISES)}",
        "campaignYear": 2026,
    }
    assert first["factory_name"] == "智能工厂0"


async def test_any_edge_is_a_cursor_to_go_on_from(gql):
    """After the 3rd item of a page of 3, a page of 5 straddles upstream pages: still the
    next five, in order (one upstream page of a size that holds them)."""
    auth = await gql.bearer("enterprise")
    every = [d["id"] for d in gql.services.declarations]
    body = await graphql(gql.client, DECLARATIONS, {"first": 3}, auth)
    third = body["data"]["declarations"]["edges"][2]["cursor"]

    body = await graphql(gql.client, DECLARATIONS, {"first": 5, "after": third}, auth)

    assert [n["id"] for n in body["data"]["declarations"]["nodes"]] == every[3:8]
    asked = gql.services.calls("declaration")[-1][2]
    page, size = int(asked["page"][0]), int(asked["page_size"][0])
    assert (page - 1) * size <= 3 and page * size >= 8


async def test_a_page_of_declarations_with_nested_objects_is_three_upstream_calls(gql):
    """The acceptance of issue 17 in process: enterprises and cases come through batch
    reads, so the calls do not grow with the page (the real services: tests/e2e)."""
    auth = await gql.bearer("province")
    counts = {}
    for first in (10, 100):
        gql.services.seen.clear()
        body = await graphql(gql.client, NESTED, {"first": first}, auth)
        assert "errors" not in body, body
        nodes = body["data"]["declarations"]["nodes"]
        assert len(nodes) == first
        counts[first] = sorted((c[0], c[1]) for c in gql.services.seen)
        enterprises = [c for c in gql.services.seen if c[1] == "/v1/enterprises"]
        assert sorted(enterprises[0][2]["uscc"]) == sorted(ENTERPRISES)  # each one once
        cases = [c for c in gql.services.seen if c[1] == "/v1/cases"]
        assert len(cases[0][2]["declaration_id"]) == first

    assert (
        counts[10]
        == counts[100]
        == [
            ("declaration", "/v1/declarations"),
            ("declaration", "/v1/enterprises"),
            ("review", "/v1/cases"),
        ]
    )
    node = nodes[0]
    assert node["latestPrecheck"] == {
        "outcome": "eligible",
        "findings": [
            {"ruleId": "cmmm.level", "clause": "要素条件(2025) 三(一)1", "passed": True,
             "field": "facts.cmmm_level"}
        ],
    }  # fmt: skip
    assert node["reviewStatus"] == {"status": "awaiting_initial_review", "event": "received"}
    assert node["enterprise"] == {
        "__typename": "Enterprise",
        "uscc": ENTERPRISES[0],
        "name": "示范企业0",
        "regionName": "鼓楼区",
    }
    assert node["case"]["__typename"] == "Case"
    assert node["case"]["history"] == {"transitions": [{"event": "received"}]}


async def test_what_a_batch_leaves_out_is_not_found_with_the_rest_code(gql):
    auth = await gql.bearer("province")
    body = await graphql(gql.client, NESTED, {"first": 100}, auth)
    nodes = body["data"]["declarations"]["nodes"]

    unknown = [n for n in nodes if n["enterprise"]["__typename"] != "Enterprise"]
    assert unknown and all(
        n["enterprise"] == {"__typename": "NotFound", "code": "enterprise_not_found",
                            "messageEn": "Enterprise not found"}
        for n in unknown
    )  # fmt: skip
    assert len(unknown) == len([d for d in gql.services.declarations[:100]
                                if d["enterprise_uscc"] == ENTERPRISES[-1]])  # fmt: skip


async def test_a_refused_batch_is_each_items_typed_error(gql):
    """An enterprise reads its declarations, not their review cases: every `case` is the
    review service's 403, typed, and the page stands."""
    body = await graphql(gql.client, NESTED, {"first": 10}, await gql.bearer("enterprise"))

    nodes = body["data"]["declarations"]["nodes"]
    assert len(nodes) == 10
    assert {n["case"]["__typename"] for n in nodes} == {"Forbidden"}
    assert len(gql.services.calls("review")) == 1


async def test_an_answer_that_does_not_parse_is_upstream_failed_not_dropped(gql):
    gql.services.broken.add("/v1/declarations")

    body = await graphql(gql.client, DECLARATIONS, {"first": 10}, await gql.bearer("enterprise"))

    result = body["data"]["declarations"]
    assert result == {
        "__typename": "UpstreamFailed",
        "code": "upstream_error",
        "message": "依赖的服务返回了无法解析的应答",
        "messageEn": "A service answered with something that could not be read",
        "service": "declaration",
    }


async def test_declarations_without_a_token_do_not_reach_the_service(gql):
    body = await graphql(gql.client, DECLARATIONS, {"first": 20})

    assert body["data"]["declarations"]["__typename"] == "Unauthenticated"
    assert gql.services.seen == []


@pytest.mark.parametrize(
    ("variables", "field", "code"),
    [
        ({"first": 0}, "first", "validation_error"),
        ({"first": 101}, "first", "validation_error"),
        ({"first": -5}, "first", "validation_error"),
        ({"first": 10, "after": "not a cursor"}, "after", "invalid_cursor"),
        ({"first": 10, "after": "eyJvIjotMX0"}, "after", "invalid_cursor"),  # {"o":-1}
        ({"first": 10, "after": "eyJvIjoxZTl9"}, "after", "invalid_cursor"),  # {"o":1e9}
        ({"first": 10, "after": "eyJvIjo5OTk5OTk5OTk5fQ"}, "after", "validation_error"),
        ({"first": 10, "after": "x" * 5000}, "after", "invalid_cursor"),
    ],
)
async def test_bad_paging_arguments_are_typed_errors(gql, variables, field, code):
    body = await graphql(
        gql.client, DECLARATIONS, variables, headers=await gql.bearer("enterprise")
    )

    result = body["data"]["declarations"]
    assert result["__typename"] == "InvalidArgument"
    assert (result["field"], result["code"]) == (field, code)
    assert gql.services.seen == []


async def test_first_is_required(gql):
    body = await graphql(gql.client, "{ declarations { __typename } }")

    assert body["data"] is None
    assert "declarations(first:)' of type 'Int!' is required" in body["errors"][0]["message"]


async def test_declarations_when_the_service_is_down_are_a_typed_error(
    make_settings, start_gateway, closed_port
):
    settings = make_settings(declaration_url=f"http://127.0.0.1:{closed_port}")
    async with start_gateway(settings, fakes=("rules", "review")) as gw:
        body = await graphql(
            gw.client, DECLARATIONS, {"first": 20}, headers=await gw.bearer("city")
        )

    result = body["data"]["declarations"]
    assert result["__typename"] == "ServiceUnavailable"
    assert result["code"] == "service_unavailable"
    assert result["service"] == "declaration"


async def test_one_declaration_enterprise_and_case_by_their_keys(gql):
    d = gql.services.declarations[5]
    query = """query ($id: ID!, $uscc: String!) {
      declaration(id: $id) { __typename ... on Declaration { id factoryName } }
      enterprise(uscc: $uscc) { __typename ... on Enterprise { uscc } }
      case(declarationId: $id) { __typename ... on Case { declarationId } }
      missing: declaration(id: "00000000-0000-4000-8000-00000000ffff") {
        __typename ... on Error { code } }
      bad: declaration(id: "x") { __typename ... on InvalidArgument { field } }
      short: enterprise(uscc: "9135") { __typename ... on InvalidArgument { field } }
    }"""

    body = await graphql(
        gql.client, query, {"id": d["id"], "uscc": d["enterprise_uscc"]},
        await gql.bearer("province"),
    )  # fmt: skip

    assert body["data"] == {
        "declaration": {"__typename": "Declaration", "id": d["id"], "factoryName": "智能工厂5"},
        "enterprise": {"__typename": "Enterprise", "uscc": d["enterprise_uscc"]},
        "case": {"__typename": "Case", "declarationId": d["id"]},
        "missing": {"__typename": "NotFound", "code": "declaration_not_found"},
        "bad": {"__typename": "InvalidArgument", "field": "id"},
        "short": {"__typename": "InvalidArgument", "field": "uscc"},
    }
    # Both declarations in one batch read.
    (batch,) = [c for c in gql.services.seen if c[1] == "/v1/declarations"]
    assert len(batch[2]["ids"]) == 2


async def test_the_inbox_with_history_and_declarations(gql):
    body = await graphql(gql.client, INBOX, headers=await gql.bearer("county"))

    assert "errors" not in body, body
    inbox = body["data"]["inbox"]
    assert inbox["__typename"] == "CaseConnection"
    assert inbox["totalCount"] == 250
    first = inbox["nodes"][0]
    assert first["declarationId"] == gql.services.declarations[0]["id"]
    assert (first["tier"], first["status"], first["level"]) == (
        "advanced",
        "awaiting_initial_review",
        "county",
    )
    assert first["receivedAt"] == "2026-06-01T08:30:00+08:00"
    assert first["history"]["transitions"] == [
        {"event": "received", "toStatus": "awaiting_initial_review"}
    ]
    assert first["declaration"]["__typename"] == "Declaration"
    assert sorted(c[1] for c in gql.services.seen) == [
        "/v1/cases",
        "/v1/declarations",
        "/v1/inbox",
    ]


async def test_the_inbox_refused_by_the_service_is_a_typed_forbidden(gql):
    body = await graphql(gql.client, INBOX, headers=await gql.bearer("enterprise"))

    assert body["data"]["inbox"] == {
        "__typename": "Forbidden",
        "code": "forbidden",
        "messageEn": "You are not allowed to do this",
    }


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


async def test_bugs_in_resolvers_are_masked(gql, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("ladder.gateway.graphql.reads.offset_connection", broken)

    body = await graphql(
        gql.client, DECLARATIONS, {"first": 20}, headers=await gql.bearer("enterprise")
    )

    assert body["errors"][0]["message"] == "Unexpected error."
    assert "secret internals" not in str(body)


@pytest.mark.parametrize(
    "query",
    [
        "{ inbx { __typename } }",  # a field
        "{ declarations(frist: 1) { __typename } }",  # an argument
        "query ($p: Itn) { declarations(first: $p) { __typename } }",  # a type
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


async def test_the_callers_language_reaches_the_services(gql):
    """A service words its refusals in the caller's language (`Accept-Language`, passed on):
    the typed errors that carry them follow it."""
    auth = await gql.bearer("enterprise")
    english = {**auth, "Accept-Language": "en-US,en;q=0.9"}
    body = await graphql(gql.client, DECLARATIONS, {"first": 10}, english)
    assert body["data"]["declarations"]["__typename"] == "DeclarationConnection"
    asked = [lang for call, lang in zip(gql.services.seen, gql.services.languages, strict=True)
             if call[0] == "declaration"]  # fmt: skip
    assert asked and set(asked) == {"en-US,en;q=0.9"}
    gql.services.seen.clear()
    gql.services.languages.clear()
    await graphql(gql.client, DECLARATIONS, {"first": 10}, auth)
    assert gql.services.calls("declaration") and set(gql.services.languages) == {None}
