"""A Shanghai district's ranked 推荐汇总表 with its cap, through the gateway with the real
processes — the real rules service answering the cap and the 揭榜 exemption from its registry
(no stand-in): 沪经信制〔2025〕430号 一(二)2 (the district ranks), 一(二)4 (at most 6 卓越级 per
district; 已通过智能制造示范工厂揭榜单位地方验收的单位不占用推荐名额).

浦东新区 ranks six 卓越级 declarations; the seventh is refused (409 naming the cap, its clause
and the district); the ministry records another enterprise as a 揭榜单位 of Shanghai's
acceptance in the rules' registry, and that enterprise's declaration goes on as the seventh
without counting. The district submits its table, which forwards the cases in rank order; the
municipal unit forwards them after its initial review and takes them into its own list in the
district's order.

On a stack of its own: a district has one table per campaign and tier, which this test fills
and submits (test_recommendation_chains uses the shared stack's).
"""

from __future__ import annotations

import uuid

import httpx
import pytest
from stdnum.cn import uscc as stdnum_uscc

from ladder.kit.tokens import SigningKey
from tests.conftest import dev_token, import_recognitions, minted, running_stack
from tests.e2e.test_declaration_document import DECL, DEMO_YEAR, _document
from tests.e2e.test_recommendation_chains import LISTS, submit_declaration
from tests.e2e.test_review_chain import _held_case, _opine

pytestmark = pytest.mark.crossservice

PUDONG, MUNICIPAL = "310115", "310000"
JIEBANG_BASE = "91310115MA1K4PXT1"
JIEBANG_USCC = JIEBANG_BASE + stdnum_uscc.calc_check_digit(JIEBANG_BASE)
TABLE = f"{LISTS}/{DEMO_YEAR}/excellence/{PUDONG}"


@pytest.fixture(scope="module")
def district_stack(pg_server: str, tmp_path_factory: pytest.TempPathFactory):
    with running_stack(pg_server, tmp_path_factory.mktemp("districts")) as running:
        yield running


@pytest.fixture
def gateway(district_stack):
    with httpx.Client(base_url=district_stack.url("gateway"), timeout=20.0) as client:
        yield client


def _key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def jiebang_declaration(gateway: httpx.Client, key: SigningKey) -> str:
    """A second Pudong enterprise registers, adds a factory and submits a 卓越级 declaration."""
    token = key.mint(
        {
            "sub": "e2e:jiebang-enterprise",
            "role": "enterprise",
            "name": "上海揭榜示范制造有限公司",
            "org": JIEBANG_USCC,
            "region": PUDONG,
        },
        issuer="ladder-gateway",
        audience="ladder",
    )
    enterprise = {"Authorization": f"Bearer {token}"}
    registered = gateway.post(
        "/api/declaration/v1/enterprises",
        json={"uscc": JIEBANG_USCC, "name": "上海揭榜示范制造有限公司", "region_code": PUDONG},
        headers={**enterprise, **_key()},
    )
    assert registered.status_code == 201, registered.text
    factory = gateway.post(
        f"/api/declaration/v1/enterprises/{JIEBANG_USCC}/factories",
        json={"name": "揭榜示范智能工厂", "region_code": PUDONG},
        headers={**enterprise, **_key()},
    )
    assert factory.status_code == 201, factory.text
    # 卓越级 needs a recognised 先进级 (251号 二(一)2): Shanghai's list of last year names it.
    row = {
        "uscc": JIEBANG_USCC,
        "enterprise_name": "上海揭榜示范制造有限公司",
        "factory_name": "揭榜示范智能工厂",
        "region_code": PUDONG,
        "tier": "advanced",
        "year": 2024,
    }
    shanghai = minted(key, "e2e:sh-province", "province", region=MUNICIPAL)
    imported = import_recognitions(gateway, shanghai, [row], "测试数据：上海2024年先进级名单")
    assert imported.status_code == 201, imported.text
    doc = _document()
    doc["applicant"] = {
        **doc["applicant"],
        "operating_regions": [PUDONG],
        "address": "上海市浦东新区揭榜路1号",
    }
    created = gateway.post(
        DECL,
        json={
            "factory_id": factory.json()["id"],
            "campaign_year": DEMO_YEAR,
            "tier": "excellence",
            "facts": doc,
        },
        headers={**enterprise, **_key()},
    )
    assert created.status_code == 201, created.text
    did = created.json()["id"]
    submitted = gateway.post(f"{DECL}/{did}/submit", headers={**enterprise, **_key()})
    assert submitted.status_code == 200, submitted.text
    return did


def _add(gateway: httpx.Client, district: dict[str, str], did: str) -> httpx.Response:
    return gateway.post(
        f"{TABLE}/entries", json={"declaration_id": did}, headers={**district, **_key()}
    )


def test_a_districts_seventh_is_refused_and_a_jiebang_unit_does_not_count(gateway, district_stack):
    key = SigningKey.from_file(district_stack.key_file)
    ranked = [submit_declaration(gateway, "enterprise-sh")[0] for _ in range(7)]
    jiebang = jiebang_declaration(gateway, key)
    district = dev_token(gateway, "county-sh")
    for did in [*ranked, jiebang]:
        _held_case(gateway, district, did, level="county", holder_region=PUDONG)

    # One by one is not how a district sends cases up: through its ranked table.
    case = gateway.get(f"/api/review/v1/cases/{ranked[0]}", headers=district)
    alone = gateway.post(
        f"/api/review/v1/cases/{ranked[0]}/opinions",
        json={"decision": "forward"},
        headers={**district, "If-Match": case.headers["ETag"], **_key()},
    )
    assert (alone.status_code, alone.json()["error"]["code"]) == (409, "forward_through_table")

    opened = gateway.put(TABLE, headers=district)
    assert opened.status_code == 201, opened.text
    assert opened.json()["limit"] == 6
    assert opened.json()["quota"]["policy"]["clause"] == "沪经信制〔2025〕430号 一(二)4"
    for did in ranked[:6]:
        added = _add(gateway, district, did)
        assert added.status_code == 201, added.text
    seventh = _add(gateway, district, ranked[6])
    assert seventh.status_code == 409, seventh.text
    error = seventh.json()["error"]
    assert error["code"] == "quota_exhausted"
    assert {
        k: error["details"][k] for k in ("limit", "counted", "unit", "unit_name", "clause")
    } == {
        "limit": 6,
        "counted": 6,
        "unit": PUDONG,
        "unit_name": "浦东新区",
        "clause": "沪经信制〔2025〕430号 一(二)4",
    }

    # Before the registry knows it, the 揭榜 enterprise counts like any other.
    early = _add(gateway, district, jiebang)
    assert (early.status_code, early.json()["error"]["code"]) == (409, "quota_exhausted")
    ministry = dev_token(gateway, "ministry")
    recorded = gateway.post(
        "/api/rules/v1/jiebang-units",
        json={
            "uscc": JIEBANG_USCC,
            "enterprise_name": "上海揭榜示范制造有限公司",
            "programme": "智能制造示范工厂揭榜挂帅",
            "acceptance": "上海市智能制造示范工厂揭榜单位地方验收",
            "accepted_by": MUNICIPAL,
            "year": 2024,
            "source_document": "（e2e）验收通过名单",
            "source_note": "e2e: recorded by the ministry",
        },
        headers={**ministry, **_key()},
    )
    assert recorded.status_code == 201, recorded.text
    assert [c["clause"] for c in recorded.json()["exempt_from"]] == [
        "沪经信制〔2025〕430号 一(二)4"
    ]

    exempt = _add(gateway, district, jiebang)
    assert exempt.status_code == 201, exempt.text
    table = exempt.json()
    last = table["entries"][-1]
    assert (last["rank"], last["declaration_id"], last["counts"], last["exemption"]) == (
        7,
        jiebang,
        False,
        "jiebang_accepted",
    )
    assert (table["counted"], table["exempt"], table["remaining"]) == (6, 1, 0)
    # The per-entry flag is gone: the registry decides, not the caller.
    flagged = gateway.post(
        f"{TABLE}/entries",
        json={"declaration_id": ranked[6], "jiebang_accepted": True},
        headers={**district, **_key()},
    )
    assert flagged.status_code == 422

    # The district submits its table: its cases go up in rank order.
    locked = gateway.post(f"{TABLE}/lock", headers={**district, "If-Match": exempt.headers["ETag"]})
    assert locked.status_code == 200, locked.text
    submitted = gateway.post(
        f"{TABLE}/submit", headers={**district, "If-Match": locked.headers["ETag"], **_key()}
    )
    assert submitted.status_code == 200, submitted.text
    order = [e["declaration_id"] for e in submitted.json()["entries"]]
    assert order == [*ranked[:6], jiebang]

    municipal = dev_token(gateway, "province-sh")
    for did in reversed(order):  # the municipal review order does not matter
        _held_case(gateway, municipal, did, level="province", status="awaiting_initial_review")
        _opine(gateway, municipal, did, {"decision": "forward"})
    upper = f"{LISTS}/{DEMO_YEAR}/excellence/{MUNICIPAL}"
    assert gateway.put(upper, headers=municipal).status_code == 201
    taken = gateway.post(f"{upper}/entries/forwarded", headers={**municipal, **_key()})
    assert taken.status_code == 200, taken.text
    assert [e["declaration_id"] for e in taken.json()["entries"]] == order
    # At the municipal level 430号 names no exemption: every entry uses its quota.
    assert taken.json()["counted"] == 7
