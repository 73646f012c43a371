"""GraphQL at the gateway refuses what is not a GraphQL request in Ladder's error model
(issue 12 item 3): an empty body, a body that is not JSON or not a JSON object, the wrong
content type, invalid UTF-8 and deep nesting are 4xx `{"error": {...}}` answers — never a
500, never text/plain. Documents that parse as JSON but not as GraphQL (a 100k-deep query)
are GraphQL's own: a 200 whose `errors` say why, as for the depth and token limits."""

from __future__ import annotations

import pytest

OK = '{"query": "{ me { __typename } }"}'
DEEP = 100_000
JSON = "application/json"


def _envelope(resp) -> dict:
    assert resp.headers["content-type"].startswith(JSON), resp.headers["content-type"]
    error = resp.json()["error"]
    assert {"code", "message", "message_en", "details"} <= set(error)
    return error


async def _post(gateway, content: bytes, content_type: str | None = JSON):
    headers = {"content-type": content_type} if content_type else {}
    return await gateway.client.post("/graphql", content=content, headers=headers)


@pytest.mark.parametrize(
    ("content", "content_type", "reason"),
    [
        (b"", JSON, "empty_body"),
        (b"  \n", JSON, "empty_body"),
        (b"", None, "unsupported_content_type"),
        (b"{not json", JSON, "not_json"),
        (b"query { me { __typename } }", JSON, "not_json"),
        (b"null", JSON, "not_an_object"),
        (b'"{ me { __typename } }"', JSON, "not_an_object"),
        (b"42", JSON, "not_an_object"),
        (b'[{"query": "{ me { __typename } }"}]', JSON, "not_an_object"),
        (OK.encode(), "text/plain", "unsupported_content_type"),
        (OK.encode(), "application/x-www-form-urlencoded", "unsupported_content_type"),
        (OK.encode(), "multipart/form-data; boundary=x", "unsupported_content_type"),
        (b"{ me { __typename } }", "application/graphql", "unsupported_content_type"),
        (OK.encode(), "application/jsonx", "unsupported_content_type"),
        (b'{"query": 5}', JSON, "invalid_request"),
        (b'{"variables": {}}', JSON, "invalid_request"),
        (b'{"query": "{ me { __typename } }", "variables": [1]}', JSON, "invalid_request"),
        (b'{"query": "{ me { __typename } }", "extensions": "x"}', JSON, "invalid_request"),
    ],
)
async def test_what_is_not_a_graphql_request_is_a_400_in_the_envelope(
    gateway, content, content_type, reason
):
    resp = await _post(gateway, content, content_type)

    assert resp.status_code == 400, resp.text
    error = _envelope(resp)
    assert error["code"] == "bad_graphql_request"
    assert error["details"]["reason"] == reason


@pytest.mark.parametrize(
    ("content", "content_type", "reason"),
    [
        (b'{"query": "{ me { __typename } }\xff\xfe"}', JSON, "invalid_utf8"),
        (b'{"query": "{ me { __typename } }\xff"}', "application/graphql-response+json",
         "invalid_utf8"),
        (b'{"query": "{ me { __typename } }\\u0000"}', JSON, "nul_character"),
        (b'{"query": ' + b"[" * DEEP + b"]" * DEEP + b"}", JSON, "too_deeply_nested"),
        (b'{"query": "{ me { __typename } }", "variables": {"x": '
         + b"[" * DEEP + b"]" * DEEP + b"}}", JSON, "too_deeply_nested"),
        (b'{"query": "{ me { __typename } }", "variables": '
         + b'{"a": ' * DEEP + b"1" + b"}" * DEEP + b"}", JSON, "too_deeply_nested"),
        (b'{"query": "{ me { __typename } }", "variables": {"x": '
         + b"[" * DEEP + b"]" * DEEP + b"}}", "application/vnd.ladder+json", "too_deeply_nested"),
    ],
)  # fmt: skip
async def test_hostile_json_is_the_edge_refusal_in_the_envelope(
    gateway, content, content_type, reason
):
    """What the kit's input guard refuses on every route, refused the same way here."""
    resp = await _post(gateway, content, content_type)

    assert resp.status_code == 422, resp.text
    error = _envelope(resp)
    assert error["code"] == "invalid_input"
    assert error["details"]["reason"] == reason


@pytest.mark.parametrize(
    "query",
    [
        "{ me " * DEEP,
        "{" * DEEP,
        "query ($x: [Int] = " + "[" * DEEP + ") { me { __typename } }",
        "{ declarations(page: " + "[" * DEEP + ") { __typename } }",
    ],
)
async def test_a_deep_document_is_a_graphql_error_not_a_500(gateway, query):
    resp = await gateway.client.post("/graphql", json={"query": query})

    assert resp.status_code == 200, resp.text[:300]
    body = resp.json()
    assert body["data"] is None and body["errors"]


async def test_a_deep_body_the_edge_does_not_read_as_json_is_refused_unread(gateway):
    """`application/jsonx` passed the edge guard (not JSON to it) and strawberry parsed it as
    JSON (its test is a substring): 100k brackets exhausted the parser's stack, a 500."""
    deep = b'{"query": "{ me { __typename } }", "variables": {"x": ' + b"[" * DEEP + b"]" * DEEP
    resp = await _post(gateway, deep + b"}}", "application/jsonx")

    assert resp.status_code == 400, resp.text[:300]
    assert _envelope(resp)["details"]["reason"] == "unsupported_content_type"


async def test_a_json_body_that_is_not_an_object_was_a_500(gateway):
    """`null` and a bare string reached strawberry's `data.get(...)` (AttributeError)."""
    for content in (b"null", b'"x"', b"true", b"1.5"):
        resp = await _post(gateway, content)
        assert resp.status_code == 400, (content, resp.text)
        assert _envelope(resp)["details"]["reason"] == "not_an_object"


async def test_the_answers_carry_nothing_of_what_was_sent(gateway):
    secret = "13912345678"
    for content, ctype in [
        (f'{{"query": "{secret}"'.encode(), JSON),
        (f'{{"query": "{secret}"}}'.encode(), "text/plain"),
        (f'{{"query": {secret}}}'.encode(), JSON),
    ]:
        resp = await _post(gateway, content, ctype)
        assert resp.status_code == 400
        assert secret not in resp.text


async def test_refusals_outside_post_are_in_the_envelope(gateway, production_gateway):
    ide = await production_gateway.client.get("/graphql", headers={"Accept": "text/html"})
    assert ide.status_code == 404
    assert _envelope(ide)["code"] == "not_found"

    put = await gateway.client.put("/graphql", content=OK, headers={"content-type": JSON})
    assert put.status_code == 405
    assert _envelope(put)["code"] == "method_not_allowed"


async def test_a_good_request_still_works(gateway):
    resp = await _post(gateway, OK.encode())
    assert resp.status_code == 200
    assert resp.json() == {"data": {"me": {"__typename": "Unauthenticated"}}}

    charset = await _post(gateway, OK.encode(), "application/json; charset=utf-8")
    assert charset.status_code == 200


def test_the_graphql_route_declares_its_error_answers(gateway):
    post = gateway.app.openapi()["paths"]["/graphql"]["post"]
    assert {"400", "422"} <= set(post["responses"])
