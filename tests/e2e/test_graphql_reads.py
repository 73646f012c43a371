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
            if record.get("logger") == "ladder.access" and record.get("request_id") == request_id:
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
