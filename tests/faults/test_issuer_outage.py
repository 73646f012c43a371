"""A service restarted while the gateway (the token issuer) is down still authenticates
(issue 12, item 8).

Real processes. A declaration is drafted and pre-checked through the gateway, so the
declaration service has fetched the issuer's JWKS and a service token (and stored both in its
`credential_cache`). Then the gateway is stopped and the declaration process restarted: the new
process has nothing in memory and cannot reach the issuer. The same pre-check, called on the
declaration service directly (the door is down), must still answer 200: the caller's token is
verified with the stored key set, and the call to the rules service carries the stored service
token (the rules process, not restarted, still holds the keys). Before the fix the restarted
process answered 401 `jwks_unavailable`, and its peer calls 503 `token_issuer`.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest

from tests.conftest import running_stack
from tests.e2e.test_thread import DEMO_YEAR, FACTORY_ID, FACTS

pytestmark = pytest.mark.crossservice


def test_a_service_restarted_during_an_issuer_outage_verifies_and_calls_peers(
    pg_server: str, tmp_path: Path
) -> None:
    with running_stack(pg_server, tmp_path) as stack:
        with httpx.Client(base_url=stack.url("gateway"), timeout=30.0) as gateway:
            token = gateway.post("/auth/dev-token", json={"username": "enterprise"}).json()
            auth = {"Authorization": f"Bearer {token['access_token']}"}
            created = gateway.post(
                "/api/declaration/v1/declarations",
                json={
                    "factory_id": FACTORY_ID,
                    "campaign_year": DEMO_YEAR,
                    "tier": "advanced",
                    "facts": {**FACTS, "summary": "发证方中断测试"},
                },
                headers={**auth, "Idempotency-Key": uuid.uuid4().hex},
            )
            assert created.status_code == 201, created.text
            declaration_id = created.json()["id"]
            warm = gateway.post(
                f"/api/declaration/v1/declarations/{declaration_id}/precheck", headers=auth
            )
            assert warm.status_code == 200, warm.text

        stack.stop("gateway")
        stack.stop("declaration")
        stack.start("declaration")

        with httpx.Client(base_url=stack.url("declaration"), timeout=30.0) as declaration:
            read = declaration.get(f"/v1/declarations/{declaration_id}", headers=auth)
            assert read.status_code == 200, read.text  # verified with the stored key set
            precheck = declaration.post(f"/v1/declarations/{declaration_id}/precheck", headers=auth)
            # ... and the rules service was called with the stored service token.
            assert precheck.status_code == 200, precheck.text
            assert precheck.json() == warm.json()
        print("issuer outage: restarted declaration verified a token and called rules: 200")
