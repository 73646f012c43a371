"""Fixtures of the national-review tests: the app with a reachable `app` (clock, database),
and `nat`, a driver that puts cases into each national state through the API."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from national_facts import DETAILS, expert_body, full_sheet
from sqlalchemy import text

from ladder.kit.testing import TestIssuer, running, settings_for_tests
from ladder.review.main import create_app
from ladder.review.national.data import NationalTier, national
from ladder.review.settings import Settings


@pytest.fixture
async def client(clean_db: str, issuer: TestIssuer) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings_for_tests(Settings, clean_db))
    async with running(app, issuer) as c:
        c.app = app  # type: ignore[attr-defined]
        yield c


class Nat:
    """Drives cases through the national review as the ministry and the experts would."""

    def __init__(self, client: httpx.AsyncClient, issuer: TestIssuer, make_event, deliver):
        self.client = client
        self.issuer = issuer
        self.make_event = make_event
        self.deliver = deliver

    # --- callers ---------------------------------------------------------------------------

    def ministry(self, **extra: str) -> dict[str, str]:
        return {**self.issuer.headers("ministry", sub="ministry-official"), **extra}

    def keyed(self, etag: str | None = None, **extra: str) -> dict[str, str]:
        headers = self.ministry(**{"Idempotency-Key": uuid.uuid4().hex, **extra})
        if etag is not None:
            headers["If-Match"] = etag
        return headers

    def expert(self, account: str, **extra: str) -> dict[str, str]:
        return {**self.issuer.headers("expert", sub=account), **extra}

    # --- the database ----------------------------------------------------------------------

    async def sql(self, query: str, **params: Any) -> list[Any]:
        async with self.client.app.state.db.transaction() as session:  # type: ignore[attr-defined]
            result = await session.execute(text(query), params)
            return list(result.all()) if result.returns_rows else []

    async def status(self, did: str) -> str:
        (row,) = await self.sql(
            "SELECT status FROM review.review_case WHERE declaration_id = :d", d=did
        )
        return row[0]

    async def row_version(self, did: str) -> int:
        (row,) = await self.sql(
            "SELECT row_version FROM review.review_case WHERE declaration_id = :d", d=did
        )
        return row[0]

    async def events(self, did: str) -> list[str]:
        rows = await self.sql(
            "SELECT t.event FROM review.case_transition t JOIN review.review_case c "
            "ON c.id = t.case_id WHERE c.declaration_id = :d ORDER BY t.id",
            d=did,
        )
        return [r[0] for r in rows]

    async def status_events(self, did: str) -> list[dict]:
        rows = await self.sql(
            "SELECT payload FROM review.outbox WHERE topic = 'review.status_changed' "
            "AND payload->>'declaration_id' = :d ORDER BY id",
            d=did,
        )
        return [r[0] for r in rows]

    # --- cases -----------------------------------------------------------------------------

    async def case(self, status: str = "recommended", *, tier: str = "excellence", **payload):
        """A case delivered as a submission, then put in `status` directly (the recommendation
        strand's list submission is what does it in production)."""
        payload.setdefault("details", DETAILS)
        event = self.make_event(tier=tier, **payload)
        resp = await self.deliver(event)
        assert resp.status_code == 200, resp.text
        did = event["payload"]["declaration_id"]
        await self.sql(
            "UPDATE review.review_case SET status = :s WHERE declaration_id = :d", s=status, d=did
        )
        return did

    async def read(self, did: str) -> dict:
        resp = await self.client.get(f"/v1/national/cases/{did}", headers=self.ministry())
        assert resp.status_code == 200, resp.text
        assert resp.headers["ETag"] == resp.json()["etag"]
        return resp.json()

    async def etag(self, did: str) -> str:
        return (await self.read(did))["etag"]

    async def post(self, did: str, action: str, body: dict) -> httpx.Response:
        return await self.client.post(
            f"/v1/national/cases/{did}/{action}",
            json=body,
            headers=self.keyed(await self.etag(did)),
        )

    async def pass_formal(self, did: str) -> None:
        resp = await self.post(did, "formal-check", {"outcome": "pass"})
        assert resp.status_code == 200, resp.text

    # --- experts ---------------------------------------------------------------------------

    async def add_expert(self, **fields: Any) -> dict:
        resp = await self.client.post(
            "/v1/national/experts", json=expert_body(**fields), headers=self.keyed()
        )
        assert resp.status_code == 201, resp.text
        return resp.json()

    async def add_experts(self, n: int, **fields: Any) -> list[dict]:
        return [await self.add_expert(**fields) for _ in range(n)]

    async def assign(self, did: str, experts: list[dict]) -> httpx.Response:
        return await self.client.put(
            f"/v1/national/cases/{did}/experts",
            json={"expert_ids": [e["id"] for e in experts]},
            headers=self.ministry(**{"If-Match": await self.etag(did)}),
        )

    async def score(self, did: str, expert: dict, sheet: dict | None = None, **headers: str):
        return await self.client.put(
            f"/v1/national/cases/{did}/scores/me",
            json=sheet or full_sheet(),
            headers=self.expert(expert["account"], **headers),
        )

    async def in_review(self, tier: str = "excellence", n: int | None = None, **payload):
        """A case in the expert review with `n` reviewers assigned (default: the minimum)."""
        did = await self.case(tier=tier, **payload)
        await self.pass_formal(did)
        n = n or national().experts_per_case.for_tier(NationalTier(tier)).min
        experts = await self.add_experts(n)
        resp = await self.assign(did, experts)
        assert resp.status_code == 200, resp.text
        return did, experts

    async def scored(self, tier: str = "excellence", **payload):
        did, experts = await self.in_review(tier, **payload)
        for e in experts:
            resp = await self.score(did, e, full_sheet(tier))
            assert resp.status_code == 201, resp.text
        return did, experts

    async def schedule_onsite(self, did: str, team: list[dict]) -> httpx.Response:
        body = {
            "scheduled_on": "2025-10-20",
            "place": "福州市鼓楼区工厂现场",
            "team": [e["id"] for e in team],
        }
        return await self.post(did, "onsite", body)

    async def verified_onsite(self, did: str, team: list[dict]) -> None:
        """Schedule the 现场核查 and record every item as verified, with a conclusion."""
        resp = await self.schedule_onsite(did, team)
        assert resp.status_code == 201, resp.text
        onsite = resp.json()
        who = self.expert(team[0]["account"])
        for item in onsite["items"]:
            r = await self.client.put(
                f"/v1/national/cases/{did}/onsite/items/{item['key']}",
                json={"finding": "verified"},
                headers={**who, "If-Match": item["etag"]},
            )
            assert r.status_code == 200, r.text
            onsite = r.json()
        r = await self.client.put(
            f"/v1/national/cases/{did}/onsite/conclusion",
            json={"conclusion": "核查属实"},
            headers={**who, "If-Match": onsite["etag"]},
        )
        assert r.status_code == 200, r.text

    async def selected(self, tier: str = "excellence", **payload) -> str:
        did, experts = await self.scored(tier, **payload)
        if tier == "pilot":
            await self.verified_onsite(did, experts[:2])
        resp = await self.post(did, "decision", {"outcome": "select"})
        assert resp.status_code == 200, resp.text
        return did


@pytest.fixture
def nat(client, issuer, make_event, deliver) -> Nat:
    return Nat(client, issuer, make_event, deliver)
