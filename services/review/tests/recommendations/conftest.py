"""Fixtures of the recommendation-list tests: the app wired to a stand-in rules service, and
a maker of cases awaiting the province's recommendation."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from review_stand_ins import stand_in_declaration

from ladder.kit.testing import TestIssuer, running, settings_for_tests, wire_peer
from ladder.review.cases.models import ReviewCase
from ladder.review.main import create_app
from ladder.review.settings import Settings


def stand_in_rules(quota: dict[str, Any]) -> FastAPI:
    """Answers `GET /v1/campaigns/{campaign}/quotas` with `quota["limit"]` (and
    `quota["clause"]`, `quota["name"]` when given), and `POST …/quotas/usage` by giving every
    candidate the next slot. It implements no exemption: which entries an exemption (揭榜单位)
    keeps off a quota is the real rules service's registry, tested through it in
    `tests/e2e/test_district_tables.py`."""
    app = FastAPI()

    def answer(campaign: str, tier: str, unit: str) -> dict[str, Any]:
        kind = "province" if unit.endswith("0000") or not unit.isdigit() else "district"
        return {
            "campaign": campaign,
            "tier": tier,
            "unit": {"kind": kind, "code": unit, "requested": unit},
            "quota_unit": {"kind": kind, "code": unit, "name": quota.get("name")},
            "limit": quota["limit"],
            "level": "national" if kind == "province" else "local",
            "policy": {
                "id": "national-2025",
                "source": "test",
                "clause": quota.get("clause", "test"),
            },
            "derivation": [{"step": "band", "clause": "test", "text": "t", "text_en": "t"}],
            "reference": None,
            "sample": True,
            "exemptions": [],
        }

    @app.get("/v1/campaigns/{campaign}/quotas")
    async def read_quota(campaign: str, tier: str, unit: str) -> dict[str, Any]:
        quota["calls"] = quota.get("calls", 0) + 1
        return answer(campaign, tier, unit)

    @app.post("/v1/campaigns/{campaign}/quotas/usage")
    async def usage(campaign: str, data: dict[str, Any]) -> dict[str, Any]:
        quota["usage_calls"] = quota.get("usage_calls", 0) + 1
        quota["last_candidates"] = data["candidates"]
        base = answer(campaign, data["tier"], data["unit"])
        candidates = [
            {
                "id": c["id"],
                "counts": True,
                "slot": slot,
                "within_quota": slot <= base["limit"],
                "reason": "counted" if slot <= base["limit"] else "over_quota",
                "exemption": None,
            }
            for slot, c in enumerate(data["candidates"], 1)
        ]
        slots = len(candidates)
        return {
            **base,
            "counted": slots,
            "exempt": 0,
            "remaining": max(base["limit"] - slots, 0),
            "within_quota": slots <= base["limit"],
            "candidates": candidates,
        }

    return app


@pytest.fixture
def quota() -> dict[str, Any]:
    return {"limit": 2}


@pytest.fixture
async def rec(
    clean_db: str, issuer: TestIssuer, quota, deadline_chains
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings_for_tests(Settings, clean_db))
    async with running(app, issuer) as c:
        wire_peer(app, "rules", stand_in_rules(quota), issuer, "review")
        wire_peer(app, "declaration", stand_in_declaration(deadline_chains), issuer, "review")
        c.app = app  # type: ignore[attr-defined]
        yield c


@pytest.fixture
def ready(rec):
    """Insert `n` cases awaiting the recommendation of `unit` (the service's own model)."""

    async def _ready(
        n: int = 1, *, unit: str = "440000", region: str = "440106", **kw: Any
    ) -> list[str]:
        ids = []
        async with rec.app.state.db.transaction() as session:
            for i in range(n):
                did = uuid.uuid4()
                values: dict[str, Any] = {
                    "declaration_id": did,
                    "campaign_year": 2025,
                    "tier": "excellence",
                    "enterprise_uscc": "91440100M000100Y43",
                    "enterprise_name": f"示例企业{i}",
                    "factory_name": f"示例工厂{i}",
                    "region_code": region,
                    "version": 1,
                    "fingerprint": hashlib.sha256(b"v1").hexdigest(),
                    "status": "awaiting_recommendation",
                    "level": "province",
                    "holder_region": unit,
                    "recommending_unit": unit,
                    "submitted_at": datetime.now(UTC),
                }
                values.update(kw)
                session.add(ReviewCase(**values))
                ids.append(str(did))
        return ids

    return _ready
