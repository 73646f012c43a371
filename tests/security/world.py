"""The objects the permission matrix asks about, built through the gateway as people would:
a Fuzhou 领航级 declaration (with evidence) carried up the Fujian chain, recommended, reviewed
nationally by a panel with 现场核查, publicised (one public objection) and published into its
cultivation; a second Fuzhou declaration left at the county (someone's held inbox); the
enterprise's own 基础级 self-assessment and a province import; experts assigned, unassigned
and conflicted.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import time
import uuid
from dataclasses import dataclass, field

import httpx
from pypdf import PdfWriter
from stdnum.cn import uscc

from ladder.identity.seed import demo_user_id
from ladder.kit.tokens import SigningKey
from tests.conftest import dev_token, new_factory, service_headers
from tests.e2e.test_declaration_document import DEMO_YEAR, _document
from tests.e2e.test_national_and_cultivation import (
    Experts,
    publicize_and_publish,
    review_nationally,
)
from tests.e2e.test_national_and_cultivation import (
    pilot_document as _pilot_document,
)
from tests.e2e.test_recommendation_chains import forward_up_fujian, recommend
from tests.e2e.test_review_chain import _held_case, _until
from tests.e2e.test_self_assessments import filled
from tools.stack import Stack

FUZHOU_USCC = "91350102MA2Y00001E"
SHANGHAI_USCC = "91310115MA1H000024"
SOE_GROUP = "91110000100000007F"
FUZHOU_FACTORY = "00000000-0000-4000-8000-000000000101"
SOE_SUBSIDIARY = "91350105MA2Y000030"  # seeded, its group 91110000100000007F
SOE_FACTORY = "00000000-0000-4000-8000-000000000103"
XPCC_USCC = "91659001MA7800001L"  # registered by the world, in 石河子市 (6590, the XPCC's)
DECL = "/api/declaration/v1/declarations"
CLAIMS: dict[str, dict[str, str] | None] = {
    "anonymous": None,
    "enterprise_own": {"role": "enterprise", "org": FUZHOU_USCC, "region": "350102"},
    "enterprise_other": {"role": "enterprise", "org": SHANGHAI_USCC, "region": "310115"},
    "county_own": {"role": "county", "region": "350102"},
    "county_other": {"role": "county", "region": "350103"},
    "city": {"role": "city", "region": "350100"},
    "province_own": {"role": "province", "region": "350000"},
    "province_other": {"role": "province", "region": "310000"},
    "soe_hq": {"role": "central_soe_hq", "org": SOE_GROUP},
    "xpcc": {"role": "province", "region": "xpcc"},
    "ministry": {"role": "ministry"},
    # experts: their `sub` is their pool account (set when the world is built)
    "expert_assigned": {"role": "expert"},
    "expert_unassigned": {"role": "expert"},
    "expert_conflicted": {"role": "expert"},
    "service": None,  # a Ladder service's client-credentials token
}
ROLES = list(CLAIMS)
# The roles that are demo accounts of the identity service (`ladder.identity.seed`): their
# tokens are the gateway's dev tokens, whose `sub` names the account (`user:<id>`) and whose
# claims are the account's organisation's — the same as CLAIMS (checked when the world is
# built). The experts keep their own pool accounts' subs; the service its client's.
ACCOUNTS = {
    "enterprise_own": "enterprise",
    "enterprise_other": "enterprise-sh",
    "county_own": "county",
    "county_other": "county-other",
    "city": "city",
    "province_own": "province",
    "province_other": "province-sh",
    "soe_hq": "central-soe",
    "xpcc": "xpcc",
    "ministry": "ministry",
}
IDENTITY = "/api/identity/v1"


def _key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def _ok(resp: httpx.Response, *codes: int) -> dict:
    assert resp.status_code in (codes or (200,)), resp.text
    return resp.json()


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def recognised_list() -> dict:
    """An earlier 先进级 list of a Fuzhou factory no declaration uses (an import again only
    counts it as already recorded)."""
    return {
        "document_number": "矩阵：闽2024年先进级名单",
        "rows": [{"uscc": FUZHOU_USCC, "enterprise_name": "福州示范智能装备有限公司",
                  "factory_name": "矩阵认定工厂", "region_code": "350102", "tier": "advanced",
                  "year": 2024}],
    }  # fmt: skip


def recognised_csv(w: object = None, g: object = None) -> bytes:
    row = recognised_list()["rows"][0]
    return (",".join(row) + "\n" + ",".join(str(v) for v in row.values()) + "\n").encode()


def import_csv(gateway: httpx.Client, headers: dict[str, str]) -> bytes:
    """A one-row import in the campaign's template, for a Fuzhou enterprise no one else has
    filed (a fresh USCC, check character computed)."""
    template = gateway.get(
        "/api/declaration/v1/self-assessments/imports/template.csv",
        params={"campaign_year": DEMO_YEAR},
        headers=headers,
    )
    assert template.status_code == 200, template.text
    columns = next(csv.reader(io.StringIO(template.content.decode("utf-8-sig"))))
    base = f"91350102MA2X{uuid.uuid4().int % 10**5:05d}"
    values = {
        "uscc": base + uscc.calc_check_digit(base),
        "name": "福州矩阵测试企业有限公司",
        "region": "350102",
        "cmmm_level": "2",
        "segments": "生产作业",
    }
    return filled(columns, values)


@dataclass
class World:
    stack: Stack
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    did: str = ""  # the 领航级 declaration, in cultivation
    held_did: str = ""  # a declaration held by county_own
    soe_did: str = ""  # a central SOE subsidiary's 卓越级, held by its group HQ
    xpcc_did: str = ""  # a 石河子 (XPCC) factory's 卓越级, held by the XPCC
    fingerprint: str = ""
    attachment_id: str = ""
    assessment_id: str = ""
    import_id: str = ""
    recognition_import_id: str = ""  # Fujian's import of an earlier list (认定名单)
    expert_id: str = ""  # expert_assigned's pool id
    spare_expert_id: str = ""  # an expert no one uses (the DELETE row removes it)
    objection_id: str = ""
    onsite_key: str = ""
    dataset_id: str = ""  # a reference dataset (the seeded sample)
    jiebang_id: str = ""  # a 揭榜单位 record of Shanghai's acceptance
    experts: dict[str, str] = field(default_factory=dict)  # role → account
    # The identity service's objects: enterprise_own's user and organisation (福州示范), the
    # organisation 平潭 (created by Fujian, used by no role), a pending registration filed with
    # 鼓楼 (county_own) and a machine client of Fujian (province_own).
    own_user_id: str = ""
    own_org_id: str = ""
    pingtan_org_id: str = ""
    registration_id: str = ""
    client_id: str = ""

    def as_(self, role: str) -> dict[str, str]:
        return dict(self.headers[role])


def jiebang_record() -> dict[str, object]:
    """A 揭榜单位 record of Shanghai's acceptance (沪经信制〔2025〕430号 一(二)4), without USCC."""
    return {
        "enterprise_name": "上海示范智造科技有限公司",
        "programme": "智能制造示范工厂揭榜挂帅",
        "acceptance": "上海市智能制造示范工厂揭榜单位地方验收",
        "accepted_by": "310000",
        "year": 2024,
        "source_document": "（矩阵测试）验收通过名单",
        "source_note": "matrix world",
    }


def _mint(key: SigningKey, sub: str, claims: dict[str, str]) -> dict[str, str]:
    token = key.mint(
        {"sub": sub, "name": sub, **claims}, issuer="ladder-gateway", audience="ladder"
    )
    return {"Authorization": f"Bearer {token}"}


def build(stack: Stack, gateway: httpx.Client) -> World:
    key = SigningKey.from_file(stack.key_file)
    world = World(stack)
    for role, username in ACCOUNTS.items():
        world.headers[role] = _account_headers(gateway, role, username)
    world.headers["anonymous"] = {}
    world.headers["service"] = service_headers(stack, "review")
    enterprise, ministry = world.as_("enterprise_own"), world.as_("ministry")

    # The 领航级 declaration, with evidence, up the Fujian chain.
    created = _ok(
        gateway.post(
            DECL,
            json={"factory_id": FUZHOU_FACTORY, "campaign_year": DEMO_YEAR, "tier": "pilot",
                  "facts": _pilot_document()},
            headers={**enterprise, **_key()},
        ),
        201,
    )  # fmt: skip
    world.did = did = created["id"]
    attached = _ok(
        gateway.post(
            f"{DECL}/{did}/attachments",
            params={"name": "检测报告.pdf"},
            content=pdf_bytes(),
            headers={**enterprise, **_key(), "Content-Type": "application/octet-stream"},
        ),
        201,
    )
    world.attachment_id = attached["id"]
    submitted = _ok(gateway.post(f"{DECL}/{did}/submit", headers={**enterprise, **_key()}))
    county, city, province = (world.as_(r) for r in ("county_own", "city", "province_own"))
    forward_up_fujian(gateway, did, county, city, province)
    recommend(gateway, province, "pilot", "350000", did)
    versions = _ok(gateway.get(f"{DECL}/{did}/versions", headers=enterprise))
    world.fingerprint = versions[0]["fingerprint"]
    assert submitted["status"] == "submitted"

    # National review by a panel; the experts of the matrix.
    experts = Experts(gateway, ministry, key)
    panel = experts.create(5, "matrix")
    (unassigned,) = experts.create(1, "matrix-free")
    (conflicted,) = experts.create(1, "matrix-conflict", declared_conflicts=[FUZHOU_USCC])
    (world.spare_expert_id,) = experts.create(1, "matrix-spare")
    for role, expert in (("expert_assigned", panel[0]), ("expert_unassigned", unassigned),
                         ("expert_conflicted", conflicted)):  # fmt: skip
        world.headers[role] = experts.headers[expert]
        world.experts[role] = experts.accounts[expert]
    world.expert_id = panel[0]
    review_nationally(gateway, ministry, experts, did, panel)
    onsite = _ok(gateway.get(f"/api/review/v1/national/cases/{did}/onsite", headers=ministry))
    world.onsite_key = onsite["items"][0]["key"]
    publicize_and_publish(stack, gateway, ministry, "pilot", [did])
    objections = _ok(
        gateway.get(
            f"/api/review/v1/national/publicities/{DEMO_YEAR}/pilot/objections", headers=ministry
        )
    )
    world.objection_id = objections["items"][0]["id"]

    def started():
        resp = gateway.get(f"/api/review/v1/cultivations/{did}", headers=ministry)
        return resp.json() if resp.status_code == 200 else None

    record = _until("the cultivation to start", started)
    _ok(
        gateway.put(
            f"/api/review/v1/cultivations/{did}/experts",
            json={"experts": [world.experts["expert_assigned"]]},
            headers={**ministry, "If-Match": record["etag"]},
        )
    )

    # A second declaration, of another factory (a factory has one live declaration per tier,
    # and not 卓越级 beside 领航级), held at the county.
    second = _ok(
        gateway.post(
            DECL,
            json={"factory_id": new_factory(gateway, enterprise), "campaign_year": DEMO_YEAR,
                  "tier": "excellence", "facts": _document()},
            headers={**enterprise, **_key()},
        ),
        201,
    )  # fmt: skip
    world.held_did = second["id"]
    _ok(gateway.post(f"{DECL}/{world.held_did}/submit", headers={**enterprise, **_key()}))
    _held_case(gateway, county, world.held_did, level="county")

    world.soe_did = _declare_elsewhere(
        gateway, _mint(key, "matrix:soe-subsidiary", {"role": "enterprise", "org": SOE_SUBSIDIARY,
                                                      "region": "350105"}),
        SOE_FACTORY, "350105",
    )  # fmt: skip
    _held_case(gateway, world.as_("soe_hq"), world.soe_did, level="central_soe_hq")
    xpcc_enterprise = _mint(
        key, "matrix:xpcc-enterprise", {"role": "enterprise", "org": XPCC_USCC, "region": "659001"}
    )
    _ok(
        gateway.post(
            "/api/declaration/v1/enterprises",
            json={"uscc": XPCC_USCC, "name": "石河子示范智能制造有限公司", "region_code": "659001"},
            headers=xpcc_enterprise,
        ),
        201,
    )
    factory = _ok(
        gateway.post(
            f"/api/declaration/v1/enterprises/{XPCC_USCC}/factories",
            json={"name": "石河子智能工厂", "region_code": "659001"},
            headers=xpcc_enterprise,
        ),
        201,
    )
    # Its 先进级 of 2024 (the prerequisite of 卓越级, judged on the register), imported by the
    # ministry: the XPCC's region prefix is not a GB/T 2260 one.
    _ok(
        gateway.post(
            "/api/declaration/v1/recognitions/imports",
            json={"document_number": "矩阵：2024年先进级名单", "rows": [
                {"uscc": XPCC_USCC, "enterprise_name": "石河子示范智能制造有限公司",
                 "factory_name": "石河子智能工厂", "region_code": "659001", "tier": "advanced",
                 "year": 2024}]},
            headers={**ministry, **_key()},
        ),
        201,
    )  # fmt: skip
    world.xpcc_did = _declare_elsewhere(gateway, xpcc_enterprise, factory["id"], "659001")
    _held_case(gateway, world.as_("xpcc"), world.xpcc_did, level="province")

    # 基础级: the enterprise's own form and a province import.
    own = _ok(
        gateway.post(
            "/api/declaration/v1/self-assessments",
            json={"campaign_year": DEMO_YEAR, "enterprise_name": "福州示范智能装备有限公司",
                  "region_code": "350102", "factory_name": "高端装备智能工厂", "cmmm_level": 2,
                  "segments": [{"segment": "生产作业", "built": "在线智能检测"}]},
            headers={**enterprise, **_key()},
        ),
        201,
    )  # fmt: skip
    world.assessment_id = own["id"]
    imported = _ok(
        gateway.post(
            "/api/declaration/v1/self-assessments/imports",
            params={"campaign_year": DEMO_YEAR},
            content=import_csv(gateway, province),
            headers={**province, **_key(), "Content-Type": "text/csv"},
        ),
        201,
    )
    world.import_id = imported["id"]
    world.recognition_import_id = _ok(
        gateway.post(
            "/api/declaration/v1/recognitions/imports",
            json=recognised_list(), headers={**province, **_key()},
        ),
        201,
    )["id"]  # fmt: skip
    datasets = _ok(gateway.get("/api/rules/v1/reference-datasets", headers=ministry))
    world.dataset_id = datasets["items"][0]["id"]
    recorded = _ok(
        gateway.post(
            "/api/rules/v1/jiebang-units",
            json={**jiebang_record(), "uscc": SHANGHAI_USCC},
            headers={**ministry, **_key()},
        ),
        201,
    )
    world.jiebang_id = recorded["id"]
    _wait_routed(gateway, county, did)
    _identity_objects(gateway, world)
    return world


def _account_headers(gateway: httpx.Client, role: str, username: str) -> dict[str, str]:
    """The demo account's dev token, its claims those of CLAIMS[role] and its `sub` the
    account's."""
    headers = dev_token(gateway, username)
    payload = headers["Authorization"].removeprefix("Bearer ").split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    wanted = CLAIMS[role] or {}
    got = {k: claims[k] for k in ("role", "org", "region") if claims.get(k) is not None}
    assert got == wanted, (role, got, wanted)
    assert claims["sub"] == f"user:{demo_user_id(username)}", (role, claims["sub"])
    return headers


def _identity_objects(gateway: httpx.Client, world: World) -> None:
    me = _ok(gateway.get(f"{IDENTITY}/me", headers=world.as_("enterprise_own")))
    world.own_user_id, world.own_org_id = me["user"]["id"], me["organisation"]["id"]
    province = world.as_("province_own")
    created = _ok(
        gateway.get(f"{IDENTITY}/organisations", params={"page_size": 100}, headers=province)
    )
    world.pingtan_org_id = next(o["id"] for o in created["items"] if o["region"] == "350128")
    base = f"91350102MA2W{uuid.uuid4().int % 10**5:05d}"
    filed = _ok(
        gateway.post(
            f"{IDENTITY}/registrations",
            json={"uscc": base + uscc.calc_check_digit(base), "name": "福州矩阵注册测试有限公司",
                  "region": "350102", "contact_name": "矩阵联系人",
                  "contact_email": "matrix-registrant@ladder.invalid",
                  "username": f"matrix-registrant-{uuid.uuid4().hex[:8]}",
                  "password": "Matrix-registrant-2026-pass"},
            headers=_key(),
        ),
        201,
    )  # fmt: skip
    world.registration_id = filed["id"]
    client = _ok(
        gateway.post(
            f"{IDENTITY}/clients",
            json={"name": "矩阵测试对接系统", "scopes": ["declaration:read"]},
            headers={**province, **_key()},
        ),
        201,
    )
    world.client_id = client["client_id"]


def _declare_elsewhere(
    gateway: httpx.Client, enterprise: dict[str, str], factory_id: str, region: str
) -> str:
    """A 卓越级 declaration of another enterprise, submitted."""
    doc = _document()
    doc["applicant"] = {**doc["applicant"], "operating_regions": [region]}
    created = _ok(
        gateway.post(
            DECL,
            json={"factory_id": factory_id, "campaign_year": DEMO_YEAR, "tier": "excellence",
                  "facts": doc},
            headers={**enterprise, **_key()},
        ),
        201,
    )  # fmt: skip
    _ok(gateway.post(f"{DECL}/{created['id']}/submit", headers={**enterprise, **_key()}))
    return created["id"]


def _wait_routed(gateway: httpx.Client, county: dict[str, str], did: str) -> None:
    """The declaration service has learnt where the case went (it reads it for the county)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if gateway.get(f"{DECL}/{did}", headers=county).status_code == 200:
            return
        time.sleep(0.2)
    raise AssertionError("the routing never reached the declaration service")
