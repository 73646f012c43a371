"""In-process fixtures for the declaration service: the app on a real migrated database, a
test token issuer, and a stand-in rules service (the real one is exercised in tests/)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from ladder.declaration.main import create_app
from ladder.declaration.settings import Settings
from ladder.kit.clock import FrozenClock
from ladder.kit.testing import TestIssuer, running, settings_for_tests, wire_peer

ENTERPRISE_USCC = "91350102MA2Y00001E"
OTHER_USCC = "91350103MA2Y000033"
# Before every 2025 deadline (the earliest, Shanghai's, closes 2025-07-12T00:00+08:00).
IN_CAMPAIGN_2025 = datetime(2025, 7, 1, 9, 0, tzinfo=timezone(timedelta(hours=8)))
CMMM_MINIMUM = {"basic": 2, "advanced": 2, "excellence": 3, "pilot": 4}


# A small catalogue for the stand-in: enough for the documents in tests/documents.py.
STAND_IN_SCENES = {
    "工厂建设": ["数字孪生工厂构建"],
    "产品研发": ["产品数字化设计"],
    "生产作业": ["在线智能检测", "人机协同作业"],
    "生产管理": ["车间智能排产"],
    "运营管理": ["智能经营决策"],
}
STAND_IN_KPIS = ["ai_scene_share", "productivity_gain", "model_count"]
STAND_IN_BASIC_REQUIREMENTS = [
    ("scale", ["above_scale", "competitive"]),
    ("track_record", ["sound_finances", "no_bad_credit", "no_major_accident", "no_violations"]),
    ("security", ["secure_controllable", "security_risks_controlled"]),
    ("organisation", ["organisation", "talent"]),
]


STAND_IN_EDITIONS = ("2024", "2025")


def stand_in_rules() -> FastAPI:
    """Answers /v1/evaluations (and /batch, per item) with the CMMM threshold only, and serves
    a small scene and KPI catalogue and edition (a test double; the real rules are exercised
    in tests/)."""
    app = FastAPI()

    @app.get("/v1/editions/in-effect")
    async def in_effect(on: str) -> Any:
        if on < "2025-01-01":
            return JSONResponse({"error": {"code": "no_edition_in_effect"}}, status_code=422)
        return {
            "id": "2025",
            "title": "要素条件（2025年版）",
            "source": "251号",
            "effective_from": on,
        }

    @app.get("/v1/editions/{edition}")
    async def edition(edition: str) -> Any:
        if edition not in STAND_IN_EDITIONS:
            return JSONResponse({"error": {"code": "edition_not_found"}}, status_code=404)
        return {
            "id": edition,
            "scene_guide": {
                "segments": [{"name": g, "scenes": names} for g, names in STAND_IN_SCENES.items()]
            },
            "kpi_table": {
                "indicators": [{"key": k, "name": k, "unit": "%"} for k in STAND_IN_KPIS]
            },
            "basic_requirements": [
                {"item": i, "key": key, "facts": [{"key": f, "name": f} for f in facts]}
                for i, (key, facts) in enumerate(STAND_IN_BASIC_REQUIREMENTS, 1)
            ],
        }

    @app.post("/v1/evaluations/batch")
    async def evaluate_batch(body: dict) -> dict:
        """Per item like the single route; an item naming a KPI outside the catalogue is
        refused (422-style item error), like the real service."""
        results = []
        for index, item in enumerate(body["items"]):
            unknown = [k for k in item["facts"].get("kpis") or {} if k not in STAND_IN_KPIS]
            if unknown:
                error = {
                    "code": "unknown_kpi",
                    "message": "指标不属于目录",
                    "message_en": "Not in the KPI catalogue",
                    "details": {"fields": [{"field": f"facts.kpis.{unknown[0]}"}]},
                }
                results.append({"index": index, "ref": item.get("ref"), "error": error})
                continue
            result = await evaluate({**item, "edition": body.get("edition", "2025")})
            results.append({"index": index, "ref": item.get("ref"), "result": result})
        return {"count": len(results), "results": results}

    @app.post("/v1/evaluations")
    async def evaluate(body: dict) -> dict:
        need = CMMM_MINIMUM[body["tier"]]
        have = body["facts"]["cmmm_level"]
        finding = {
            "rule_id": "cmmm.level",
            "clause": "要素条件(2025) test",
            "severity": "error",
            "status": "passed" if have >= need else "failed",
            "passed": have >= need,
            "message": "成熟度等级",
            "message_en": "CMMM level",
            "expected": need,
            "actual": have,
        }
        return {
            "edition": body["edition"],
            "tier": body["tier"],
            "outcome": "eligible" if have >= need else "ineligible",
            "eligible": have >= need,
            "complete": True,
            "findings": [finding],
        }

    return app


@pytest.fixture(scope="session")
def issuer() -> TestIssuer:
    return TestIssuer()


@pytest.fixture
async def client(clean_db: str, issuer: TestIssuer):
    settings = settings_for_tests(Settings, clean_db)
    app = create_app(settings)
    # In-process tests stand still inside the 2025 campaign's window; `clock` moves them.
    app.state.clock = FrozenClock(IN_CAMPAIGN_2025)
    async with running(app, issuer) as c:
        wire_peer(app, "rules", stand_in_rules(), issuer, "declaration")
        from ladder.declaration.seed import seed

        async with app.state.db.transaction() as session:
            await seed(session)
        c.app = app  # type: ignore[attr-defined]
        yield c


@pytest.fixture
def clock(client) -> FrozenClock:
    """The service's clock: `clock.set(...)` to stand at a deadline's second."""
    return client.app.state.clock


@pytest.fixture
def enterprise(issuer: TestIssuer) -> dict[str, str]:
    return issuer.headers("enterprise", sub="ent-user", org=ENTERPRISE_USCC, region="350102")
