"""GraphQL mutations at the gateway: what each sends to its service (the caller's token, the
request id, the client's address, Accept-Language, If-Match, Idempotency-Key, the body), and
what it makes of the answer — the payload with the new ETag, or the typed error carrying the
envelope whole (code, both messages, details), and `UpstreamFailed` for an answer that is not
what the route answers.

The services here are stand-ins that answer what a test scripts and record what they were
asked; the real services answer the same mutations in tests/e2e/test_graphql_mutations.py.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from gateway.tests.graphql_fakes import _case, _declaration
from ladder.kit.errors import error_body

DID = str(uuid.UUID(int=1))
DECLARATION = _declaration(0)  # id DID
CASE = _case(DECLARATION, full=True)
LIST = {
    "campaign_year": 2031,
    "tier": "excellence",
    "unit": "350000",
    "status": "open",
    "limit": 5,
    "quota": {"policy": "2025"},
    "counted": 1,
    "exempt": 0,
    "remaining": 4,
    "ranking_level": None,
    "deadline": None,
    "submission": None,
    "etag": 'W/"list-350000-v2"',
    "entries": [
        {
            "rank": 1,
            "declaration_id": DID,
            "counts": True,
            "exemption": None,
            "enterprise_name": "示范企业0",
            "factory_name": "智能工厂0",
            "region_code": "350102",
            "added_by": "demo:province",
            "added_at": "2026-06-01T08:30:00+08:00",
        }
    ],
    "history": [],
    "created_by": "demo:province",
    "created_at": "2026-06-01T08:30:00+08:00",
    "updated_at": "2026-06-01T08:30:00+08:00",
}

SAVE = """
mutation ($id: ID!, $ifMatch: String!, $facts: JSON) {
  saveDeclarationDraft(id: $id, ifMatch: $ifMatch, facts: $facts) {
    __typename
    ... on DeclarationPayload { etag declaration { id status facts } }
    ... on Error { code message messageEn details }
    ... on PreconditionFailed { currentEtag }
    ... on ServiceUnavailable { service }
    ... on UpstreamFailed { service status }
    ... on InvalidArgument { field }
  }
}
"""
OPINION = """
mutation ($id: ID!, $ifMatch: String!, $key: String!) {
  giveOpinion(declarationId: $id, ifMatch: $ifMatch, idempotencyKey: $key,
              opinion: {decision: "forward",
                        creditCheck: {gsxt: "clear", zxgk: "clear", checkedOn: "2026-06-01"}}) {
    __typename
    ... on OpinionPayload { etag opinion { decision creditCheck { checkedOn } } case { status } }
    ... on Error { code details }
  }
}
"""
LOCK = """
mutation ($unit: String!, $ifMatch: String!) {
  lockRecommendationList(campaign: 2031, tier: "excellence", unit: $unit, ifMatch: $ifMatch) {
    __typename
    ... on RecommendationListPayload {
      etag
      list { status entryCount detail { ... on ListDetail { entries { rank declarationId } } } }
    }
    ... on Error { code }
    ... on InvalidArgument { field }
  }
}
"""
TIERED = """
mutation ($tier: String!) {
  objectToPublicity(campaign: 2031, tier: $tier,
                    objection: {declarationId: "DID", content: "对该项目的数据有疑问，请核实。"}) {
    __typename
    ... on InvalidArgument { field }
  }
}
""".replace("DID", DID)
OBJECT = """
mutation ($key: String) {
  objectToPublicity(campaign: 2031, tier: "excellence", idempotencyKey: $key,
                    objection: {declarationId: "DID", content: "对该项目的数据有疑问，请核实。"}) {
    __typename
    ... on ObjectionReceipt { id declarationId receivedAt }
    ... on Error { code }
    ... on RateLimited { retryAfterSeconds }
  }
}
""".replace("DID", DID)


class Stand:
    """A service that answers what the test scripted (`answer`) and records each request."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []
        self.status = 200
        self.body: Any = {}
        self.app = FastAPI()

        @self.app.api_route("/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
        async def answer(path: str, request: Request) -> Any:
            raw = await request.body()
            self.seen.append(
                {
                    "method": request.method,
                    "path": "/" + path,
                    "headers": dict(request.headers),
                    "body": json.loads(raw) if raw else None,
                }
            )
            if isinstance(self.body, bytes):
                return Response(self.body, status_code=self.status, media_type="text/html")
            return JSONResponse(self.body, status_code=self.status)

    def answer(self, status: int, body: Any) -> None:
        self.status, self.body = status, body


@pytest.fixture
async def gw(make_settings, start_gateway):
    stands = {"declaration": Stand(), "review": Stand()}
    async with start_gateway(make_settings(), fakes=()) as running:
        upstreams = running.app.state.upstreams
        for name, stand in stands.items():
            await upstreams[name].aclose()
            upstreams[name] = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=stand.app), base_url=f"http://{name}"
            )
        running.stands = stands  # type: ignore[attr-defined]
        yield running


async def _gql(gw, query: str, variables: dict | None = None, headers: dict | None = None):
    resp = await gw.client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers or {}
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert "errors" not in body, body
    return next(iter(body["data"].values()))


async def test_a_draft_save_sends_the_merge_patch_as_the_caller_and_answers_the_new_etag(gw):
    stand = gw.stands["declaration"]
    stand.answer(200, {**DECLARATION, "etag": 'W/"declaration-v3"'})
    enterprise = await gw.bearer("enterprise")
    patch = {"summary": "补充后的概述", "contact": None, "scenes": [{"scene": "a"}]}

    found = await _gql(
        gw,
        SAVE,
        {"id": DID, "ifMatch": 'W/"declaration-v2"', "facts": patch},
        headers={**enterprise, "Accept-Language": "en-US,en;q=0.9", "X-Request-ID": "req-77"},
    )

    assert found["__typename"] == "DeclarationPayload"
    assert found["etag"] == 'W/"declaration-v3"'
    assert found["declaration"]["id"] == DID
    (call,) = stand.seen
    assert (call["method"], call["path"]) == ("PATCH", f"/v1/declarations/{DID}")
    assert call["body"] == {"facts": patch}, "null kept: it removes the key (RFC 7396)"
    headers = call["headers"]
    assert headers["authorization"] == enterprise["Authorization"]
    assert headers["if-match"] == 'W/"declaration-v2"'
    assert headers["accept-language"] == "en-US,en;q=0.9"
    assert headers["x-request-id"] == "req-77"
    assert headers["x-forwarded-for"] == "127.0.0.1"
    assert "idempotency-key" not in headers


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, "InvalidArgument"),
        (401, "Unauthenticated"),
        (403, "Forbidden"),
        (404, "NotFound"),
        (409, "Conflict"),
        (412, "PreconditionFailed"),
        (422, "ValidationFailed"),
        (428, "PreconditionRequired"),
        (429, "RateLimited"),
        (503, "ServiceUnavailable"),
        (500, "UpstreamFailed"),
    ],
)
async def test_each_refusal_is_its_typed_error_with_the_envelope_whole(gw, status, kind):
    details = {"current_etag": 'W/"declaration-v9"', "fields": [{"field": "facts.x"}]}
    gw.stands["declaration"].answer(
        status, error_body(f"code_{status}", "中文说明", "English text", details=details)
    )

    found = await _gql(
        gw, SAVE, {"id": DID, "ifMatch": '"x"'}, headers=await gw.bearer("enterprise")
    )

    assert found["__typename"] == kind
    assert (found["code"], found["message"], found["messageEn"]) == (
        f"code_{status}",
        "中文说明",
        "English text",
    )
    assert found["details"] == details
    if kind == "PreconditionFailed":
        assert found["currentEtag"] == 'W/"declaration-v9"'
    if kind == "UpstreamFailed":
        assert (found["service"], found["status"]) == ("declaration", 500)


@pytest.mark.parametrize(
    "answer",
    [
        (200, {**DECLARATION, "status": None}),  # a success that is not a declaration
        (200, b"<html>"),
        (409, {"detail": "not the envelope"}),
        (502, b"<html>bad gateway</html>"),
    ],
)
async def test_an_answer_that_is_not_what_the_route_answers_is_upstream_failed(gw, answer):
    gw.stands["declaration"].answer(*answer)

    found = await _gql(
        gw, SAVE, {"id": DID, "ifMatch": '"x"'}, headers=await gw.bearer("enterprise")
    )

    assert found["__typename"] == "UpstreamFailed"
    assert (found["code"], found["service"], found["status"]) == (
        "upstream_error",
        "declaration",
        answer[0],
    )


async def test_without_a_token_nothing_is_sent(gw):
    found = await _gql(gw, SAVE, {"id": DID, "ifMatch": '"x"'})

    assert (found["__typename"], found["code"]) == ("Unauthenticated", "unauthenticated")
    assert gw.stands["declaration"].seen == []


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"id": "not-a-uuid", "ifMatch": '"x"'}, "id"),
        ({"id": DID, "ifMatch": '"x"\r\nX-Injected: 1'}, "ifMatch"),
        ({"id": DID, "ifMatch": ""}, "ifMatch"),
    ],
)
async def test_arguments_that_cannot_be_sent_are_invalid_and_not_sent(gw, variables, field):
    found = await _gql(gw, SAVE, variables, headers=await gw.bearer("enterprise"))

    assert (found["__typename"], found["code"], found["field"]) == (
        "InvalidArgument",
        "validation_error",
        field,
    )
    assert gw.stands["declaration"].seen == []


async def test_a_tier_that_would_step_out_of_the_route_is_not_sent(gw):
    for tier in ("excellence/../../../internal", "..", "pilot?x=1", "pi%2Flot", "pilot/"):
        found = await _gql(gw, TIERED, {"tier": tier})
        assert (found["__typename"], found["field"]) == ("InvalidArgument", "tier"), tier
    assert gw.stands["review"].seen == []


async def test_a_unit_that_would_step_out_of_the_route_is_not_sent(gw):
    province = await gw.bearer("province")
    for unit in ("350000/../../internal", "..", "350000?x=1", "3500%2F00"):
        found = await _gql(gw, LOCK, {"unit": unit, "ifMatch": '"x"'}, headers=province)
        assert (found["__typename"], found["field"]) == ("InvalidArgument", "unit"), unit
    assert gw.stands["review"].seen == []

    gw.stands["review"].answer(200, {**LIST, "status": "locked"})
    found = await _gql(gw, LOCK, {"unit": "soe:91110000100000007F", "ifMatch": '"x"'}, province)
    assert found["__typename"] == "RecommendationListPayload", found
    assert found["etag"] == LIST["etag"]
    assert found["list"]["status"] == "locked"
    assert found["list"]["detail"]["entries"] == [{"rank": 1, "declarationId": DID}]
    (call,) = gw.stands["review"].seen  # the detail is the write's answer: no read
    assert call["path"] == "/v1/recommendation-lists/2031/excellence/soe:91110000100000007F/lock"


async def test_an_opinion_sends_both_headers_and_answers_the_cases_new_etag(gw):
    stand = gw.stands["review"]
    opinion = {
        "version": 1,
        "actor": "demo:county",
        "actor_name": "鼓楼区工信局",
        "role": "county",
        "level": "county",
        "region": "350102",
        "decision": "forward",
        "reasons": None,
        "credit_check": {"gsxt": "clear", "zxgk": "clear", "checked_on": "2026-06-01"},
        "at": "2026-06-01T08:30:00+08:00",
    }
    stand.answer(201, {"etag": 'W/"case-v2"', "opinion": opinion, "case": CASE})

    found = await _gql(
        gw,
        OPINION,
        {"id": DID, "ifMatch": '"c1"', "key": "opinion-key-1"},
        headers=await gw.bearer("county"),
    )

    assert found["__typename"] == "OpinionPayload", found
    assert found["etag"] == 'W/"case-v2"'
    assert found["opinion"] == {"decision": "forward", "creditCheck": {"checkedOn": "2026-06-01"}}
    (call,) = stand.seen
    assert call["body"] == {
        "decision": "forward",
        "credit_check": {"gsxt": "clear", "zxgk": "clear", "checked_on": "2026-06-01"},
    }
    assert (call["headers"]["if-match"], call["headers"]["idempotency-key"]) == (
        '"c1"',
        "opinion-key-1",
    )


async def test_an_objection_needs_no_token_and_sends_none(gw):
    stand = gw.stands["review"]
    receipt = {
        "id": str(uuid.uuid4()),
        "declaration_id": DID,
        "received_at": "2031-10-10T10:00:00Z",
    }
    stand.answer(201, receipt)

    found = await _gql(gw, OBJECT, {"key": "objection-key-1"})

    assert found == {"__typename": "ObjectionReceipt", "id": receipt["id"],
                     "declarationId": DID, "receivedAt": "2031-10-10T10:00:00+00:00"}  # fmt: skip
    (call,) = stand.seen
    assert call["path"] == "/public/v1/publicity/2031/excellence/objections"
    assert "authorization" not in call["headers"]
    assert call["headers"]["idempotency-key"] == "objection-key-1"
    assert call["headers"]["x-forwarded-for"] == "127.0.0.1"  # the objector's key scope


async def test_an_objection_with_a_bad_token_is_unauthenticated_as_on_rest(gw):
    found = await _gql(gw, OBJECT, headers={"Authorization": "Bearer not-a-token"})

    assert found["__typename"] == "Unauthenticated"
    assert gw.stands["review"].seen == []


async def test_objections_are_rate_limited_as_the_rest_route(make_settings, start_gateway):
    async with start_gateway(make_settings(public_write_rate_per_minute=2), fakes=()) as running:
        stand = Stand()
        await running.app.state.upstreams["review"].aclose()
        running.app.state.upstreams["review"] = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=stand.app), base_url="http://review"
        )
        receipt = {
            "id": str(uuid.uuid4()),
            "declaration_id": DID,
            "received_at": "2031-10-10T10:00:00Z",
        }
        stand.answer(201, receipt)
        kinds = [(await _gql(running, OBJECT))["__typename"] for _ in range(3)]
        limited = await _gql(running, OBJECT)

    assert kinds == ["ObjectionReceipt", "ObjectionReceipt", "RateLimited"]
    assert limited["code"] == "rate_limited" and limited["retryAfterSeconds"] >= 1
    assert len(stand.seen) == 2


async def test_a_service_that_is_down_is_service_unavailable(
    make_settings, start_gateway, closed_port
):
    settings = make_settings(declaration_url=f"http://127.0.0.1:{closed_port}")
    async with start_gateway(settings, fakes=("rules", "review")) as running:
        found = await _gql(
            running, SAVE, {"id": DID, "ifMatch": '"x"'}, headers=await running.bearer("enterprise")
        )

    assert (found["__typename"], found["code"], found["service"]) == (
        "ServiceUnavailable",
        "service_unavailable",
        "declaration",
    )


async def test_a_get_runs_no_mutation(gw):
    resp = await gw.client.get(
        "/graphql",
        params={"query": f'mutation {{ precheckDeclaration(id: "{DID}") {{ __typename }} }}'},
        headers=await gw.bearer("enterprise"),
    )

    assert resp.status_code == 400, resp.text
    assert resp.json()["error"]["code"] == "bad_graphql_request"
    assert gw.stands["declaration"].seen == []


PRECHECK = """
mutation ($id: ID!) {
  precheckDeclaration(id: $id) {
    __typename
    ... on PrecheckPayload { precheck { outcome findings { ruleId } } }
    ... on Error { code }
  }
}
"""


async def test_a_precheck_answers_the_findings(gw):
    gw.stands["declaration"].answer(200, DECLARATION["last_precheck"])

    found = await _gql(gw, PRECHECK, {"id": DID}, headers=await gw.bearer("enterprise"))

    assert found == {
        "__typename": "PrecheckPayload",
        "precheck": {"outcome": "eligible", "findings": [{"ruleId": "cmmm.level"}]},
    }
