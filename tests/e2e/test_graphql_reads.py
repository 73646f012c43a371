"""GraphQL at the gateway over the real services (issue 17): a page of declarations with their
enterprises, latest findings, review status and review cases is a constant number of upstream
calls — the same for 10 and for 100 declarations — because every nested object is read through
a DataLoader backed by a batch read of its service.

On the shared stack, ten enterprises of their own in Zhejiang (330106 杭州市西湖区: a region
no other module declares in, so no other inbox or list grows) each file a 基础级
self-assessment and declare 先进级 for ten factories; the 100 declarations are submitted,
routed by the review service to the province (Zhejiang's chain is the default one: the
province alone) and read back as that province. The calls are counted where they arrive: the
real gateway process sends each query's request id on to the services, and the services'
own access logs (JSON lines) are read for it.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from stdnum.cn import uscc as uscc_std

from tests.conftest import minted
from tests.e2e.test_thread import DEMO_YEAR, FACTS

pytestmark = pytest.mark.crossservice

REGION = "330106"  # 杭州市西湖区
PROVINCE = "330000"
ENTERPRISES = 10
FACTORIES = 10
D = "/api/declaration/v1"
ATTESTED = [
    "above_scale", "competitive", "sound_finances", "no_bad_credit", "no_major_accident",
    "no_violations", "secure_controllable", "security_risks_controlled", "organisation", "talent",
]  # fmt: skip
NESTED = """
query ($first: Int!) {
  declarations(first: $first) {
    __typename
    ... on DeclarationConnection {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        id enterpriseUscc regionCode
        latestPrecheck { outcome findings { ruleId clause passed field } }
        reviewStatus { status event version }
        enterprise { __typename ... on Enterprise { uscc name regionCode } ... on Error { code } }
        case {
          __typename
          ... on Case { status level holderRegion recommendingUnit
                        history { ... on CaseHistory { transitions { event toStatus } } } }
          ... on Error { code }
        }
      }
    }
    ... on Error { code messageEn }
  }
}
"""


def _uscc(i: int) -> str:
    body = f"91330106MA2K{i:05d}"
    return body + uscc_std.calc_check_digit(body)


def _ok(resp: httpx.Response, *codes: int) -> Any:
    assert resp.status_code in (codes or (200,)), resp.text
    return resp.json()


def _key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def _declare_as(gateway: httpx.Client, headers: dict[str, str], uscc: str, n: int) -> list[str]:
    """Register the enterprise, its 基础级 self-assessment (the enterprise as a whole, which
    backs every factory's 先进级), and `n` factories each with a submitted 先进级."""
    name = f"浙江示范智造{uscc[-6:]}有限公司"
    profile = {"uscc": uscc, "name": name, "region_code": REGION}
    _ok(gateway.post(f"{D}/enterprises", json=profile, headers=headers), 201)
    assessed = _ok(
        gateway.post(
            f"{D}/self-assessments",
            json={
                "campaign_year": DEMO_YEAR,
                "enterprise_name": name,
                "region_code": REGION,
                "cmmm_level": 2,
                "segments": [{"segment": "生产作业", "built": "在线智能检测"}],
                "attestations": dict.fromkeys(ATTESTED, True),
                "kpis": {"productivity_gain": 15.0},
            },
            headers={**headers, **_key()},
        ),
        200,
        201,
    )
    assert assessed["outcome"] == "eligible", assessed
    ids = []
    for i in range(n):
        factory = _ok(
            gateway.post(
                f"{D}/enterprises/{uscc}/factories",
                json={"name": f"西湖智能工厂{i + 1}", "region_code": REGION},
                headers={**headers, **_key()},
            ),
            201,
        )
        draft = _ok(
            gateway.post(
                f"{D}/declarations",
                json={"factory_id": factory["id"], "campaign_year": DEMO_YEAR,
                      "tier": "advanced", "facts": FACTS},
                headers={**headers, **_key()},
            ),
            201,
        )  # fmt: skip
        _ok(gateway.post(f"{D}/declarations/{draft['id']}/submit", headers={**headers, **_key()}))
        ids.append(draft["id"])
    return ids


@pytest.fixture(scope="module")
def zhejiang(stack, signing_key) -> dict[str, Any]:
    """The 100 declarations, submitted and routed; the province's token."""
    province = minted(signing_key, "test:zhejiang-province", "province", region=PROVINCE)

    def one(i: int) -> list[str]:
        uscc = _uscc(i)
        headers = minted(signing_key, f"test:zj-{i}", "enterprise", org=uscc, region=REGION)
        with httpx.Client(base_url=stack.url("gateway"), timeout=30.0) as gateway:
            return _declare_as(gateway, headers, uscc, FACTORIES)

    with ThreadPoolExecutor(max_workers=4) as pool:
        ids = [did for chunk in pool.map(one, range(ENTERPRISES)) for did in chunk]

    # Routed: the province reads each, with the review service's status on it.
    with httpx.Client(base_url=stack.url("gateway"), timeout=30.0) as gateway:
        deadline = time.monotonic() + 60
        while True:
            page = _ok(gateway.get(f"{D}/declarations", params={"page_size": 200},
                                   headers=province))  # fmt: skip
            routed = [d for d in page["items"] if d["review_status"]]
            if len(routed) >= len(ids) or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    assert {d["id"] for d in routed} >= set(ids), f"{len(routed)} of {len(ids)} routed"
    return {"ids": ids, "province": province, "usccs": {_uscc(i) for i in range(ENTERPRISES)}}


# A service's own plumbing on a request (its key set, its service token), not a read of the
# gateway's: not counted.
PLUMBING = {"/.well-known/jwks.json", "/oauth/token"}


def _calls(log_dir: Path, request_id: str) -> Counter[tuple[str, str]]:
    """(service, path) of every request the services logged under `request_id`."""
    seen: Counter[tuple[str, str]] = Counter()
    for service in ("declaration", "review", "rules", "identity"):
        path = log_dir / f"{service}.log"
        for line in path.read_text("utf-8", "replace").splitlines():
            if request_id not in line:
                continue
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if (
                record.get("logger") == "ladder.access"
                and record.get("request_id") == request_id
                and record["path"] not in PLUMBING
            ):
                seen[(service, record["path"])] += 1
    return seen


def _counted(log_dir: Path, request_id: str) -> Counter[tuple[str, str]]:
    """The calls, once the logs have them all (a line is written as its answer ends)."""
    last, stable_since = None, time.monotonic()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        now = _calls(log_dir, request_id)
        if now != last:
            last, stable_since = now, time.monotonic()
        elif time.monotonic() - stable_since > 1.0:
            return now
        time.sleep(0.1)
    raise AssertionError("the services' access logs did not settle")


def test_a_page_of_declarations_is_the_same_few_upstream_calls_for_10_and_100(
    stack, gateway, zhejiang
):
    counts = {}
    for first in (10, 100):
        request_id = f"gql-count-{first}-{uuid.uuid4().hex[:8]}"
        resp = gateway.post(
            "/graphql",
            json={"query": NESTED, "variables": {"first": first}},
            headers={**zhejiang["province"], "X-Request-ID": request_id},
        )
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert "errors" not in body, body
        page = body["data"]["declarations"]
        assert page["__typename"] == "DeclarationConnection", page
        assert page["totalCount"] == len(zhejiang["ids"])
        nodes = page["nodes"]
        assert len(nodes) == first
        for node in nodes:
            assert node["id"] in zhejiang["ids"]
            assert node["enterprise"]["__typename"] == "Enterprise", node["enterprise"]
            assert node["enterprise"]["uscc"] == node["enterpriseUscc"]
            assert node["latestPrecheck"]["outcome"] == "eligible"
            assert node["latestPrecheck"]["findings"], "the submission's findings"
            assert node["reviewStatus"]["status"] == "awaiting_initial_review"
            case = node["case"]
            assert case["__typename"] == "Case", case
            assert (case["level"], case["holderRegion"], case["recommendingUnit"]) == (
                "province",
                PROVINCE,
                PROVINCE,
            )
            assert case["history"]["transitions"][0]["event"] == "received"
        counts[first] = _counted(stack.log_dir, request_id)
        if first == 100:
            assert {n["enterpriseUscc"] for n in nodes} == zhejiang["usccs"]

    print(f"upstream calls for first=10: {dict(counts[10])}; first=100: {dict(counts[100])}")
    assert (
        counts[10]
        == counts[100]
        == Counter(
            {
                ("declaration", "/v1/declarations"): 1,  # the page
                ("declaration", "/v1/enterprises"): 1,  # its enterprises, in one batch read
                ("review", "/v1/cases"): 1,  # its review cases, in one batch read
            }
        )
    )


def test_an_enterprise_reads_its_declarations_but_not_their_cases(stack, gateway, signing_key,
                                                                  zhejiang):  # fmt: skip
    uscc = _uscc(0)
    own = minted(signing_key, "test:zj-0", "enterprise", org=uscc, region=REGION)
    resp = gateway.post("/graphql", json={"query": NESTED, "variables": {"first": 100}},
                        headers=own)  # fmt: skip

    page = resp.json()["data"]["declarations"]
    assert page["totalCount"] == FACTORIES
    assert {n["enterprise"]["uscc"] for n in page["nodes"]} == {uscc}
    assert {n["case"]["__typename"] for n in page["nodes"]} == {"Forbidden"}


DEEP = """
query ($first: Int!) {
  inbox(first: $first, held: false) {
    __typename
    ... on CaseConnection {
      totalCount
      nodes {
        declarationId
        history { ... on CaseHistory { transitions { event } } }
        declaration {
          __typename
          ... on Declaration {
            id
            versions { ... on VersionList { items { number fingerprint } } }
            history { ... on DeclarationHistory { transitions { event toStatus } } }
            diff(before: 1, after: 1) { __typename ... on VersionDiff { changes { path } } }
            enterprise { ... on Enterprise { uscc factories { ... on FactoryList {
              items { name regionCode } } } } }
          }
        }
      }
    }
    ... on Error { code messageEn }
  }
}
"""
SELF_ASSESSED = """
query ($first: Int!) {
  selfAssessments(campaignYear: 2026, first: $first, region: "330106") {
    __typename
    ... on SelfAssessmentConnection {
      pageInfo { hasNextPage }
      nodes { enterpriseUscc outcome enterprise { ... on Enterprise { uscc name } } }
    }
    ... on Error { code messageEn }
  }
}
"""
PORTAL = """
{
  me { ... on Viewer { role jurisdiction { recommendingUnit }
       permissions { ... on Permissions { roles capabilities { name } } } } }
  caseCounts(campaign: 2026, by: "tier") { ... on CaseCounts { total groups { key count } } }
  campaigns(first: 10) { ... on CampaignConnection { nodes { year deadlineChains { tier } } } }
  deadlines(year: 2026, region: "330106", tier: "advanced") {
    __typename ... on RegionDeadlines { jurisdiction deadlines { level } } }
  recommendationLists(first: 10, campaign: 2026) {
    ... on RecommendationListConnection {
      nodes {
        unit tier status entryCount
        detail { ... on ListDetail { counted remaining quota
          entries { rank counts declaration { ... on Declaration { id enterpriseUscc } } } } }
      }
    }
  }
}
"""


def _post(gateway: httpx.Client, query: str, variables: dict, headers: dict, rid: str) -> dict:
    resp = gateway.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={**headers, "X-Request-ID": rid},
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert "errors" not in body, body
    return body["data"]


def test_a_deep_page_of_cases_is_the_same_calls_for_10_and_100(stack, gateway, zhejiang):
    """The inbox's cases with their history, declarations, versions, declaration history,
    a diff, enterprises and their factories: eight upstream calls, whatever the page."""
    counts = {}
    for first in (10, 100):
        rid = f"gql-deep-{first}-{uuid.uuid4().hex[:8]}"
        data = _post(gateway, DEEP, {"first": first}, zhejiang["province"], rid)
        nodes = data["inbox"]["nodes"]
        assert len(nodes) == first
        for node in nodes:
            declaration = node["declaration"]
            assert declaration["__typename"] == "Declaration", declaration
            assert [v["number"] for v in declaration["versions"]["items"]] == [1]
            assert declaration["diff"] == {"__typename": "VersionDiff", "changes": []}
            assert declaration["history"]["transitions"][-1]["toStatus"] == "submitted"
            factories = declaration["enterprise"]["factories"]["items"]
            assert len(factories) == FACTORIES and {f["regionCode"] for f in factories} == {REGION}
        counts[first] = _counted(stack.log_dir, rid)
    print(f"deep inbox calls: first=10 {dict(counts[10])}; first=100 {dict(counts[100])}")
    assert (
        counts[10]
        == counts[100]
        == Counter(
            {
                ("review", "/v1/inbox"): 1,
                ("review", "/v1/cases"): 1,
                ("declaration", "/v1/declarations"): 1,
                ("declaration", "/v1/declarations/versions"): 1,
                ("declaration", "/v1/declarations/history"): 1,
                ("declaration", "/v1/declarations/diffs"): 1,
                ("declaration", "/v1/enterprises"): 1,
                ("declaration", "/v1/enterprises/factories"): 1,
            }
        )
    )


def test_self_assessments_with_their_enterprises(stack, gateway, zhejiang):
    rid = f"gql-sa-{uuid.uuid4().hex[:8]}"
    data = _post(gateway, SELF_ASSESSED, {"first": 100}, zhejiang["province"], rid)

    page = data["selfAssessments"]
    assert page["__typename"] == "SelfAssessmentConnection", page
    assert {n["enterpriseUscc"] for n in page["nodes"]} == zhejiang["usccs"]
    assert {n["enterprise"]["uscc"] for n in page["nodes"]} == zhejiang["usccs"]
    assert page["pageInfo"]["hasNextPage"] is False
    assert _counted(stack.log_dir, rid) == Counter(
        {("declaration", "/v1/self-assessments"): 1, ("declaration", "/v1/enterprises"): 1}
    )


def _forward(gateway: httpx.Client, province: dict[str, str], did: str) -> None:
    case = gateway.get(f"/api/review/v1/cases/{did}", headers=province)
    assert case.status_code == 200, case.text
    resp = gateway.post(
        f"/api/review/v1/cases/{did}/opinions",
        json={"decision": "forward"},
        headers={**province, "If-Match": case.headers["ETag"], **_key()},
    )
    assert resp.status_code == 201, resp.text


def test_a_provinces_portal_lists_counts_campaigns_and_deadlines(stack, gateway, zhejiang):
    """Three cases forwarded by Zhejiang (its chain's one level) onto its 先进级 list: the
    list's entries, quota and declarations, the counts of its cases, the campaigns and the
    deadlines that apply to Hangzhou, and the caller's permissions — over the real services."""
    province = zhejiang["province"]
    chosen = zhejiang["ids"][:3]
    for did in chosen:
        _forward(gateway, province, did)
    url = f"/api/review/v1/recommendation-lists/{DEMO_YEAR}/advanced/{PROVINCE}"
    opened = gateway.put(url, headers=province)
    assert opened.status_code in (200, 201), opened.text
    for did in chosen:
        added = gateway.post(
            f"{url}/entries", json={"declaration_id": did}, headers={**province, **_key()}
        )
        assert added.status_code == 201, added.text

    rid = f"gql-portal-{uuid.uuid4().hex[:8]}"
    data = _post(gateway, PORTAL, {}, province, rid)

    assert data["me"]["role"].lower() == "province"
    assert data["me"]["jurisdiction"]["recommendingUnit"] == PROVINCE
    assert data["me"]["permissions"]["capabilities"], "a province may do things"
    counts = data["caseCounts"]
    assert counts["total"] == len(zhejiang["ids"])
    assert counts["groups"] == [{"key": "advanced", "count": len(zhejiang["ids"])}]
    assert DEMO_YEAR in {c["year"] for c in data["campaigns"]["nodes"]}
    assert data["deadlines"]["__typename"] == "RegionDeadlines"
    (listed,) = [lst for lst in data["recommendationLists"]["nodes"] if lst["tier"] == "advanced"]
    assert (listed["unit"], listed["status"]) == (PROVINCE, "open")
    detail = listed["detail"]
    assert [e["rank"] for e in detail["entries"]] == [1, 2, 3]
    assert [e["declaration"]["id"] for e in detail["entries"]] == chosen
    assert isinstance(detail["quota"], dict)
    calls = _counted(stack.log_dir, rid)
    print(f"portal calls: {dict(calls)}")
    assert calls == Counter(
        {
            ("declaration", "/v1/campaigns"): 1,
            ("declaration", f"/v1/campaigns/{DEMO_YEAR}/deadlines"): 1,
            ("review", "/v1/dashboards/cases"): 1,
            ("review", "/v1/recommendation-lists"): 1,
            ("review", "/v1/recommendation-lists/batch"): 1,
            ("declaration", "/v1/declarations"): 1,
        }
    )


def test_the_public_reads_answer_without_a_token(stack, gateway):
    query = """{
      leadingFactories(first: 5) { __typename ... on LeadingFactoryConnection { totalCount } }
      publishedList(campaign: 2025, tier: "pilot", first: 5) {
        __typename ... on PublishedList { entries { totalCount } } ... on Error { code } }
      publicity(campaign: 2025, tier: "pilot") { __typename ... on Error { code } }
    }"""
    resp = gateway.post("/graphql", json={"query": query})

    data = resp.json()["data"]
    assert data["leadingFactories"]["__typename"] == "LeadingFactoryConnection"
    # Nothing is published on this stack: the typed 404s of the REST reads, with their codes.
    assert data["publishedList"]["__typename"] in ("PublishedList", "NotFound")
    assert data["publicity"]["__typename"] in ("PublicNotice", "NotFound")
    if data["publicity"]["__typename"] == "NotFound":
        assert data["publicity"]["code"] == "publicity_not_found"
