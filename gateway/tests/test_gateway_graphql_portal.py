"""GraphQL's read model beyond declarations (issue 17): versions, history and diffs, factories,
self-assessments (keyset), campaigns and deadlines, recommendation lists with entries and
quotas, the national review, cultivation with its reports, the public lists and 公示, the
dashboards' counts — each nested read batched, so a page's upstream calls are the same for 10
and for 100 items; the cost limit on the gateway's own nested connections.

The services are the stand-ins of `graphql_fakes.py`; the real ones answer the same reads in
tests/e2e/test_graphql_reads.py.
"""

from __future__ import annotations

import pytest

from gateway.tests.graphql_fakes import ENTERPRISES, wired


@pytest.fixture
async def gql(make_settings, start_gateway):
    """The gateway with the services of `graphql_fakes.Services` (`gql.services`)."""
    async with start_gateway(make_settings(), fakes=()) as running:
        await wired(running)
        yield running


async def graphql(gql, query, variables=None, user: str | None = "province"):
    headers = await gql.bearer(user) if user else {}
    gql.services.seen.clear()
    resp = await gql.client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert "errors" not in body, body
    return body["data"]


def calls(gql) -> list[tuple[str, str]]:
    return sorted((c[0], c[1]) for c in gql.services.seen)


DEEP = """
query ($first: Int!) {
  declarations(first: $first) {
    ... on DeclarationConnection {
      nodes {
        id
        versions { ... on VersionList { items { number fingerprint content } } }
        history { ... on DeclarationHistory { transitions { event toStatus } } }
        diff(before: 1, after: 2) {
          __typename
          ... on VersionDiff { beforeFingerprint changes { path change before after } }
        }
        same: diff(before: 2, after: 2) { ... on VersionDiff { changes { path } } }
        missing: diff(before: 1, after: 3) { __typename ... on Error { code } }
        enterprise {
          ... on Enterprise { factories { ... on FactoryList { items { name enterpriseUscc } } } }
        }
      }
    }
  }
}
"""


async def test_versions_history_diffs_and_factories_are_a_batch_each(gql):
    seen = {}
    for first in (10, 100):
        data = await graphql(gql, DEEP, {"first": first})
        nodes = data["declarations"]["nodes"]
        assert len(nodes) == first
        seen[first] = calls(gql)

    assert (
        seen[10]
        == seen[100]
        == [
            ("declaration", "/v1/declarations"),
            ("declaration", "/v1/declarations/diffs"),  # one per pair of versions asked for:
            ("declaration", "/v1/declarations/diffs"),  # 1→2, 2→2 …
            ("declaration", "/v1/declarations/diffs"),  # … and 1→3
            ("declaration", "/v1/declarations/history"),
            ("declaration", "/v1/declarations/versions"),
            ("declaration", "/v1/enterprises"),
            ("declaration", "/v1/enterprises/factories"),
        ]
    )
    node = nodes[0]
    assert [v["number"] for v in node["versions"]["items"]] == [1, 2]
    assert node["versions"]["items"][1]["content"]["facts"]["cmmm_level"] == 4
    assert node["history"]["transitions"] == [{"event": "submit", "toStatus": "submitted"}]
    assert node["diff"]["changes"] == [
        {"path": "facts.cmmm_level", "change": "changed", "before": 3, "after": 4}
    ]
    assert node["same"]["changes"] == []
    assert node["missing"] == {"__typename": "NotFound", "code": "version_not_found"}
    factories = node["enterprise"]["factories"]["items"]
    assert factories and {f["enterpriseUscc"] for f in factories} == {ENTERPRISES[0]}


async def test_a_diff_of_versions_out_of_range_is_refused_before_any_read(gql):
    data = await graphql(
        gql,
        """{ declarations(first: 2) { ... on DeclarationConnection { nodes {
             diff(before: 0, after: 2) { __typename ... on InvalidArgument { field } } } } } }""",
    )

    assert data["declarations"]["nodes"][0]["diff"] == {
        "__typename": "InvalidArgument",
        "field": "before",
    }
    assert calls(gql) == [("declaration", "/v1/declarations")]


SELF_ASSESSMENTS = """
query ($first: Int!, $after: String) {
  selfAssessments(campaignYear: 2026, first: $first, after: $after) {
    __typename
    ... on SelfAssessmentConnection {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id outcome enterprise { __typename } } }
    }
    ... on InvalidArgument { field code }
  }
}
"""


async def test_self_assessments_page_on_the_services_keyset_cursors(gql):
    seen, after = [], None
    while True:
        data = await graphql(gql, SELF_ASSESSMENTS, {"first": 50, "after": after})
        page = data["selfAssessments"]
        assert page["totalCount"] is None  # keyset lists are not counted
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == 120

    # From an edge inside a page: the service's cursor of that page, and the rest of it.
    data = await graphql(gql, SELF_ASSESSMENTS, {"first": 50})
    tenth = data["selfAssessments"]["edges"][9]["cursor"]
    data = await graphql(gql, SELF_ASSESSMENTS, {"first": 5, "after": tenth})
    assert [e["node"]["id"] for e in data["selfAssessments"]["edges"]] == seen[10:15]
    (asked,) = [c[2] for c in gql.services.seen if c[1] == "/v1/self-assessments"]
    assert asked["limit"] == ["15"] and "cursor" not in asked

    data = await graphql(gql, SELF_ASSESSMENTS, {"first": 5, "after": "bm9wZQ"})
    assert data["selfAssessments"] == {
        "__typename": "InvalidArgument",
        "field": "after",
        "code": "invalid_cursor",
    }


async def test_one_self_assessment_with_its_findings(gql):
    first = await graphql(gql, SELF_ASSESSMENTS, {"first": 1})
    aid = first["selfAssessments"]["edges"][0]["node"]["id"]
    query = """query ($id: ID!) {
      selfAssessment(id: $id) { __typename ... on SelfAssessmentRecord {
        id cmmmLevel kpis attestations findings { ruleId } } }
      missing: selfAssessment(id: "00000000-0000-4000-8000-000000000000") {
        __typename ... on Error { code } }
    }"""

    data = await graphql(gql, query, {"id": aid})

    assert data["selfAssessment"]["kpis"] == {"oee": 0.8}
    assert data["missing"] == {"__typename": "NotFound", "code": "self_assessment_not_found"}


async def test_campaigns_with_their_chains_and_a_regions_deadlines(gql):
    query = """{
      campaigns(first: 2) { ... on CampaignConnection { totalCount pageInfo { hasNextPage }
        nodes { year openTiers deadlineChains { jurisdictionKey tier
          deadlines { level lastDay closesAt clause } } } } }
      campaign(year: 2026) { ... on Campaign { title } }
      deadlines(year: 2026, region: "350102", tier: "excellence") {
        ... on RegionDeadlines { jurisdictionKey deadlines { level passed } } }
      beyond: campaign(year: 99999) { __typename ... on InvalidArgument { field } }
    }"""

    data = await graphql(gql, query)

    campaigns = data["campaigns"]
    assert campaigns["totalCount"] == 3 and campaigns["pageInfo"]["hasNextPage"] is True
    assert [c["year"] for c in campaigns["nodes"]] == [2025, 2026]
    chain = campaigns["nodes"][0]["deadlineChains"][0]
    assert chain["deadlines"][0] == {
        "level": "enterprise",
        "lastDay": "2025-07-18",
        "closesAt": "2025-07-19T00:00:00+08:00",
        "clause": "二(二)1",
    }
    assert data["deadlines"]["deadlines"] == [{"level": "enterprise", "passed": True}]
    assert data["beyond"] == {"__typename": "InvalidArgument", "field": "year"}


LISTS = """
query ($first: Int!) {
  recommendationLists(first: $first) {
    ... on RecommendationListConnection {
      totalCount
      nodes {
        unit status limit entryCount
        detail {
          __typename
          ... on ListDetail {
            quota counted remaining submission { entries sha256 }
            entries { rank counts declaration { ... on Declaration { id enterpriseName } } }
          }
          ... on Error { code }
        }
      }
    }
  }
  recommendationList(campaign: 2026, tier: "pilot", unit: "350000") {
    ... on RecommendationList { status detail { ... on ListDetail { counted } } }
  }
}
"""


async def test_lists_with_entries_quotas_and_declarations_are_three_calls(gql):
    data = await graphql(gql, LISTS, {"first": 100})

    lists = data["recommendationLists"]["nodes"]
    assert [lst["unit"] for lst in lists] == ["350000", "310000", "440000"]
    submitted = lists[0]["detail"]
    assert submitted["quota"]["limit"] == 5 and submitted["counted"] == 5
    assert submitted["submission"] == {"entries": 5, "sha256": "cd" * 32}
    assert [e["rank"] for e in submitted["entries"]] == [1, 2, 3, 4, 5]
    assert all(e["declaration"]["id"] for e in submitted["entries"])
    assert lists[2]["detail"] == {
        "__typename": "NotFound",
        "code": "recommendation_list_not_found",
    }
    assert data["recommendationList"]["detail"]["counted"] == 5
    assert calls(gql) == [
        ("declaration", "/v1/declarations"),  # every entry's declaration, once
        ("review", "/v1/recommendation-lists"),
        ("review", "/v1/recommendation-lists/batch"),  # the three lists and the single one
    ]


CULTIVATIONS = """
query ($first: Int!, $reports: Int!) {
  cultivations(first: $first) {
    ... on CultivationConnection {
      nodes {
        declarationId status periodEnd
        reports(first: $reports) {
          __typename
          ... on ReportConnection { totalCount pageInfo { hasNextPage } nodes { id period } }
          ... on Error { code }
        }
        declaration { ... on Declaration { tier } }
      }
    }
  }
}
"""


async def test_cultivations_with_their_reports_are_a_batch_per_window(gql):
    seen = {}
    for first in (3, 30):
        data = await graphql(gql, CULTIVATIONS, {"first": first, "reports": 5})
        nodes = data["cultivations"]["nodes"]
        assert len(nodes) == first
        seen[first] = calls(gql)
    assert (
        seen[3]
        == seen[30]
        == [
            ("declaration", "/v1/declarations"),
            ("review", "/v1/cultivations"),
            ("review", "/v1/cultivations/reports"),
        ]
    )
    reports = nodes[0]["reports"]
    assert reports["totalCount"] == 7 and reports["pageInfo"]["hasNextPage"] is True
    assert [r["id"] for r in reports["nodes"]] == ["1", "2", "3", "4", "5"]
    assert nodes[-1]["reports"] == {"__typename": "NotFound", "code": "cultivation_not_found"}


async def test_one_cultivation_and_one_national_case(gql):
    did = gql.services.declarations[0]["id"]
    query = """query ($id: ID!) {
      cultivation(declarationId: $id) { ... on CultivationRecord { goals reportCount
        history { toStatus } reports(first: 2) { ... on ReportConnection { nodes { id } } } } }
      nationalCase(declarationId: $id) { ... on NationalCaseRecord { status
        experts { name } history { event } } }
      nationalCases(first: 5) { ... on NationalCaseConnection { totalCount
        nodes { declarationId declaration { ... on Declaration { id } } } } }
    }"""

    data = await graphql(gql, query, {"id": did}, user="ministry")

    assert data["cultivation"]["reportCount"] == 7
    assert data["cultivation"]["reports"]["nodes"] == [{"id": "1"}, {"id": "2"}]
    assert data["nationalCase"]["experts"] == [{"name": "王专家"}]
    assert data["nationalCases"]["totalCount"] == 40


PUBLIC = """{
  publishedList(campaign: 2026, tier: "pilot", first: 25) {
    __typename
    ... on PublishedList { publishedAt entries { totalCount nodes { factoryName } } }
  }
  unpublished: publishedList(campaign: 2026, tier: "excellence", first: 5) {
    __typename ... on Error { code }
  }
  publicity(campaign: 2026, tier: "pilot") { ... on PublicNotice { entries { tier } } }
  leadingFactories(first: 10) {
    ... on LeadingFactoryConnection { totalCount nodes { acceptedOn } } }
  odd: publicity(campaign: 2026, tier: "../v1/inbox") {
    __typename ... on InvalidArgument { field } }
}"""


async def test_the_public_reads_need_no_token(gql):
    data = await graphql(gql, PUBLIC, user=None)

    assert data["publishedList"]["entries"]["totalCount"] == 60
    assert len(data["publishedList"]["entries"]["nodes"]) == 25
    assert data["unpublished"] == {"__typename": "NotFound", "code": "published_list_not_found"}
    assert len(data["publicity"]["entries"]) == 3
    assert data["leadingFactories"]["totalCount"] == 12
    assert data["odd"] == {"__typename": "InvalidArgument", "field": "tier"}
    assert not [c for c in gql.services.seen if "authorization" in str(c)]


async def test_a_token_that_does_not_verify_is_unauthenticated_even_for_public_reads(gql):
    resp = await gql.client.post(
        "/graphql",
        json={"query": "{ leadingFactories(first: 1) { __typename } }"},
        headers={"Authorization": "Bearer not-a-token"},
    )

    assert resp.json()["data"]["leadingFactories"] == {"__typename": "Unauthenticated"}
    assert gql.services.seen == []


async def test_case_counts_for_the_dashboard(gql):
    query = """{ caseCounts(campaign: 2026, by: "tier") {
      __typename ... on CaseCounts { total groups { key count } } ... on Error { code } } }"""

    assert (await graphql(gql, query))["caseCounts"] == {
        "__typename": "CaseCounts",
        "total": 250,
        "groups": [{"key": "advanced", "count": 250}],
    }
    refused = await graphql(gql, query, user="enterprise")
    assert refused["caseCounts"] == {"__typename": "Forbidden", "code": "forbidden"}


async def test_the_cost_limit_prices_the_gateways_own_nested_connections(gql, monkeypatch):
    """30 cultivations with 100 reports each is 3,030 nodes; with the limit lowered to 3,000
    (the real one, 500,000, cannot be reached by two levels within the alias limit) the
    document is refused before anything is read, naming the cost."""
    monkeypatch.setattr("ladder.gateway.graphql.cost.MAX_NODES", 3_000)
    resp = await gql.client.post(
        "/graphql",
        json={"query": CULTIVATIONS, "variables": {"first": 30, "reports": 100}},
        headers=await gql.bearer("ministry"),
    )

    body = resp.json()
    assert body["data"] is None
    (error,) = body["errors"]
    assert {k: error["extensions"][k] for k in ("code", "cost", "limit")} == {
        "code": "query_too_costly",
        "cost": 30 + 30 * 100,
        "limit": 3_000,
    }
    assert gql.services.seen == []
