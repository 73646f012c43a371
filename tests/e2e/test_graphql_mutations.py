"""GraphQL mutations at the gateway over the real services (issue 17): each main action of the
portal done through `/graphql` — and one refusal of each, typed, with the code REST answers.

On the shared stack, a campaign of its own (2031, made by the ministry through the API) keeps
its recommendation list and its 公示 apart from the other modules' 2026 ones. The Fuzhou demo
enterprise saves, pre-checks, submits and withdraws 卓越级 declarations; the Gulou county gives
its opinion (another county is told `case_not_found`); Fujian's list is opened, filled,
reordered, locked and submitted; the ministry reviews one case nationally and announces the
公示, and the public objects without a token.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import httpx
import pytest

from tests.conftest import dev_token, new_factory
from tests.e2e.test_declaration_document import DECL, _document
from tests.e2e.test_list_push import CAMPAIGN as PUSH_CAMPAIGN
from tests.e2e.test_list_push import _until
from tests.e2e.test_national_and_cultivation import NATIONAL, Experts, review_nationally
from tests.e2e.test_recommendation_chains import LISTS, forward_up_fujian
from tests.e2e.test_review_chain import _held_case

pytestmark = pytest.mark.crossservice

YEAR = 2031  # a campaign of this module's own
CAMPAIGN = {
    **PUSH_CAMPAIGN,  # the list push's test campaign: its quota policy, deadlines in 2099
    "year": YEAR,
    "title": "2031年度智能工厂梯度培育（GraphQL 测试批次，非官方）",
    "deadline_chains": PUSH_CAMPAIGN["deadline_chains"][:1],  # the national chain only
}
PAYLOAD_ERRORS = "... on Error { __typename code message messageEn details }"
DECLARATION = f"""
  __typename
  ... on DeclarationPayload {{ etag declaration {{ id status etag facts currentFingerprint }} }}
  ... on PreconditionFailed {{ currentEtag }}
  {PAYLOAD_ERRORS}
"""
SAVE = f"""mutation ($id: ID!, $ifMatch: String!, $facts: JSON) {{
  saveDeclarationDraft(id: $id, ifMatch: $ifMatch, facts: $facts) {{ {DECLARATION} }} }}"""
SUBMIT = f"""mutation ($id: ID!, $key: String!) {{
  submitDeclaration(id: $id, idempotencyKey: $key) {{ {DECLARATION} }} }}"""
WITHDRAW = f"""mutation ($id: ID!, $ifMatch: String!) {{
  withdrawDeclaration(id: $id, ifMatch: $ifMatch, reason: "企业决定本年度暂不申报") {{
    {DECLARATION} }} }}"""
PRECHECK = f"""mutation ($id: ID!) {{
  precheckDeclaration(id: $id) {{
    __typename
    ... on PrecheckPayload {{
      precheck {{ edition tier outcome findings {{ ruleId passed field }} }}
      declaration {{ ... on Declaration {{ latestPrecheck {{ outcome }} }} }}
    }}
    {PAYLOAD_ERRORS}
  }} }}"""
OPINION = f"""mutation ($id: ID!, $opinion: OpinionInput!, $ifMatch: String!, $key: String!) {{
  giveOpinion(declarationId: $id, opinion: $opinion, ifMatch: $ifMatch, idempotencyKey: $key) {{
    __typename
    ... on OpinionPayload {{
      etag
      opinion {{ decision level region creditCheck {{ gsxt zxgk checkedOn }} }}
      case {{ declarationId status level }}
    }}
    {PAYLOAD_ERRORS}
  }} }}"""
OBJECT = f"""mutation ($objection: ObjectionInput!, $key: String) {{
  objectToPublicity(campaign: {YEAR}, tier: "excellence", objection: $objection,
                    idempotencyKey: $key) {{
    __typename
    ... on ObjectionReceipt {{ id declarationId receivedAt }}
    {PAYLOAD_ERRORS}
  }} }}"""


LIST_PAYLOAD = f"""
  __typename
  ... on RecommendationListPayload {{
    etag
    list {{
      status limit entryCount
      detail {{ ... on ListDetail {{ entries {{ rank declarationId }} submission {{ sha256 }} }} }}
    }}
  }}
  ... on PreconditionFailed {{ currentEtag }}
  {PAYLOAD_ERRORS}
"""
ON_LIST = f'campaign: {YEAR}, tier: "excellence", unit: $unit'
OPEN = f"""mutation ($unit: String!) {{
  openRecommendationList({ON_LIST}) {{ {LIST_PAYLOAD} }} }}"""
ADD = f"""mutation ($unit: String!, $id: ID!, $key: String!) {{
  addRecommendationEntry({ON_LIST}, declarationId: $id, idempotencyKey: $key) {{
    {LIST_PAYLOAD} }} }}"""
REORDER = f"""mutation ($unit: String!, $ids: [ID!]!, $ifMatch: String!) {{
  reorderRecommendationList({ON_LIST}, declarationIds: $ids, ifMatch: $ifMatch) {{
    {LIST_PAYLOAD} }} }}"""
LOCK = f"""mutation ($unit: String!, $ifMatch: String!) {{
  lockRecommendationList({ON_LIST}, ifMatch: $ifMatch) {{ {LIST_PAYLOAD} }} }}"""
SUBMIT_LIST = f"""mutation ($unit: String!, $ifMatch: String!, $key: String!) {{
  submitRecommendationList({ON_LIST}, ifMatch: $ifMatch, idempotencyKey: $key) {{
    {LIST_PAYLOAD} }} }}"""


def _key() -> str:
    return uuid.uuid4().hex


def gql(
    gateway: httpx.Client,
    query: str,
    variables: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The one field a mutation document answers (no top-level errors)."""
    resp = gateway.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers or {}
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert "errors" not in body, body
    (found,) = body["data"].values()
    return found


def _is(found: dict[str, Any], kind: str, code: str | None = None) -> dict[str, Any]:
    assert found["__typename"] == kind, found
    if code is not None:
        assert found["code"] == code, found
    return found


@pytest.fixture(scope="module")
def campaign(stack) -> int:
    """The campaign, once the rules service knows its quota policy (`campaign.changed`)."""
    with httpx.Client(base_url=stack.url("gateway"), timeout=30.0) as gateway:
        ministry, province = dev_token(gateway, "ministry"), dev_token(gateway, "province")
        made = gateway.post(
            "/api/declaration/v1/campaigns",
            json=CAMPAIGN,
            headers={**ministry, "Idempotency-Key": _key()},
        )
        assert made.status_code == 201, made.text

        def quota():
            resp = gateway.get(
                f"/api/rules/v1/campaigns/{YEAR}/quotas",
                params={"tier": "excellence", "unit": "350000"},
                headers=province,
            )
            return resp.json()["limit"] if resp.status_code == 200 else None

        assert _until("the rules service to know the campaign", quota) >= 2
    return YEAR


def draft(gateway: httpx.Client, enterprise: dict[str, str]) -> dict[str, Any]:
    """A complete 卓越级 draft of the Fuzhou demo enterprise for a new factory (REST)."""
    created = gateway.post(
        DECL,
        json={"factory_id": new_factory(gateway, enterprise), "campaign_year": YEAR,
              "tier": "excellence", "facts": _document()},
        headers={**enterprise, "Idempotency-Key": _key()},
    )  # fmt: skip
    assert created.status_code == 201, created.text
    return created.json()


def test_a_draft_is_saved_prechecked_submitted_and_withdrawn(gateway, campaign):
    enterprise = dev_token(gateway, "enterprise")
    first = draft(gateway, enterprise)
    did = first["id"]

    # Save: the facts merged (RFC 7396): `summary` replaced, the rest kept; the new ETag.
    patch = {"summary": "GraphQL 保存的建设概述", "applicant": {"address": "福州市鼓楼区新址8号"}}
    saved = gql(gateway, SAVE, {"id": did, "ifMatch": first["etag"], "facts": patch}, enterprise)
    payload = _is(saved, "DeclarationPayload")
    facts = payload["declaration"]["facts"]
    assert facts["summary"] == patch["summary"]
    assert facts["applicant"]["address"] == "福州市鼓楼区新址8号"
    assert facts["cmmm_level"] == first["facts"]["cmmm_level"]
    assert payload["etag"] == payload["declaration"]["etag"] != first["etag"]
    # The first ETag again: 412 stale_etag, in the language asked for, the ETag now named.
    stale = gql(
        gateway,
        SAVE,
        {"id": did, "ifMatch": first["etag"], "facts": {"summary": "被覆盖"}},
        {**enterprise, "Accept-Language": "en"},
    )
    _is(stale, "PreconditionFailed", "stale_etag")
    assert stale["currentEtag"] == payload["etag"]
    assert stale["message"] == stale["messageEn"]  # English, as REST answers `en`

    # Pre-check: the rules service's findings — nothing failed but Fujian's credit check,
    # which its county makes after submission; the declaration read after it has them.
    checked = _is(gql(gateway, PRECHECK, {"id": did}, enterprise), "PrecheckPayload")
    assert (checked["precheck"]["edition"], checked["precheck"]["tier"]) == ("2025", "excellence")
    failed = [f for f in checked["precheck"]["findings"] if not f["passed"]]
    assert failed == [
        {"ruleId": "local.credit_blacklist", "passed": False, "field": "credit_check"}
    ]
    assert checked["precheck"]["outcome"] == "incomplete"
    assert checked["declaration"]["latestPrecheck"]["outcome"] == "incomplete"
    other = dev_token(gateway, "enterprise-sh")
    _is(gql(gateway, PRECHECK, {"id": did}, other), "NotFound", "declaration_not_found")

    # Submit under a key: a retry answers the same version; the key for another declaration
    # is 422 idempotency_key_reused.
    key = _key()
    submitted = _is(gql(gateway, SUBMIT, {"id": did, "key": key}, enterprise), "DeclarationPayload")
    assert submitted["declaration"]["status"] == "submitted"
    again = _is(gql(gateway, SUBMIT, {"id": did, "key": key}, enterprise), "DeclarationPayload")
    assert (
        again["declaration"]["currentFingerprint"] == submitted["declaration"]["currentFingerprint"]
    )
    second = draft(gateway, enterprise)
    reused = gql(gateway, SUBMIT, {"id": second["id"], "key": key}, enterprise)
    _is(reused, "ValidationFailed", "idempotency_key_reused")
    assert reused["details"]["key"] == key

    # Withdraw the submitted one: with the ETag before the submission, 412; with the
    # submission's, withdrawn.
    old = {"id": did, "ifMatch": payload["etag"]}
    _is(gql(gateway, WITHDRAW, old, enterprise), "PreconditionFailed", "stale_etag")
    done = gql(gateway, WITHDRAW, {"id": did, "ifMatch": submitted["etag"]}, enterprise)
    assert _is(done, "DeclarationPayload")["declaration"]["status"] == "withdrawn"
    rest = gateway.get(f"{DECL}/{did}", headers=enterprise).json()
    assert (rest["status"], rest["etag"]) == ("withdrawn", done["etag"])


def submitted(gateway: httpx.Client, enterprise: dict[str, str]) -> str:
    did = draft(gateway, enterprise)["id"]
    resp = gateway.post(f"{DECL}/{did}/submit", headers={**enterprise, "Idempotency-Key": _key()})
    assert resp.status_code == 200, resp.text
    return did


def test_an_opinion_by_the_holding_county_and_not_by_another(gateway, campaign):
    enterprise = dev_token(gateway, "enterprise")
    county, other = dev_token(gateway, "county"), dev_token(gateway, "county-other")
    did = submitted(gateway, enterprise)
    _held_case(gateway, county, did, level="county")
    etag = gateway.get(f"/api/review/v1/cases/{did}", headers=county).headers["ETag"]
    check = {"gsxt": "clear", "zxgk": "clear", "checkedOn": date.today().isoformat()}
    forward = {"decision": "forward", "creditCheck": check}
    variables = {"id": did, "opinion": forward, "ifMatch": etag, "key": _key()}

    refused = gql(gateway, OPINION, variables, other)
    _is(refused, "NotFound", "case_not_found")  # another county: existence is not told

    given = _is(gql(gateway, OPINION, variables, county), "OpinionPayload")
    assert given["opinion"] == {
        "decision": "forward",
        "level": "county",
        "region": "350102",
        "creditCheck": check,
    }
    assert given["case"]["level"] == "city"  # up one level
    case = gateway.get(f"/api/review/v1/cases/{did}", headers=dev_token(gateway, "city"))
    assert case.headers["ETag"] == given["etag"]
    # The same key again: the first answer; a new key: the county holds the case no more.
    assert gql(gateway, OPINION, variables, county) == given
    again = gql(gateway, OPINION, {**variables, "key": _key()}, county)
    _is(again, "Forbidden", "not_case_holder")
    assert again["details"] == {"level": "city", "holder_region": "350100"}


def test_fujians_list_through_graphql_then_an_objection_to_the_publicity(
    gateway, campaign, signing_key
):
    objection = {"declarationId": str(uuid.uuid4()), "content": "对该项目的建设成效数据有疑问。"}
    _is(gql(gateway, OBJECT, {"objection": objection}), "NotFound", "publicity_not_found")

    # Two cases up the Fujian chain, awaiting the province's recommendation.
    enterprise, province = dev_token(gateway, "enterprise"), dev_token(gateway, "province")
    county, city = dev_token(gateway, "county"), dev_token(gateway, "city")
    first, second = submitted(gateway, enterprise), submitted(gateway, enterprise)
    for did in (first, second):
        forward_up_fujian(gateway, did, county, city, province)

    def on_list(query: str, **variables: Any) -> dict[str, Any]:
        return gql(gateway, query, {"unit": "350000", **variables}, province)

    opened = _is(on_list(OPEN), "RecommendationListPayload")
    assert (opened["list"]["status"], opened["list"]["entryCount"]) == ("open", 0)
    assert opened["list"]["limit"] >= 2  # the quota, from the rules service
    key = _key()
    one = _is(on_list(ADD, id=first, key=key), "RecommendationListPayload")
    assert _entries(one) == [first]
    _is(on_list(ADD, id=second, key=key), "ValidationFailed", "idempotency_key_reused")
    two = _is(on_list(ADD, id=second, key=_key()), "RecommendationListPayload")
    assert _entries(two) == [first, second]

    stale = on_list(REORDER, ids=[second, first], ifMatch=one["etag"])
    _is(stale, "PreconditionFailed", "stale_etag")
    assert stale["currentEtag"] == two["etag"]
    reordered = _is(
        on_list(REORDER, ids=[second, first], ifMatch=two["etag"]), "RecommendationListPayload"
    )
    assert _entries(reordered) == [second, first]
    early = on_list(SUBMIT_LIST, ifMatch=reordered["etag"], key=_key())
    _is(early, "Conflict", "list_not_locked")
    locked = _is(on_list(LOCK, ifMatch=reordered["etag"]), "RecommendationListPayload")
    assert locked["list"]["status"] == "locked"
    done = _is(
        on_list(SUBMIT_LIST, ifMatch=locked["etag"], key=_key()), "RecommendationListPayload"
    )
    assert done["list"]["status"] == "submitted"
    assert len(done["list"]["detail"]["submission"]["sha256"]) == 64
    rest = gateway.get(f"{LISTS}/{YEAR}/excellence/350000", headers=province)
    assert rest.headers["ETag"] == done["etag"]
    assert [e["declaration_id"] for e in rest.json()["entries"]] == [second, first]

    # The first reviewed nationally and selected; the 公示; the public objects to it.
    ministry = dev_token(gateway, "ministry")
    experts = Experts(gateway, ministry, signing_key)
    review_nationally(gateway, ministry, experts, first, experts.create(3, "gql"))
    _announce(gateway, ministry)
    objection["declarationId"] = first
    key = _key()
    receipt = _is(gql(gateway, OBJECT, {"objection": objection, "key": key}), "ObjectionReceipt")
    assert receipt["declarationId"] == first
    assert gql(gateway, OBJECT, {"objection": objection, "key": key}) == receipt  # replayed
    listed = gateway.get(
        f"{NATIONAL}/publicities/{YEAR}/excellence/objections", headers=ministry
    ).json()
    assert [o["id"] for o in listed["items"]] == [receipt["id"]]
    off_list = {**objection, "declarationId": second}  # recommended, not selected
    _is(gql(gateway, OBJECT, {"objection": off_list}), "NotFound", "publicity_entry_not_found")


def _entries(payload: dict[str, Any]) -> list[str]:
    """The list's cases in rank order, as the write answered them."""
    entries = payload["list"]["detail"]["entries"]
    assert [e["rank"] for e in entries] == list(range(1, len(entries) + 1))
    return [e["declarationId"] for e in entries]


def _announce(gateway: httpx.Client, ministry: dict[str, str]) -> None:
    made = gateway.post(
        f"{NATIONAL}/publicities",
        json={"campaign_year": YEAR, "tier": "excellence", "days": 1},
        headers={**ministry, "Idempotency-Key": _key()},
    )
    assert made.status_code == 201, made.text
    announced = gateway.post(
        f"{NATIONAL}/publicities/{YEAR}/excellence/announce",
        headers={**ministry, "If-Match": made.json()["etag"], "Idempotency-Key": _key()},
    )
    assert announced.status_code == 200, announced.text
