"""In-process fixtures for the declaration service: the app on a real migrated database, a
test token issuer, and a stand-in rules service (the real one is exercised in tests/)."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from ladder.declaration.main import create_app
from ladder.declaration.settings import Settings
from ladder.kit.testing import TestIssuer, running, settings_for_tests, wire_peer

ENTERPRISE_USCC = "91350102MA2Y00001E"
OTHER_USCC = "91350103MA2Y000033"
CMMM_MINIMUM = {"basic": 2, "advanced": 2, "excellence": 3, "pilot": 4}


def stand_in_rules() -> FastAPI:
    """Answers /v1/evaluations with the CMMM threshold only (a test double)."""
    app = FastAPI()

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
    async with running(app, issuer) as c:
        wire_peer(app, "rules", stand_in_rules(), issuer, "declaration")
        from ladder.declaration.seed import seed

        async with app.state.db.transaction() as session:
            await seed(session)
        c.app = app  # type: ignore[attr-defined]
        yield c


@pytest.fixture
def enterprise(issuer: TestIssuer) -> dict[str, str]:
    return issuer.headers("enterprise", sub="ent-user", org=ENTERPRISE_USCC, region="350102")
