"""Stand-ins for the services behind GraphQL, for the gateway's in-process tests.

Each answers the routes GraphQL reads with the shapes of the services' own schemas (the real
services answer them in tests/e2e/test_graphql_reads.py), from a data set made here, and
records every request, so a test counts the gateway's upstream calls. Reviewers' routes
refuse other roles with 403 `forbidden`, as the review service does.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI, Query, Request
from fastapi.responses import JSONResponse
from jose import jwt

from ladder.kit.errors import error_body

ENTERPRISES = [f"9135010{i}MA2Y0000{i}X" for i in range(7)]  # 18 characters each
REVIEWERS = {"county", "city", "province", "central_soe_hq", "ministry"}
AT = "2026-06-01T08:30:00+08:00"


def _declaration(n: int) -> dict[str, Any]:
    uscc = ENTERPRISES[n % len(ENTERPRISES)]
    return {
        "id": str(uuid.UUID(int=n + 1)),
        "campaign_year": 2026,
        "tier": "advanced",
        "status": "submitted",
        "enterprise_uscc": uscc,
        "enterprise_name": f"示范企业{n % len(ENTERPRISES)}",
        "factory_id": str(uuid.UUID(int=10_000 + n)),
        "factory_name": f"智能工厂{n}",
        "region_code": "350102",
        "facts": {"summary": f"数字化车间{n}", "cmmm_level": 3},
        "etag": f'"{n}"',
        "last_precheck": {
            "edition": "2025",
            "tier": "advanced",
            "outcome": "eligible",
            "eligible": True,
            "complete": True,
            "findings": [
                {
                    "rule_id": "cmmm.level",
                    "clause": "要素条件(2025) 三(一)1",
                    "severity": "error",
                    "status": "passed",
                    "passed": True,
                    "field": "facts.cmmm_level",
                    "message": "成熟度等级",
                    "message_en": "CMMM level",
                    "expected": 2,
                    "actual": 3,
                }
            ],
        },
        "created_at": AT,
        "updated_at": AT,
        "submitted_at": AT,
        "review_status": {
            "status": "awaiting_initial_review",
            "event": "received",
            "version": 1,
            "at": AT,
        },
        "extra": {"ignored": True},  # what the gateway does not read is ignored
    }


def _enterprise(uscc: str) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid5(uuid.NAMESPACE_OID, uscc)),
        "uscc": uscc,
        "name": f"示范企业{ENTERPRISES.index(uscc)}",
        "region_code": "350102",
        "region_name": "鼓楼区",
        "address": None,
        "nature": None,
        "industry": "C3411",
        "operating_regions": [],
        "above_scale": True,
        "legal_form": None,
        "central_soe_group": None,
        "contacts": [{"name": "张三", "role": "联系人", "mobile": "138****0000"}],
        "etag": '"1"',
        "created_at": AT,
    }


def _case(d: dict[str, Any], *, full: bool) -> dict[str, Any]:
    case = {
        "declaration_id": d["id"],
        "tier": d["tier"],
        "campaign_year": d["campaign_year"],
        "enterprise_uscc": d["enterprise_uscc"],
        "enterprise_name": d["enterprise_name"],
        "factory_name": d["factory_name"],
        "region_code": d["region_code"],
        "version": 1,
        "fingerprint": "ab" * 32,
        "status": "awaiting_initial_review",
        "level": "county",
        "holder_region": "350102",
        "recommending_unit": "350000",
        "central_soe_group": None,
        "industry": "C3411",
        "received_at": AT,
    }
    if full:
        case |= {
            "details": {"contact": {"name": "张三"}},
            "submitted_at": AT,
            "updated_at": AT,
            "etag": '"c1"',
            "history": [
                {
                    "event": "received",
                    "from_status": None,
                    "to_status": "awaiting_initial_review",
                    "actor": "service:declaration",
                    "reason": None,
                    "version": 1,
                    "level": "county",
                    "holder_region": "350102",
                    "at": AT,
                }
            ],
        }
    return case


def _version(d: dict[str, Any], number: int) -> dict[str, Any]:
    return {
        "declaration_id": d["id"],
        "number": number,
        "fingerprint": f"{number:02d}" * 32,
        "submitted_by": "user:ent",
        "submitted_at": AT,
        "content": {"facts": {**d["facts"], "cmmm_level": 2 + number}, "version": number},
    }


def _campaign(year: int) -> dict[str, Any]:
    deadline = {
        "level": "enterprise",
        "level_name": "企业",
        "closes_at": f"{year}-07-19T00:00:00+08:00",
        "last_day": f"{year}-07-18",
        "source": "工信厅联通装函〔2025〕251号",
        "clause": "二(二)1",
        "clause_text": "于7月18日前完成。",
        "note": None,
    }
    return {
        "year": year,
        "title": f"{year}年度智能工厂梯度培育",
        "rules_edition": "2025",
        "source": "工信厅联通装函〔2025〕251号",
        "open_tiers": ["basic", "advanced", "excellence", "pilot"],
        "quota_policy": "2025",
        "publicity_period": "ladder-default",
        "cultivation_period": "251-2025",
        "etag": '"c"',
        "row_version": 1,
        "updated_by": "seed",
        "updated_at": AT,
        "deadline_chains": [
            {
                "campaign_year": year,
                "jurisdiction": "",
                "jurisdiction_key": "national",
                "tier": "excellence",
                "etag": '"d"',
                "row_version": 1,
                "updated_by": "seed",
                "updated_at": AT,
                "deadlines": [deadline],
            }
        ],
    }


def _assessment(n: int) -> dict[str, Any]:
    return {
        "id": str(uuid.UUID(int=50_000 + n)),
        "campaign_year": 2026,
        "enterprise_uscc": ENTERPRISES[n % len(ENTERPRISES)],
        "enterprise_name": f"示范企业{n % len(ENTERPRISES)}",
        "region_code": "350102",
        "factory_name": None,
        "cmmm_level": 2,
        "outcome": "eligible",
        "rules_edition": "2025",
        "source": "form",
        "central_soe_group": None,
        "created_at": AT,
    }


def _cultivation(d: dict[str, Any]) -> dict[str, Any]:
    return {
        "declaration_id": d["id"],
        "enterprise_uscc": d["enterprise_uscc"],
        "enterprise_name": d["enterprise_name"],
        "factory_name": d["factory_name"],
        "region_code": d["region_code"],
        "recommending_unit": "350000",
        "status": "cultivating",
        "level": None,
        "holder": None,
        "start_date": "2027-01-01",
        "period_end": "2029-01-01",
        "deadline": "2029-01-01T00:00:00+08:00",
        "experts": [],
        "updated_at": AT,
    }


def _report(n: int) -> dict[str, Any]:
    return {"id": n, "period": f"第{n}季度", "text": f"进展{n}", "kpis": None,
            "author": "user:ent", "at": AT}  # fmt: skip


def _page(rows: list[Any], page: int, page_size: int) -> dict[str, Any]:
    start = (page - 1) * page_size
    return {"items": rows[start : start + page_size], "total": len(rows), "page": page,
            "page_size": page_size}  # fmt: skip


@dataclass
class Services:
    """The three stand-ins and what they were asked."""

    declarations: list[dict[str, Any]] = field(
        default_factory=lambda: [_declaration(n) for n in range(250)]
    )
    seen: list[tuple[str, str, dict[str, list[str]]]] = field(default_factory=list)
    broken: set[str] = field(default_factory=set)  # paths answered with something unreadable
    languages: list[str | None] = field(default_factory=list)  # Accept-Language, per call

    def calls(self, service: str | None = None) -> list[tuple[str, str, dict[str, list[str]]]]:
        return [c for c in self.seen if service is None or c[0] == service]

    def apps(self) -> dict[str, FastAPI]:
        return {
            "declaration": self._declaration_app(),
            "review": self._review_app(),
            "identity": self._identity_app(),
        }

    def _record(self, service: str, request: Request) -> None:
        query: dict[str, list[str]] = {}
        for key, value in request.query_params.multi_items():
            query.setdefault(key, []).append(value)
        self.seen.append((service, request.url.path, query))
        self.languages.append(request.headers.get("accept-language"))

    def _declaration_app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/v1/declarations")
        async def declarations(
            request: Request,
            page: int = 1,
            page_size: int = 20,
            ids: list[str] | None = Query(None),
        ) -> Any:
            self._record("declaration", request)
            if "/v1/declarations" in self.broken:
                return {"items": [{"id": "not-all-there"}], "total": 1, "page": 1, "page_size": 20}
            rows = [d for d in self.declarations if ids is None or d["id"] in ids]
            start = (page - 1) * page_size
            return {
                "items": rows[start : start + page_size],
                "total": len(rows),
                "page": page,
                "page_size": page_size,
            }

        @app.get("/v1/enterprises")
        async def enterprises(request: Request, uscc: list[str] = Query()) -> Any:
            self._record("declaration", request)
            return [_enterprise(u) for u in sorted(set(uscc)) if u in ENTERPRISES[:-1]]

        @app.get("/v1/enterprises/factories")
        async def factories(request: Request, uscc: list[str] = Query()) -> Any:
            self._record("declaration", request)
            by_uscc: dict[str, list[dict[str, Any]]] = {}
            for d in self.declarations:
                by_uscc.setdefault(d["enterprise_uscc"], []).append(d)
            return [
                {"id": d["factory_id"], "enterprise_id": _enterprise(u)["id"],
                 "enterprise_uscc": u, "name": d["factory_name"], "region_code": "350102",
                 "created_at": AT}
                for u in sorted(set(uscc)) if u in ENTERPRISES[:-1]
                for d in by_uscc.get(u, [])[:3]
            ]  # fmt: skip

        def named(ids: list[str]) -> list[dict[str, Any]]:
            return [d for d in self.declarations if d["id"] in set(ids)]

        @app.get("/v1/declarations/versions")
        async def versions(request: Request, declaration_id: list[str] = Query()) -> Any:
            self._record("declaration", request)
            return [_version(d, n) for d in named(declaration_id) for n in (1, 2)]

        @app.get("/v1/declarations/history")
        async def history(request: Request, declaration_id: list[str] = Query()) -> Any:
            self._record("declaration", request)
            return [
                {"declaration_id": d["id"], "event": "submit", "from_status": "draft",
                 "to_status": "submitted", "actor": "user:ent", "reason": None, "at": AT}
                for d in named(declaration_id)
            ]  # fmt: skip

        @app.get("/v1/declarations/diffs")
        async def diffs(
            request: Request, before: int, after: int, declaration_id: list[str] = Query()
        ) -> Any:
            self._record("declaration", request)
            if not {before, after} <= {1, 2}:
                return []
            return [
                {"declaration_id": d["id"], "before": before, "after": after,
                 "before_fingerprint": f"{before:02d}" * 32,
                 "after_fingerprint": f"{after:02d}" * 32,
                 "changes": [] if before == after else [
                     {"path": "facts.cmmm_level", "change": "changed", "before": 2 + before,
                      "after": 2 + after}]}
                for d in named(declaration_id)
            ]  # fmt: skip

        @app.get("/v1/self-assessments")
        async def self_assessments(
            request: Request, campaign_year: int, cursor: str | None = None, limit: int = 50
        ) -> Any:
            self._record("declaration", request)
            rows = [_assessment(n) for n in range(120)]
            start = int(cursor) if cursor else 0
            items = rows[start : start + limit]
            more = start + limit < len(rows)
            return {"items": items, "next_cursor": str(start + limit) if more else None}

        @app.get("/v1/self-assessments/{assessment_id}")
        async def self_assessment(request: Request, assessment_id: str) -> Any:
            self._record("declaration", request)
            for n in range(120):
                if _assessment(n)["id"] == assessment_id:
                    return {**_assessment(n), "segments": [{"segment": "生产作业"}],
                            "attestations": {"above_scale": True}, "kpis": {"oee": 0.8},
                            "findings": [], "created_by": "user:ent"}  # fmt: skip
            body = error_body(
                "self_assessment_not_found", "自评记录不存在", "Self-assessment not found"
            )
            return JSONResponse(body, status_code=404)

        @app.get("/v1/campaigns")
        async def campaigns(request: Request) -> Any:
            self._record("declaration", request)
            return [_campaign(y) for y in (2025, 2026, 2027)]

        @app.get("/v1/campaigns/{year}")
        async def campaign(request: Request, year: int) -> Any:
            self._record("declaration", request)
            return _campaign(year)

        @app.get("/v1/campaigns/{year}/deadlines")
        async def deadlines(request: Request, year: int, region: str, tier: str) -> Any:
            self._record("declaration", request)
            chain = _campaign(year)["deadline_chains"][0]
            return {"campaign_year": year, "region": region, "tier": tier, "jurisdiction": "",
                    "jurisdiction_key": "national", "now": AT,
                    "deadlines": [{**d, "passed": True} for d in chain["deadlines"]]}  # fmt: skip

        return app

    def _review_app(self) -> FastAPI:
        app = FastAPI()

        def refused(request: Request) -> JSONResponse | None:
            token = request.headers.get("authorization", "").removeprefix("Bearer ")
            if jwt.get_unverified_claims(token).get("role") in REVIEWERS:
                return None
            body = error_body("forbidden", "无权执行此操作", "You are not allowed to do this")
            return JSONResponse(body, status_code=403)

        @app.get("/v1/inbox")
        async def inbox(request: Request, page: int = 1, page_size: int = 20) -> Any:
            self._record("review", request)
            if (refusal := refused(request)) is not None:
                return refusal
            start = (page - 1) * page_size
            rows = self.declarations[start : start + page_size]
            return {
                "items": [_case(d, full=False) for d in rows],
                "total": len(self.declarations),
                "page": page,
                "page_size": page_size,
            }

        @app.get("/v1/cases")
        async def cases(request: Request, declaration_id: list[str] = Query()) -> Any:
            self._record("review", request)
            if (refusal := refused(request)) is not None:
                return refusal
            by_id = {d["id"]: d for d in self.declarations[:-1]}  # the last has no case
            return [_case(by_id[i], full=True) for i in declaration_id if i in by_id]

        def lists() -> dict[str, dict[str, Any]]:
            entries = [
                {"rank": r + 1, "declaration_id": d["id"], "counts": True, "exemption": None,
                 "enterprise_name": d["enterprise_name"], "factory_name": d["factory_name"],
                 "region_code": d["region_code"], "added_by": "user:p", "added_at": AT}
                for r, d in enumerate(self.declarations[:5])
            ]  # fmt: skip
            made = {}
            for unit, status in (("350000", "submitted"), ("310000", "open")):
                made[f"2026:pilot:{unit}"] = {
                    "campaign_year": 2026, "tier": "pilot", "unit": unit, "status": status,
                    "limit": 5, "quota": {"limit": 5, "policy": {"id": "national-2025"}},
                    "counted": 5 if unit == "350000" else 0, "exempt": 0,
                    "remaining": 0 if unit == "350000" else 5, "etag": '"l"',
                    "submission": {"submitted_by": "user:p", "submitted_at": AT,
                                   "sha256": "cd" * 32, "entries": 5,
                                   "reported_to": ["工业和信息化部"]}
                    if status == "submitted" else None,
                    "entries": entries if unit == "350000" else [],
                    "history": [{"action": "opened", "from_status": None, "to_status": "open",
                                 "reason": None, "declaration_id": None, "row_version": 1,
                                 "actor": "user:p", "at": AT}],
                    "created_by": "user:p", "created_at": AT, "updated_at": AT,
                }  # fmt: skip
            return made

        @app.get("/v1/recommendation-lists")
        async def recommendation_lists(request: Request, page: int = 1, page_size: int = 20) -> Any:
            self._record("review", request)
            rows = [
                {k: lst[k] for k in ("campaign_year", "tier", "unit", "status", "limit",
                                     "updated_at")}
                | {"entries": len(lst["entries"]),
                   "submitted_at": AT if lst["submission"] else None,
                   "sha256": lst["submission"]["sha256"] if lst["submission"] else None}
                for lst in lists().values()
            ] + [{"campaign_year": 2026, "tier": "pilot", "unit": "440000", "status": "open",
                  "limit": 3, "entries": 0, "submitted_at": None, "sha256": None,
                  "updated_at": AT}]  # fmt: skip
            return _page(rows, page, page_size)

        @app.get("/v1/recommendation-lists/batch")
        async def recommendation_lists_batch(
            request: Request, list_: list[str] = Query(alias="list")
        ) -> Any:
            self._record("review", request)
            made = lists()
            return [made[name] for name in list_ if name in made]

        @app.get("/v1/national/cases")
        async def national_cases(request: Request, page: int = 1, page_size: int = 20) -> Any:
            self._record("review", request)
            rows = [
                {k: d[k] for k in ("campaign_year", "tier", "enterprise_uscc", "enterprise_name",
                                   "factory_name", "region_code")}
                | {"declaration_id": d["id"], "recommending_unit": "350000",
                   "status": "formal_check", "updated_at": AT}
                for d in self.declarations[:40]
            ]  # fmt: skip
            return _page(rows, page, page_size)

        @app.get("/v1/national/cases/{declaration_id}")
        async def national_case(request: Request, declaration_id: str) -> Any:
            self._record("review", request)
            d = next(d for d in self.declarations if d["id"] == declaration_id)
            case = _case(d, full=True)
            return {**{k: case[k] for k in ("declaration_id", "campaign_year", "tier",
                                            "enterprise_uscc", "enterprise_name", "factory_name",
                                            "region_code", "recommending_unit",
                                            "central_soe_group", "industry", "version",
                                            "fingerprint", "details", "etag", "history")},
                    "status": "formal_check", "updated_at": AT,
                    "experts": [{"id": str(uuid.UUID(int=99)), "name": "王专家",
                                 "organisation": "某研究院"}]}  # fmt: skip

        cultivating = self.declarations[:30]

        @app.get("/v1/cultivations")
        async def cultivations(request: Request, page: int = 1, page_size: int = 20) -> Any:
            self._record("review", request)
            return _page([_cultivation(d) for d in cultivating], page, page_size)

        @app.get("/v1/cultivations/reports")
        async def reports(
            request: Request, page: int = 1, page_size: int = 20,
            declaration_id: list[str] = Query(),
        ) -> Any:  # fmt: skip
            self._record("review", request)
            mine = {d["id"] for d in cultivating[:-1]}  # the last is not the caller's
            return [
                {"declaration_id": i, **_page([_report(n) for n in range(1, 8)], page, page_size)}
                for i in declaration_id if i in mine
            ]  # fmt: skip

        @app.get("/v1/cultivations/{declaration_id}")
        async def cultivation(request: Request, declaration_id: str) -> Any:
            self._record("review", request)
            d = next(d for d in cultivating if d["id"] == declaration_id)
            return {**_cultivation(d), "goals": "培育目标", "conclusion": None,
                    "concluded_at": None, "created_at": AT, "etag": '"k"', "reports": 7,
                    "reminders_sent": [], "application": None,
                    "history": [{"event": "start", "from_status": None,
                                 "to_status": "cultivating", "actor": "user:m", "reason": None,
                                 "level": None, "holder": None, "at": AT}]}  # fmt: skip

        def public(d: dict[str, Any]) -> dict[str, Any]:
            return {"declaration_id": d["id"], "enterprise_name": d["enterprise_name"],
                    "factory_name": d["factory_name"], "region_code": d["region_code"],
                    "tier": "pilot"}  # fmt: skip

        @app.get("/public/v1/published-lists/{campaign}/{tier}")
        async def published(
            request: Request, campaign: int, tier: str, page: int = 1, page_size: int = 20
        ) -> Any:
            self._record("review", request)
            if tier != "pilot":
                body = error_body("published_list_not_found", "名单尚未发布", "Not published")
                return JSONResponse(body, status_code=404)
            rows = [public(d) for d in self.declarations[:60]]
            return {"campaign_year": campaign, "tier": tier, "published_at": AT,
                    **_page(rows, page, page_size)}  # fmt: skip

        @app.get("/public/v1/publicity/{campaign}/{tier}")
        async def publicity(request: Request, campaign: int, tier: str) -> Any:
            self._record("review", request)
            return {"campaign_year": campaign, "tier": tier, "starts_at": AT, "ends_at": AT,
                    "accepting_objections": False,
                    "entries": [public(d) for d in self.declarations[:3]]}  # fmt: skip

        @app.get("/public/v1/leading-factories")
        async def leading(request: Request, page: int = 1, page_size: int = 20) -> Any:
            self._record("review", request)
            rows = [{"enterprise_name": d["enterprise_name"], "factory_name": d["factory_name"],
                     "region_code": d["region_code"], "accepted_on": "2028-12-01"}
                    for d in self.declarations[:12]]  # fmt: skip
            return _page(rows, page, page_size)

        @app.get("/v1/dashboards/cases")
        async def counts(request: Request, campaign: int, by: str) -> Any:
            self._record("review", request)
            if (refusal := refused(request)) is not None:
                return refusal
            return {"campaign_year": campaign, "by": by, "total": 250,
                    "groups": [{"key": "advanced", "count": 250}]}  # fmt: skip

        return app

    def _identity_app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/v1/me")
        async def me(request: Request) -> Any:
            self._record("identity", request)
            token = request.headers.get("authorization", "").removeprefix("Bearer ")
            claims = jwt.get_unverified_claims(token)
            if not str(claims.get("sub", "")).startswith("user:"):
                body = error_body(
                    "forbidden",
                    "该操作需要 Ladder 账号登录",
                    "This needs a signed-in Ladder account",
                )
                return JSONResponse(body, status_code=403)
            return {
                "user": {
                    "id": str(uuid.UUID(int=7)),
                    "username": "county",
                    "email": "county@example.invalid",
                    "display_name": "鼓楼区工信局",
                    "org_role": "admin",
                    "status": "active",
                    "mfa_enrolled": False,
                    "last_sign_in_at": None,
                },
                "organisation": {
                    "id": str(uuid.UUID(int=8)),
                    "kind": "authority",
                    "role": claims["role"],
                    "name": claims.get("name", ""),
                    "region": claims.get("region"),
                    "uscc": None,
                    "status": "active",
                },
                "claims": {"role": claims["role"], "region": claims.get("region")},
            }

        return app


async def wired(running: Any) -> Services:
    """Point a running gateway's upstream clients (`conftest.running_gateway`) at new
    stand-ins, and keep them on it as `running.services`."""
    services = Services()
    upstreams = running.app.state.upstreams
    for name, app in services.apps().items():
        await upstreams[name].aclose()
        upstreams[name] = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=f"http://{name}"
        )
    running.services = services
    return services
