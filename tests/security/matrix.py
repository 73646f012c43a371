"""The permission matrix as data: for every route of every process, what each kind of caller
gets — over REST through the gateway (or, for `/internal/*`, directly at the service), and for
the GraphQL fields.

Each cell is one of:

- `Y` — let through: the route does its work or answers a domain refusal (409 not in that
  state, 412 stale If-Match, 422), never 401/403/404;
- `N` — refused: 403, or 404 where existence must not leak;
- `A` — 401: no token;
- `+` / `-` — a list that answers 200 and does / does not contain the world's object;
- `(status, code)` — exactly that answer (a domain rule about who may act *now*).

Writes are sent so that an allowed caller changes nothing that matters: a stale If-Match
(`"matrix-stale"`), a state in which the action is refused, or a fresh object of its own.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from tests.e2e.test_declaration_document import DEMO_YEAR
from tests.security.batch_rows import batch_rows
from tests.security.exports_rows import exports_rows
from tests.security.identity_rows import identity_rows
from tests.security.push_rows import push_rows
from tests.security.webhook_rows import webhook_rows
from tests.security.world import (
    FUZHOU_FACTORY,
    FUZHOU_USCC,
    ROLES,
    World,
    import_csv,
    jiebang_record,
    pdf_bytes,
    recognised_csv,
    recognised_list,
)

Cell = str | int | tuple[int, str]
STALE = {"If-Match": '"matrix-stale"'}

# Who reads what, by the rules the services implement (one place per kind of object).
DECLARATION_READERS = {"enterprise_own", "county_own", "city", "province_own", "ministry",
                       "service"}  # fmt: skip
ENTERPRISE_READERS = DECLARATION_READERS
CASE_READERS = {"county_own", "city", "province_own", "ministry"}
CULTIVATION_READERS = {"enterprise_own", "city", "province_own", "ministry", "expert_assigned"}
NATIONAL_READERS = {"ministry", "expert_assigned"}
AUTHORITIES = {"county_own", "county_other", "city", "province_own", "province_other", "soe_hq",
               "xpcc", "ministry"}  # fmt: skip
# Those who read no Fuzhou case though they may list: another enterprise, region or unit.
OUTSIDERS = {"enterprise_other", "county_other", "province_other", "soe_hq", "xpcc"}
# Experts list the declarations whose version under review they are granted (issue 14); the
# world's case is decided by then, which ended its experts' access: none is listed.
EXPERTS = {"expert_assigned", "expert_unassigned", "expert_conflicted"}
TOKEN = set(ROLES) - {"anonymous"}
EVERYONE = set(ROLES)


def _whole_count_table() -> list[dict[str, object]]:
    """A 卓越级 count for every province and the XPCC: a table must be whole (issue 14)."""
    from ladder.rules.reference.regions import XPCC, regions

    return [{"region": p.code, "value": 1} for p in regions().provinces] + [
        {"region": XPCC, "value": 0}
    ]


def cells(
    allow: Iterable[str] = (),
    *,
    sees: Iterable[str] = (),
    hides: Iterable[str] = (),
    exact: dict[str, Cell] | None = None,
) -> dict[str, Cell]:
    """A row's cells: the roles let through (or seeing / not seeing the object in a list);
    everyone else refused, the anonymous caller 401 unless let through."""
    row: dict[str, Cell] = {role: ("A" if role == "anonymous" else "N") for role in ROLES}
    row.update(dict.fromkeys(allow, "Y"))
    row.update(dict.fromkeys(sees, "+"))
    row.update(dict.fromkeys(hides, "-"))
    row.update(exact or {})
    return row


@dataclass(frozen=True)
class Row:
    process: str  # declaration, rules, review, identity, gateway
    method: str
    path: str  # as the OpenAPI document writes it
    expect: dict[str, Cell]
    params: Callable[[World], dict[str, str]] = lambda w: {}
    query: Callable[[World], dict[str, Any]] = lambda w: {}
    json: Callable[[World], Any] | None = None
    content: Callable[[World, Any], bytes] | None = None  # (world, gateway) → raw body
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    keyed: bool = False  # send a fresh Idempotency-Key
    found: Callable[[World, Any], bool] | None = None  # lists: is the world's object in it
    direct: bool = False  # /internal/*: called at the service (the gateway never passes it)
    variant: str = ""  # a second row of the same route, about another object

    @property
    def key(self) -> tuple[str, str, str]:
        return self.process, self.method, self.path


def _d(w: World) -> dict[str, str]:
    return {"declaration_id": w.did}


def _items_have(field_name: str, value: Callable[[World], str]):
    def found(w: World, body: Any) -> bool:
        items = body["items"] if isinstance(body, dict) else body
        return any(str(i.get(field_name)) == value(w) for i in items)

    return found


def _event(source: str) -> Callable[[World], dict]:
    return lambda w: {
        "event_id": str(uuid.uuid4()),
        "topic": "matrix.nothing",  # a topic no one handles: recorded and ignored
        "source": source,
        "occurred_at": "2026-12-03T00:00:00+00:00",
        "payload": {},
    }


def _batch(source: str) -> Callable[[World], dict]:
    return lambda w: {"events": [_event(source)(w)]}


FACTS = {"cmmm_level": 3, "segments": ["生产作业", "生产管理", "运营管理"]}
DEADLINE = {"deadlines": [{"level": "enterprise", "last_day": "2027-07-18", "source": "矩阵",
                           "clause": "x", "clause_text": "矩阵测试"}]}  # fmt: skip
CAMPAIGN = {"year": 2099, "title": "矩阵批次", "source": "矩阵", "open_tiers": ["excellence"],
            "rules_edition": "2025", "quota_policy": "2025", "publicity_period": "ladder-default",
            "cultivation_period": "251-2025"}  # fmt: skip
FORM = {"campaign_year": DEMO_YEAR, "enterprise_name": "矩阵自评企业", "region_code": "350102",
        "factory_name": "矩阵工厂", "cmmm_level": 2,
        "segments": [{"segment": "生产作业", "built": "在线智能检测"}]}  # fmt: skip
BASIC = {"tier": "basic", "facts": FACTS}
D, RULES, R, GW = "declaration", "rules", "review", "gateway"
DECL = "/v1/declarations/{declaration_id}"
ATT = DECL + "/attachments"
SA = "/v1/self-assessments"
REC = "/v1/recognitions"
LIST = "/v1/recommendation-lists/{campaign}/{tier}/{unit}"
CULT = "/v1/cultivations/{declaration_id}"
NAT = "/v1/national/cases/{declaration_id}"
PUB = "/v1/national/publicities/{campaign}/{tier}"


def _soe(w: World) -> dict[str, str]:
    return {"declaration_id": w.soe_did}


def _xpcc(w: World) -> dict[str, str]:
    return {"declaration_id": w.xpcc_did}


def _list(w: World) -> dict[str, str]:
    return {"campaign": str(DEMO_YEAR), "tier": "pilot", "unit": "350000"}


def _pub(w: World) -> dict[str, str]:
    return {"campaign": str(DEMO_YEAR), "tier": "pilot"}


def _att(w: World) -> dict[str, str]:
    return {"declaration_id": w.did, "attachment_id": w.attachment_id}


def _outbox_rows(process: str) -> list[Row]:
    """The outbox read API and replays of a service that relays events (issue 12; the rules
    service publishes none): the ministry operates the platform, services may too; nobody
    else. The replays name nothing that exists, so an allowed caller changes nothing: one row
    unknown (404 by its code), all dead rows of a
    destination that has none (0 replayed)."""
    operators = {"ministry", "service"}
    return [
        Row(process, "GET", "/v1/outbox/events", cells(operators)),
        Row(process, "POST", "/v1/outbox/events/{outbox_id}/replay",
            cells(exact=dict.fromkeys(operators, (404, "outbox_event_not_found"))),
            params=lambda w: {"outbox_id": str(2**62)}),
        Row(process, "POST", "/v1/outbox/replay", cells(operators),
            json=lambda w: {"destination": "matrix-none"}),
    ]  # fmt: skip


# fmt: off
ROWS: list[Row] = [
    # --- the declaration service ----------------------------------------------------------
    Row(D, "GET", "/healthz", cells(EVERYONE)),
    Row(D, "GET", "/readyz", cells(EVERYONE)),
    *_outbox_rows(D),
    Row(D, "POST", "/internal/events", cells({"service"}), json=_event("review"), direct=True),
    Row(D, "POST", "/internal/events/batch", cells({"service"}), json=_batch("review"),
        direct=True),
    # The dev/test clock (LADDER_CLOCK_CONTROL): a service's, never a person's.
    Row(D, "GET", "/internal/clock", cells({"service"}), direct=True),
    Row(D, "POST", "/internal/clock", cells({"service"}), json=lambda w: {"advance_seconds": 0},
        direct=True),
    Row(D, "POST", "/v1/enterprises", cells({"enterprise_own"}),
        json=lambda w: {"uscc": FUZHOU_USCC, "name": "福州示范智能装备有限公司",
                        "region_code": "350102"}),
    Row(D, "GET", "/v1/enterprises/{uscc}", cells(ENTERPRISE_READERS),
        params=lambda w: {"uscc": FUZHOU_USCC}),
    Row(D, "PATCH", "/v1/enterprises/{uscc}", cells({"enterprise_own"}),
        params=lambda w: {"uscc": FUZHOU_USCC}, json=lambda w: {"address": "福州市鼓楼区"},
        headers=STALE),
    Row(D, "POST", "/v1/enterprises/{uscc}/factories", cells({"enterprise_own"}),
        params=lambda w: {"uscc": FUZHOU_USCC},
        json=lambda w: {"name": f"矩阵工厂{uuid.uuid4().hex[:6]}", "region_code": "350102"}),
    Row(D, "GET", "/v1/enterprises/{uscc}/factories", cells(ENTERPRISE_READERS),
        params=lambda w: {"uscc": FUZHOU_USCC}),
    Row(D, "POST", "/v1/declarations", cells({"enterprise_own"}), keyed=True,
        json=lambda w: {"factory_id": FUZHOU_FACTORY, "campaign_year": DEMO_YEAR,
                        "tier": "advanced", "facts": FACTS}),
    Row(D, "GET", "/v1/declarations",
        cells(sees=DECLARATION_READERS, hides=OUTSIDERS | EXPERTS),
        query=lambda w: {"page_size": 100}, found=_items_have("id", lambda w: w.did)),
    Row(D, "GET", DECL, cells(DECLARATION_READERS), params=_d),
    # A central SOE's 卓越级 is its group HQ's; an XPCC factory's the XPCC's — not the regions'.
    Row(D, "GET", DECL, cells({"soe_hq", "ministry", "service"}), params=_soe, variant="soe"),
    Row(D, "GET", DECL, cells({"xpcc", "ministry", "service"}), params=_xpcc, variant="xpcc"),
    Row(D, "PATCH", DECL, cells({"enterprise_own"}), params=_d, json=lambda w: {}, headers=STALE),
    Row(D, "POST", DECL + "/precheck", cells({"enterprise_own"}), params=_d),
    Row(D, "POST", DECL + "/submit", cells({"enterprise_own"}), params=_d, keyed=True),
    Row(D, "POST", DECL + "/withdraw", cells({"enterprise_own"}), params=_d,
        json=lambda w: {"reason": "矩阵测试"}, headers=STALE),
    Row(D, "GET", DECL + "/versions", cells(DECLARATION_READERS), params=_d),
    Row(D, "GET", DECL + "/versions/{before}/diff/{after}", cells(DECLARATION_READERS),
        params=lambda w: {**_d(w), "before": "1", "after": "1"}),
    Row(D, "GET", DECL + "/history", cells(DECLARATION_READERS), params=_d),
    Row(D, "POST", ATT, cells({"enterprise_own"}), params=_d, keyed=True,
        query=lambda w: {"name": "补充.pdf"}, content=lambda w, g: pdf_bytes(),
        content_type="application/octet-stream"),
    Row(D, "GET", ATT, cells(DECLARATION_READERS), params=_d),
    Row(D, "GET", ATT + "/{attachment_id}/content", cells(DECLARATION_READERS), params=_att),
    Row(D, "DELETE", ATT + "/{attachment_id}", cells({"enterprise_own"}), params=_att,
        headers=STALE),
    Row(D, "GET", "/v1/campaigns", cells(TOKEN)),
    Row(D, "GET", "/v1/campaigns/{year}", cells(TOKEN), params=lambda w: {"year": str(DEMO_YEAR)}),
    Row(D, "POST", "/v1/campaigns", cells({"ministry"}), json=lambda w: CAMPAIGN, keyed=True),
    Row(D, "PATCH", "/v1/campaigns/{year}", cells({"ministry"}),
        params=lambda w: {"year": str(DEMO_YEAR)}, json=lambda w: {"title": "矩阵"},
        headers=STALE),
    Row(D, "GET", "/v1/campaigns/{year}/history", cells(TOKEN),
        params=lambda w: {"year": str(DEMO_YEAR)}),
    Row(D, "GET", "/v1/campaigns/{year}/deadlines", cells(TOKEN),
        params=lambda w: {"year": str(DEMO_YEAR)},
        query=lambda w: {"region": "350102", "tier": "excellence"}),
    Row(D, "GET", "/v1/campaigns/{year}/deadlines/{jurisdiction}/{tier}", cells(TOKEN),
        params=lambda w: {"year": str(DEMO_YEAR), "jurisdiction": "national", "tier": "pilot"}),
    Row(D, "PUT", "/v1/campaigns/{year}/deadlines/{jurisdiction}/{tier}", cells({"ministry"}),
        params=lambda w: {"year": str(DEMO_YEAR), "jurisdiction": "national", "tier": "pilot"},
        json=lambda w: DEADLINE, headers=STALE),
    # A province sets its own 先进级 calendar (251号 一(二)), not another province's.
    Row(D, "PUT", "/v1/campaigns/{year}/deadlines/{jurisdiction}/{tier}",
        cells({"ministry", "province_own"}),
        params=lambda w: {"year": str(DEMO_YEAR), "jurisdiction": "35", "tier": "advanced"},
        json=lambda w: DEADLINE, headers=STALE, variant="province-advanced"),
    Row(D, "GET", DECL + "/versions/{number}/pdf", cells(DECLARATION_READERS),
        params=lambda w: {**_d(w), "number": "1"}),
    Row(D, "GET", DECL + "/versions/{number}/pdf", cells({"soe_hq", "ministry", "service"}),
        params=lambda w: {**_soe(w), "number": "1"}, variant="soe"),
    Row(D, "GET", "/public/v1/verifications/{fingerprint}", cells(EVERYONE),
        params=lambda w: {"fingerprint": w.fingerprint}),
    Row(D, "POST", SA, cells({"enterprise_own", "enterprise_other"}), keyed=True,
        json=lambda w: FORM),
    # A group HQ reads its group's (251号 一(一)): 200, without this Fuzhou enterprise's.
    Row(D, "GET", SA,
        cells(sees=DECLARATION_READERS, hides=OUTSIDERS),
        query=lambda w: {"campaign_year": DEMO_YEAR, "limit": 200},
        found=_items_have("id", lambda w: w.assessment_id)),
    # Organisers import (251号 一(一)): provinces and the XPCC their regions, a group HQ its
    # group's enterprises (these rows name none registered elsewhere), the ministry all.
    Row(D, "POST", SA + "/imports",
        cells({"province_own", "ministry", "soe_hq"}, exact={"province_other": 422, "xpcc": 422}),
        keyed=True,
        query=lambda w: {"campaign_year": DEMO_YEAR}, content=lambda w,
        g: import_csv(g, w.as_("ministry")), content_type="text/csv"),
    Row(D, "GET", SA + "/imports/template.csv", cells(TOKEN),
        query=lambda w: {"campaign_year": DEMO_YEAR}),
    Row(D, "GET", SA + "/imports/template.xlsx", cells(TOKEN),
        query=lambda w: {"campaign_year": DEMO_YEAR}),
    Row(D, "GET", SA + "/imports/{import_id}", cells({"province_own", "ministry", "service"}),
        params=lambda w: {"import_id": w.import_id}),
    Row(D, "GET", SA + "/{assessment_id}", cells(DECLARATION_READERS),
        params=lambda w: {"assessment_id": w.assessment_id}),
    # The register of recognised tiers (认定记录): imports by the ministry or the province of
    # the rows' region; the register read by every token (what each sees is its readable
    # statement), the public lists by anyone.
    Row(D, "POST", REC + "/imports",
        cells({"province_own", "ministry"}, exact={"province_other": 422, "xpcc": 422}), keyed=True,
        json=lambda w: recognised_list()),
    Row(D, "POST", REC + "/imports/file",
        cells({"province_own", "ministry"}, exact={"province_other": 422, "xpcc": 422}), keyed=True,
        query=lambda w: {"document_number": "矩阵：闽2024年先进级名单"}, content=recognised_csv,
        content_type="text/csv"),
    Row(D, "GET", REC + "/imports/{import_id}", cells({"province_own", "ministry", "service"}),
        params=lambda w: {"import_id": w.recognition_import_id}),
    Row(D, "GET", REC, cells(TOKEN), query=lambda w: {"enterprise_uscc": FUZHOU_USCC}),
    Row(D, "GET", "/public/v1/recognitions/{uscc}", cells(EVERYONE),
        params=lambda w: {"uscc": FUZHOU_USCC}),
    # --- the rules service: reference data for anyone with a token; uploads by the ministry -
    Row(RULES, "GET", "/healthz", cells(EVERYONE)),
    Row(RULES, "GET", "/readyz", cells(EVERYONE)),
    Row(RULES, "POST", "/internal/events", cells({"service"}), json=_event("review"),
        direct=True),
    Row(RULES, "POST", "/internal/events/batch", cells({"service"}), json=_batch("review"),
        direct=True),
    Row(RULES, "GET", "/v1/editions", cells(TOKEN)),
    Row(RULES, "GET", "/v1/editions/in-effect", cells(TOKEN)),
    *(Row(RULES, "GET", f"/v1/editions/{{edition_id}}{part}", cells(TOKEN),
          params=lambda w: {"edition_id": "2025"}, query=lambda w, q=q: q)
      for part, q in (("", {}), ("/scenes", {}), ("/kpis", {}), ("/materials", {}),
                      ("/rules", {"tier": "pilot"}))),
    Row(RULES, "POST", "/v1/evaluations", cells(TOKEN), json=lambda w: BASIC),
    Row(RULES, "POST", "/v1/evaluations/batch", cells(TOKEN),
        json=lambda w: {"edition": "2025", "items": [{"ref": "1", **BASIC}]}),
    Row(RULES, "POST", "/v1/evaluations/compare", cells(TOKEN),
        json=lambda w: {"editions": ["2024", "2025"], **BASIC}),
    Row(RULES, "GET", "/v1/overlays", cells(TOKEN)),
    Row(RULES, "GET", "/v1/overlays/{overlay_id}", cells(TOKEN),
        params=lambda w: {"overlay_id": "fujian-2025"}),
    Row(RULES, "GET", "/v1/campaigns/{campaign}/quotas", cells(TOKEN),
        params=lambda w: {"campaign": str(DEMO_YEAR)},
        query=lambda w: {"tier": "pilot", "unit": "350000"}),
    Row(RULES, "POST", "/v1/campaigns/{campaign}/quotas/usage", cells(TOKEN),
        params=lambda w: {"campaign": str(DEMO_YEAR)},
        json=lambda w: {"tier": "pilot", "unit": "350000",
                        "candidates": [{"id": "a", "enterprise_uscc": FUZHOU_USCC}]}),
    # 揭榜单位: the ministry, or the province whose acceptance it was (province_other: 上海).
    Row(RULES, "POST", "/v1/jiebang-units", cells({"ministry", "province_other"}), keyed=True,
        json=lambda w: {**jiebang_record(), "uscc": FUZHOU_USCC}),
    Row(RULES, "GET", "/v1/jiebang-units", cells(TOKEN)),
    Row(RULES, "GET", "/v1/jiebang-units/{unit_id}", cells(TOKEN),
        params=lambda w: {"unit_id": w.jiebang_id}),
    Row(RULES, "PATCH", "/v1/jiebang-units/{unit_id}", cells({"ministry", "province_other"}),
        params=lambda w: {"unit_id": w.jiebang_id}, json=lambda w: {"source_note": "矩阵"},
        headers=STALE),
    Row(RULES, "POST", "/v1/reference-datasets", cells({"ministry"}), keyed=True,
        json=lambda w: {"kind": "excellence_count", "year": 2019,
                        "source_note": "矩阵测试（示例数据）", "sample": True,
                        "rows": _whole_count_table()}),
    Row(RULES, "GET", "/v1/reference-datasets", cells(TOKEN)),
    Row(RULES, "GET", "/v1/reference-datasets/{dataset_id}", cells(TOKEN),
        params=lambda w: {"dataset_id": w.dataset_id}),
    # --- the review service ---------------------------------------------------------------
    Row(R, "GET", "/healthz", cells(EVERYONE)),
    Row(R, "GET", "/readyz", cells(EVERYONE)),
    # The units registry (推荐/审核单位, ladder.kit.units): public notices, read with any token.
    Row(R, "GET", "/v1/units", cells(TOKEN), query=lambda w: {"region": "350128"}),
    Row(R, "GET", "/v1/units/{unit_id}", cells(TOKEN), params=lambda w: {"unit_id": "350128"}),
    *_outbox_rows(R),
    Row(R, "POST", "/internal/events", cells({"service"}), json=_event("review"), direct=True),
    Row(R, "POST", "/internal/events/batch", cells({"service"}), json=_batch("review"),
        direct=True),
    Row(R, "POST", "/internal/cultivations/sweep", cells({"service"}), direct=True),
    Row(R, "GET", "/internal/clock", cells({"service"}), direct=True),
    Row(R, "POST", "/internal/clock", cells({"service"}), direct=True,
        json=lambda w: {"advance_seconds": 0}),
    Row(R, "GET", "/v1/inbox",
        cells(sees={"county_own"}, hides=AUTHORITIES - {"county_own"}),
        query=lambda w: {"page_size": 100},
        found=_items_have("declaration_id", lambda w: w.held_did)),
    Row(R, "GET", "/v1/cases/{declaration_id}", cells(CASE_READERS), params=_d),
    Row(R, "GET", "/v1/cases/{declaration_id}", cells({"soe_hq", "ministry"}), params=_soe,
        variant="soe"),
    Row(R, "GET", "/v1/cases/{declaration_id}", cells({"xpcc", "ministry"}), params=_xpcc,
        variant="xpcc"),
    Row(R, "POST", "/v1/cases/{declaration_id}/opinions",
        cells({"province_own"}, exact=dict.fromkeys(("county_own", "city"),
                                                    (403, "not_case_holder"))),
        params=_d, keyed=True, json=lambda w: {"decision": "forward"}, headers=STALE),
    Row(R, "GET", "/v1/cases/{declaration_id}/opinions", cells(CASE_READERS), params=_d),
    Row(R, "GET", "/v1/recommendation-lists",
        # A county token lists its own district's tables (where its level ranks): none here.
        cells(sees={"province_own", "ministry"},
              hides={"province_other", "soe_hq", "xpcc", "county_own", "county_other"}),
        query=lambda w: {"campaign": DEMO_YEAR, "tier": "pilot"},
        found=_items_have("unit", lambda w: "350000")),
    Row(R, "PUT", LIST, cells({"province_own"}), params=_list),
    Row(R, "GET", LIST, cells({"province_own", "ministry"}), params=_list),
    Row(R, "POST", LIST + "/entries", cells({"province_own"}), params=_list, keyed=True,
        json=lambda w: {"declaration_id": w.did}),
    Row(R, "POST", LIST + "/entries/forwarded", cells({"province_own"}), params=_list,
        keyed=True),
    Row(R, "DELETE", LIST + "/entries/{declaration_id}", cells({"province_own"}),
        params=lambda w: {**_list(w), **_d(w)}, headers=STALE),
    Row(R, "POST", LIST + "/lock", cells({"province_own"}), params=_list, headers=STALE),
    Row(R, "POST", LIST + "/unlock", cells({"province_own"}), params=_list, headers=STALE),
    Row(R, "PUT", LIST + "/order", cells({"province_own"}), params=_list,
        json=lambda w: {"declaration_ids": [w.did]}, headers=STALE),
    Row(R, "POST", LIST + "/submit", cells({"province_own"}), params=_list, keyed=True,
        headers=STALE),
    Row(R, "GET", LIST + "/summary-table.xlsx", cells({"province_own", "ministry"}), params=_list),
    *push_rows(Row, cells),  # the whole list in one request (tests/security/push_rows.py)
    Row(R, "POST", "/v1/cultivations", cells({"ministry"}), keyed=True,
        json=lambda w: {"declaration_id": w.did, "start": "2027-01-01"}),
    Row(R, "GET", "/v1/cultivations",
        cells(sees=CULTIVATION_READERS, hides={"enterprise_other", "province_other", "xpcc",
                                               "expert_unassigned", "expert_conflicted"}),
        query=lambda w: {"page_size": 100}, found=_items_have("declaration_id", lambda w: w.did)),
    Row(R, "GET", CULT, cells(CULTIVATION_READERS), params=_d),
    Row(R, "POST", CULT + "/reports", cells({"enterprise_own"}), params=_d, keyed=True,
        json=lambda w: {"period": "2027年一季度", "text": "矩阵测试进展报告"}),
    Row(R, "GET", CULT + "/reports", cells(CULTIVATION_READERS), params=_d),
    Row(R, "POST", CULT + "/guidance", cells({"expert_assigned"}), params=_d, keyed=True,
        json=lambda w: {"text": "矩阵测试指导意见"}),
    Row(R, "GET", CULT + "/guidance", cells(CULTIVATION_READERS), params=_d),
    Row(R, "PUT", CULT + "/experts", cells({"ministry"}), params=_d,
        json=lambda w: {"experts": [w.experts["expert_assigned"]]}, headers=STALE),
    Row(R, "POST", CULT + "/acceptance-application", cells({"enterprise_own"}), params=_d,
        keyed=True, json=lambda w: {"summary": "矩阵测试验收申请"}, headers=STALE),
    Row(R, "POST", CULT + "/initial-review", cells({"city", "province_own"}), params=_d, keyed=True,
        json=lambda w: {"decision": "pass"}, headers=STALE),
    Row(R, "POST", CULT + "/acceptance-decision", cells({"ministry"}), params=_d, keyed=True,
        json=lambda w: {"decision": "accept", "conclusion": "矩阵测试"}, headers=STALE),
    Row(R, "GET", "/public/v1/leading-factories", cells(EVERYONE)),
    Row(R, "POST", "/v1/national/experts", cells({"ministry"}), keyed=True,
        json=lambda w: {"account": f"matrix-{uuid.uuid4().hex[:8]}", "name": "矩阵专家",
                        "fields": ["智能制造"], "organisation": "某研究院",
                        "region_code": "110101"}),
    Row(R, "GET", "/v1/national/experts", cells({"ministry"})),
    Row(R, "GET", "/v1/national/experts/{expert_id}", cells({"ministry"}),
        params=lambda w: {"expert_id": w.expert_id}),
    Row(R, "PATCH", "/v1/national/experts/{expert_id}", cells({"ministry"}),
        params=lambda w: {"expert_id": w.expert_id}, json=lambda w: {"organisation": "x院"},
        headers=STALE),
    Row(R, "DELETE", "/v1/national/experts/{expert_id}", cells({"ministry"}),
        params=lambda w: {"expert_id": w.spare_expert_id}, headers=STALE),
    Row(R, "GET", "/v1/national/cases",
        cells(sees=NATIONAL_READERS, hides={"expert_unassigned", "expert_conflicted"}),
        query=lambda w: {"page_size": 100}, found=_items_have("declaration_id", lambda w: w.did)),
    Row(R, "GET", NAT, cells(NATIONAL_READERS), params=_d),
    Row(R, "POST", NAT + "/formal-check", cells({"ministry"}), params=_d, keyed=True,
        json=lambda w: {"outcome": "pass"}, headers=STALE),
    Row(R, "POST", NAT + "/conflict-check", cells({"ministry"}), params=_d,
        json=lambda w: {"expert_ids": [w.expert_id]}),
    Row(R, "PUT", NAT + "/experts", cells({"ministry"}), params=_d,
        json=lambda w: {"expert_ids": [w.expert_id]}, headers=STALE),
    Row(R, "GET", NAT + "/scores", cells(NATIONAL_READERS), params=_d),
    Row(R, "PUT", NAT + "/scores/me", cells({"expert_assigned"}), params=_d,
        json=lambda w: {"innovation": 10}, headers=STALE),
    Row(R, "POST", NAT + "/onsite", cells({"ministry"}), params=_d, keyed=True,
        json=lambda w: {"scheduled_on": "2027-01-05", "place": "工厂现场", "team": [w.expert_id]},
        headers=STALE),
    Row(R, "GET", NAT + "/onsite", cells(NATIONAL_READERS), params=_d),
    Row(R, "PATCH", NAT + "/onsite", cells({"ministry"}), params=_d,
        json=lambda w: {"place": "工厂现场二", "reason": "矩阵测试"}, headers=STALE),
    Row(R, "PUT", NAT + "/onsite/items/{key}", cells(NATIONAL_READERS),
        params=lambda w: {**_d(w), "key": w.onsite_key}, json=lambda w: {"finding": "verified"},
        headers=STALE),
    Row(R, "PUT", NAT + "/onsite/conclusion", cells(NATIONAL_READERS), params=_d,
        json=lambda w: {"conclusion": "矩阵测试结论"}, headers=STALE),
    Row(R, "POST", NAT + "/decision", cells({"ministry"}), params=_d, keyed=True,
        json=lambda w: {"outcome": "select"}, headers=STALE),
    Row(R, "POST", "/v1/national/publicities", cells({"ministry"}), keyed=True,
        json=lambda w: {"campaign_year": DEMO_YEAR, "tier": "pilot", "days": 1}),
    Row(R, "GET", PUB, cells({"ministry"}), params=_pub),
    Row(R, "POST", PUB + "/announce", cells({"ministry"}), params=_pub, keyed=True, headers=STALE),
    Row(R, "POST", PUB + "/close", cells({"ministry"}), params=_pub, keyed=True, headers=STALE),
    Row(R, "GET", PUB + "/objections", cells({"ministry"}), params=_pub),
    Row(R, "POST", "/v1/national/objections/{objection_id}/resolution", cells({"ministry"}),
        params=lambda w: {"objection_id": w.objection_id}, keyed=True,
        json=lambda w: {"outcome": "dismissed", "resolution": "矩阵测试"}, headers=STALE),
    Row(R, "GET", "/public/v1/publicity/{campaign}/{tier}", cells(EVERYONE), params=_pub),
    Row(R, "POST", "/public/v1/publicity/{campaign}/{tier}/objections", cells(EVERYONE),
        params=_pub, keyed=True,
        json=lambda w: {"declaration_id": w.did, "content": "矩阵测试：对该项目的数据有疑问"}),
    Row(R, "GET", "/public/v1/published-lists/{campaign}/{tier}", cells(EVERYONE), params=_pub),
    Row(R, "GET", "/v1/dashboards/cases", cells(AUTHORITIES),
        query=lambda w: {"campaign": DEMO_YEAR, "by": "tier"}),
    *exports_rows(Row, cells),  # the exports (tests/security/exports_rows.py)
    *webhook_rows(Row, cells),  # the webhook subscriptions (tests/security/webhook_rows.py)
    # The batch reads of GraphQL's loaders (tests/security/batch_rows.py).
    *batch_rows(Row, cells, enterprise_readers=ENTERPRISE_READERS,
                declaration_readers=DECLARATION_READERS, case_readers=CASE_READERS,
                cultivation_readers=CULTIVATION_READERS, others=TOKEN),
    # --- the identity service (tests/security/identity_rows.py) ----------------------------
    *identity_rows(Row, cells),
    *_outbox_rows("identity"),  # it relays events since a revoked client is told (issue 16)
    # --- the gateway ------------------------------------------------------------------------
    Row(GW, "GET", "/healthz", cells(EVERYONE)),
    Row(GW, "GET", "/readyz", cells(EVERYONE)),
    Row(GW, "GET", "/.well-known/jwks.json", cells(EVERYONE)),
    Row(GW, "GET", "/auth/demo-users", cells(EVERYONE)),  # dev only: 404 in production
    Row(GW, "POST", "/auth/dev-token", cells(EVERYONE), json=lambda w: {"username": "public"}),
    # Who am I (issue 17): every caller with a token, people through the identity service.
    Row(GW, "GET", "/v1/me", cells(TOKEN)),
    # The proxy takes no decision of its own but one: /internal/* is never passed on.
    *(Row(GW, method, "/api/{service}/{path}",
          cells(exact=dict.fromkeys(ROLES, (404, "not_found"))),
          params=lambda w: {"service": "review", "path": "internal/events"})
      for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")),
]
# fmt: on

# GraphQL fields: the same rules as the REST reads they make (a list's refusal is `Forbidden`,
# an object not the caller's `NotFound`, as REST's 403 and 404).
GRAPHQL: dict[str, tuple[str, dict[str, Cell], Callable[[World, Any], bool] | None]] = {
    "me": ("{ me { __typename ... on Viewer { sub } } }",
           cells(TOKEN) | {"anonymous": "A"}, None),
    "declarations": (
        "{ declarations(first: 100) { __typename ... on DeclarationConnection { nodes { id } } } }",
        cells(sees=DECLARATION_READERS, hides=OUTSIDERS | EXPERTS),
        lambda w, page: any(i["id"] == w.did for i in page["nodes"]),
    ),
    "inbox": (
        "{ inbox(first: 100) { __typename ... on CaseConnection { nodes { declarationId } } } }",
        cells(sees={"county_own"},
              hides={"county_other", "city", "province_own", "province_other", "soe_hq",
                     "xpcc", "ministry"}),
        lambda w, page: any(i["declarationId"] == w.held_did for i in page["nodes"]),
    ),
    "enterprise": (
        f'{{ enterprise(uscc: "{FUZHOU_USCC}") {{ __typename }} }}', cells(ENTERPRISE_READERS),
        None,
    ),
}  # fmt: skip
