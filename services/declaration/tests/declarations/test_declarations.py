"""Declarations in-process: forms, ETags, idempotency, submission, jurisdiction."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from declaration_documents import document
from factories import new_factory
from review_said import routed
from sqlalchemy import func, select

from ladder.declaration.declarations import service
from ladder.declaration.declarations.models import DeclarationTransition
from ladder.declaration.errors import ChangedDuringSubmit
from ladder.declaration.rules_client import RulesClient
from ladder.declaration.tables import OUTBOX
from ladder.kit import clock
from ladder.kit.auth import Principal, Role

FACTORY_ID = "00000000-0000-4000-8000-000000000101"  # seeded demo factory in 350102
ENTERPRISE_USCC = "91350102MA2Y00001E"  # the `enterprise` fixture's (conftest.py)
GOOD_FACTS = {"cmmm_level": 3, "segments": ["生产作业", "生产管理", "运营管理"]}


def _draft(tier: str = "advanced", facts: dict | None = None, factory_id: str = FACTORY_ID) -> dict:
    return {
        "factory_id": factory_id,
        "campaign_year": 2025,
        "tier": tier,
        "facts": facts or GOOD_FACTS,
    }


async def _create(client, headers, body=None, key=None):
    return await client.post(
        "/v1/declarations",
        json=body or _draft(),
        headers={**headers, "Idempotency-Key": key or uuid.uuid4().hex},
    )


async def _count(client, table_sql) -> int:
    async with client.app.state.db.transaction() as session:
        return (await session.execute(select(func.count()).select_from(table_sql))).scalar_one()


# The declaration's own events (the seed queues campaign.changed for the peers).
DECLARATION_EVENTS = OUTBOX.select().where(OUTBOX.c.topic.like("declaration.%")).subquery()


async def test_create_requires_idempotency_key(client, enterprise):
    resp = await client.post("/v1/declarations", json=_draft(), headers=enterprise)
    assert resp.status_code == 428
    assert resp.json()["error"]["code"] == "idempotency_key_required"


async def test_same_key_creates_one_record(client, enterprise):
    first = await _create(client, enterprise, key="create-0001")
    again = await _create(client, enterprise, key="create-0001")
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    listing = (await client.get("/v1/declarations", headers=enterprise)).json()
    assert listing["total"] == 1


async def test_same_key_other_body_is_refused(client, enterprise):
    await _create(client, enterprise, key="create-0002")
    resp = await _create(client, enterprise, body=_draft(tier="basic"), key="create-0002")
    assert resp.status_code == 422
    assert resp.json()["error"]["code"] == "idempotency_key_reused"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_draft(facts={"cmmm_level": 9, "segments": ["生产作业"]}), "facts.cmmm_level"),
        (_draft(facts={"cmmm_level": 2, "segments": ["不存在的环节"]}), "facts.segments[0]"),
        (_draft(facts={"cmmm_level": 2, "segments": ["生产作业", "生产作业"]}), "facts.segments"),
        ({**_draft(), "tier": "platinum"}, "tier"),
        ({**_draft(), "campaign_year": 1999}, "campaign_year"),
    ],
)
async def test_bad_form_is_422_naming_the_field(client, enterprise, body, field):
    resp = await _create(client, enterprise, body=body)
    assert resp.status_code == 422, resp.text
    err = resp.json()["error"]
    assert err["code"] == "validation_error"
    assert field in [f["field"] for f in err["details"]["fields"]]
    assert (await client.get("/v1/declarations", headers=enterprise)).json()["total"] == 0


async def test_unknown_campaign_is_422(client, enterprise):
    resp = await _create(client, enterprise, body={**_draft(), "campaign_year": 2031})
    assert resp.status_code == 422
    assert resp.json()["error"]["code"] == "campaign_not_found"


async def test_factory_of_another_enterprise_is_not_found(client, issuer):
    other = issuer.headers("enterprise", sub="x", org="91350103MA2Y000033", region="350103")
    resp = await _create(client, other)
    assert resp.status_code == 404
    assert resp.json()["error"]["code"] == "factory_not_found"


async def test_edit_needs_fresh_etag(client, enterprise):
    created = await _create(client, enterprise)
    did, tag = created.json()["id"], created.headers["etag"]
    patch = {"facts": {"cmmm_level": 4, "segments": ["生产作业"]}}
    missing = await client.patch(f"/v1/declarations/{did}", json=patch, headers=enterprise)
    assert missing.status_code == 428
    ok = await client.patch(
        f"/v1/declarations/{did}", json=patch, headers={**enterprise, "If-Match": tag}
    )
    assert ok.status_code == 200
    assert ok.headers["etag"] != tag
    stale = await client.patch(
        f"/v1/declarations/{did}", json=patch, headers={**enterprise, "If-Match": tag}
    )
    assert stale.status_code == 412
    assert stale.json()["error"]["code"] == "stale_etag"


async def test_submit_fails_precheck_and_stays_draft(client, enterprise):
    body = _draft(tier="pilot", facts=document("pilot", cmmm_level=3))
    created = await _create(client, enterprise, body=body)
    did = created.json()["id"]
    resp = await client.post(
        f"/v1/declarations/{did}/submit", headers={**enterprise, "Idempotency-Key": "submit-01"}
    )
    assert resp.status_code == 422
    assert resp.json()["error"]["code"] == "precheck_failed"
    assert resp.json()["error"]["details"]["findings"][0]["rule_id"] == "cmmm.level"
    read = (await client.get(f"/v1/declarations/{did}", headers=enterprise)).json()
    assert read["status"] == "draft"
    assert await _count(client, DECLARATION_EVENTS) == 0


async def test_submit_freezes_a_version_and_queues_the_event(client, enterprise):
    did = (await _create(client, enterprise)).json()["id"]
    headers = {**enterprise, "Idempotency-Key": "submit-0002"}
    first = await client.post(f"/v1/declarations/{did}/submit", headers=headers)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["status"] == "submitted"
    assert body["current_version"] == 1
    assert len(body["current_fingerprint"]) == 64
    replay = await client.post(f"/v1/declarations/{did}/submit", headers=headers)
    assert replay.status_code == 200
    assert replay.json()["current_fingerprint"] == body["current_fingerprint"]
    assert await _count(client, DECLARATION_EVENTS) == 1
    again = await client.post(
        f"/v1/declarations/{did}/submit", headers={**enterprise, "Idempotency-Key": "submit-0003"}
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "invalid_transition"
    history = (await client.get(f"/v1/declarations/{did}/history", headers=enterprise)).json()
    assert [(h["from_status"], h["to_status"]) for h in history] == [("draft", "submitted")]


async def test_fingerprint_follows_content(client, enterprise):
    fingerprints = []
    for level in (3, 4):
        factory = await new_factory(client, enterprise)  # one declaration per factory and tier
        body = _draft(factory_id=factory, facts={**GOOD_FACTS, "cmmm_level": level})
        did = (await _create(client, enterprise, body=body)).json()["id"]
        sub = await client.post(
            f"/v1/declarations/{did}/submit",
            headers={**enterprise, "Idempotency-Key": uuid.uuid4().hex},
        )
        content = sub.json()
        versions = (await client.get(f"/v1/declarations/{did}/versions", headers=enterprise)).json()
        assert versions[0]["fingerprint"] == content["current_fingerprint"]
        fingerprints.append(content["current_fingerprint"])
    assert fingerprints[0] != fingerprints[1]


async def test_jurisdiction_decides_who_sees(client, issuer, enterprise):
    did = (await _create(client, enterprise)).json()["id"]
    submitted = await client.post(
        f"/v1/declarations/{did}/submit",
        headers={**enterprise, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert submitted.status_code == 200, submitted.text
    await routed(client, issuer, did, "350000")
    seen = {
        "county 350102": issuer.headers("county", region="350102"),
        "city 350100": issuer.headers("city", region="350100"),
        "province 350000": issuer.headers("province", region="350000"),
        "ministry": issuer.headers("ministry"),
    }
    unseen = {
        "county 350103": issuer.headers("county", region="350103"),
        "province 310000": issuer.headers("province", region="310000"),
        "other enterprise": issuer.headers("enterprise", org="91350103MA2Y000033"),
    }
    for who, headers in seen.items():
        assert (await client.get(f"/v1/declarations/{did}", headers=headers)).status_code == 200, (
            who
        )
        assert (await client.get("/v1/declarations", headers=headers)).json()["total"] == 1, who
    for who, headers in unseen.items():
        assert (await client.get(f"/v1/declarations/{did}", headers=headers)).status_code == 404, (
            who
        )
    public = await client.get("/v1/declarations", headers=issuer.headers("public"))
    assert public.status_code == 403


async def test_withdraw(client, enterprise):
    created = await _create(client, enterprise)
    did, tag = created.json()["id"], created.headers["etag"]
    resp = await client.post(
        f"/v1/declarations/{did}/withdraw",
        json={"reason": "重复申报"},
        headers={**enterprise, "If-Match": tag},
    )
    assert resp.status_code == 200
    assert resp.json()["status"] == "withdrawn"
    again = await client.post(
        f"/v1/declarations/{did}/withdraw",
        json={"reason": "x"},
        headers={**enterprise, "If-Match": resp.headers["etag"]},
    )
    assert again.status_code == 409


async def test_no_token_is_401(client):
    resp = await client.get("/v1/declarations")
    assert resp.status_code == 401
    assert resp.json()["error"]["code"] == "unauthenticated"


async def test_the_submitted_event_carries_what_the_review_needs(client, enterprise):
    """The 推荐汇总表 columns (scenes, future modes, contact), KPIs for 现场核查 and the
    integrators for conflicts of interest travel with the submission."""
    doc = document("pilot")
    body = _draft(tier="pilot", facts=doc)
    did = (await _create(client, enterprise, body=body)).json()["id"]
    resp = await client.post(
        f"/v1/declarations/{did}/submit", headers={**enterprise, "Idempotency-Key": "sub-d-01"}
    )
    assert resp.status_code == 200, resp.text
    async with client.app.state.db.transaction() as session:
        payload = (
            await session.execute(
                select(OUTBOX.c.payload).where(OUTBOX.c.topic == "declaration.submitted")
            )
        ).scalar_one()
    details = payload["details"]
    assert [s["instance"] for s in details["scenes"]] == [s["instance"] for s in doc["scenes"]]
    assert details["integrators"] == doc["factory_info"]["integrators"]
    assert details["future_modes"] == [
        f"{d['category']}-{d['mode']}" for d in doc["cultivation_plan"]["directions"]
    ]
    assert details["contact"]["mobile"] == doc["applicant"]["contacts"][0]["mobile"]
    assert details["kpis"] == {k: v.get("achieved") for k, v in doc["kpis"].items()}
    assert payload["industry"] == doc["applicant"]["industry"]
    assert "central_soe_group" in payload


async def test_concurrent_edits_of_a_draft_with_one_if_match_keep_exactly_one(client, enterprise):
    """20 PATCHes racing with one If-Match: 1 × 200, 19 × 412, and the stored draft is the
    winner's (issue 12: every If-Match edit is checked under the row lock)."""
    created = await _create(client, enterprise)
    did, tag = created.json()["id"], created.headers["etag"]
    answers = await asyncio.gather(
        *(
            client.patch(
                f"/v1/declarations/{did}",
                json={"facts": {**GOOD_FACTS, "cmmm_level": 3 + i % 2, "summary": f"第{i}稿"}},
                headers={**enterprise, "If-Match": tag},
            )
            for i in range(20)
        )
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [412] * 19, statuses
    (winner,) = [a for a in answers if a.status_code == 200]
    stored = await client.get(f"/v1/declarations/{did}", headers=enterprise)
    assert stored.json()["facts"] == winner.json()["facts"]
    assert stored.headers["etag"] == winner.headers["etag"]


async def test_a_draft_changed_while_the_rules_were_asked_is_not_submitted(client, enterprise):
    """The rules are asked with no lock held; if the draft changed meanwhile, the locked write
    refuses (409 `declaration_changed`) rather than freeze it with a stale evaluation."""
    created = await _create(client, enterprise)
    did, tag = uuid.UUID(created.json()["id"]), created.headers["etag"]
    owner = Principal(sub="ent-user", role=Role.enterprise, org=ENTERPRISE_USCC, region="350102")
    rules, db = RulesClient(client.app.state.peers["rules"]), client.app.state.db
    # Outside a request: the service's clock, as its middleware would set it.
    token = clock._current.set(client.app.state.clock)
    try:
        evaluated = await service.evaluate_for_submit(db, rules, owner, did)
        assert evaluated is not None and evaluated.row_version == 1
        edit = {"facts": {**GOOD_FACTS, "summary": "改过"}}
        changed = await client.patch(
            f"/v1/declarations/{did}", json=edit, headers={**enterprise, "If-Match": tag}
        )
        assert changed.status_code == 200, changed.text
        with pytest.raises(ChangedDuringSubmit):
            async with db.transaction() as session:
                await service.submit(session, rules, owner, did, evaluated)
    finally:
        clock._current.reset(token)
    stored = await client.get(f"/v1/declarations/{did}", headers=enterprise)
    assert stored.json()["status"] == "draft"
    assert (await client.get(f"/v1/declarations/{did}/versions", headers=enterprise)).json() == []


async def test_concurrent_withdrawals_with_one_if_match_keep_exactly_one(client, enterprise):
    """10 withdrawals racing with one If-Match: 1 × 200, 9 × 412 (the draft is locked before
    its ETag is compared), one `withdraw` history row, and the stored draft is the winner's."""
    created = await _create(client, enterprise)
    did, tag = created.json()["id"], created.headers["etag"]
    answers = await asyncio.gather(
        *(
            client.post(
                f"/v1/declarations/{did}/withdraw",
                json={"reason": f"重复申报{i}"},
                headers={**enterprise, "If-Match": tag},
            )
            for i in range(10)
        )
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [412] * 9, statuses
    (winner,) = [a for a in answers if a.status_code == 200]
    stored = await client.get(f"/v1/declarations/{did}", headers=enterprise)
    assert stored.json()["status"] == winner.json()["status"] == "withdrawn"
    assert stored.headers["etag"] == winner.headers["etag"]
    async with client.app.state.db.transaction() as session:
        withdrawals = (
            await session.execute(
                select(func.count())
                .select_from(DeclarationTransition)
                .where(
                    DeclarationTransition.declaration_id == uuid.UUID(did),
                    DeclarationTransition.event == "withdraw",
                )
            )
        ).scalar_one()
    assert withdrawals == 1
