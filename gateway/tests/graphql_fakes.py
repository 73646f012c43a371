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


@dataclass
class Services:
    """The three stand-ins and what they were asked."""

    declarations: list[dict[str, Any]] = field(
        default_factory=lambda: [_declaration(n) for n in range(250)]
    )
    seen: list[tuple[str, str, dict[str, list[str]]]] = field(default_factory=list)
    broken: set[str] = field(default_factory=set)  # paths answered with something unreadable

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
