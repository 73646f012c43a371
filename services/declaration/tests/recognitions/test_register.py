"""The register of recognised tiers (认定记录): written by the acts that recognise (a 基础级
self-assessment found eligible, a submitted 先进级 list, a published 卓越级 list, an accepted
领航级 cultivation), read by the public, the authorities and the enterprise, and sent to the
rules service as the facts of the prerequisite."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from fastapi import FastAPI
from review_said import FACTORY_ID, cultivation_changed, deliver, envelope, submitted
from self_assessment_data import form, province, row, to_csv, upload, uscc

from ladder.contracts.review import (
    LIST_PUBLISHED,
    LIST_SUBMITTED,
    ListPublished,
    ListSubmitted,
    PublishedEntry,
)
from ladder.declaration.recognitions.standing import counts_for
from ladder.kit.testing import wire_peer

USCC = "91350102MA2Y00001E"  # the seeded enterprise of the `enterprise` fixture
REGISTER = "/v1/recognitions"


def list_submitted(did: str, tier: str, unit: str = "350000") -> dict:
    at = datetime.now(UTC)
    payload = ListSubmitted(
        campaign_year=2025,
        tier=tier,
        unit=unit,
        declaration_ids=[uuid.UUID(did)],
        sha256="a" * 64,
        at=at,
    )
    return envelope(LIST_SUBMITTED, payload, at)


def list_published(did: str, tier: str) -> dict:
    at = datetime.now(UTC)
    entry = PublishedEntry(
        declaration_id=uuid.UUID(did),
        version=1,
        enterprise_uscc=USCC,
        enterprise_name="福州示范制造有限公司",
        factory_name="高端装备智能工厂",
        region_code="350102",
    )
    payload = ListPublished(campaign_year=2025, tier=tier, published_at=at, entries=[entry])
    return envelope(LIST_PUBLISHED, payload, at)


async def held(client, headers, **params) -> list[dict]:
    resp = await client.get(REGISTER, params={"page_size": 100, **params}, headers=headers)
    assert resp.status_code == 200, resp.text
    return resp.json()["items"]


async def test_a_submitted_advanced_list_recognises_and_a_recommendation_does_not(
    client, issuer, enterprise
) -> None:
    did = await submitted(client, enterprise)
    for tier in ("excellence", "pilot"):  # 推荐汇总表: a recommendation, not a recognition
        resp = await deliver(client, issuer, list_submitted(did, tier))
        assert (resp.status_code, resp.json()["status"]) == (200, "accepted"), resp.text
    assert await held(client, enterprise) == []
    resp = await deliver(client, issuer, list_submitted(did, "advanced"))
    assert resp.status_code == 200, resp.text
    (entry,) = await held(client, enterprise)
    assert (entry["tier"], entry["year"], entry["authority"], entry["source_kind"]) == (
        "advanced",
        2025,
        "350000",
        "list_submission",
    )
    assert entry["source_ref"] == "350000:" + "a" * 64
    assert (entry["factory_id"], entry["declaration_id"]) == (FACTORY_ID, did)
    # The same recognition sent again (another event) changes nothing.
    await deliver(client, issuer, list_submitted(did, "advanced"))
    assert len(await held(client, enterprise)) == 1


async def test_a_published_excellence_list_recognises_and_a_pilot_list_does_not(
    client, issuer, enterprise
) -> None:
    did = await submitted(client, enterprise)
    await deliver(client, issuer, list_published(did, "pilot"))  # 培育对象, not 获评领航级
    assert await held(client, enterprise) == []
    assert (await deliver(client, issuer, list_published(did, "excellence"))).status_code == 200
    (entry,) = await held(client, enterprise)
    assert (entry["tier"], entry["authority"], entry["source_kind"]) == (
        "excellence",
        "ministry",
        "publication",
    )


async def test_an_accepted_cultivation_recognises_pilot_and_is_mirrored(
    client, issuer, enterprise
) -> None:
    did = await submitted(client, enterprise)
    at = datetime(2027, 9, 1, 2, 0, tzinfo=UTC)
    resp = await deliver(client, issuer, cultivation_changed(did, "accepted", "accepted", at))
    assert resp.status_code == 200, resp.text
    (entry,) = await held(client, enterprise)
    assert (entry["tier"], entry["year"], entry["source_kind"], entry["source_ref"]) == (
        "pilot",
        2027,
        "acceptance",
        did,
    )
    read = (await client.get(f"/v1/declarations/{did}", headers=enterprise)).json()
    assert read["cultivation_status"]["status"] == "accepted"


async def test_an_eligible_self_assessment_is_basic_and_a_later_ineligible_one_undoes_it(
    client, issuer, enterprise
) -> None:
    key = {"Idempotency-Key": uuid.uuid4().hex}
    made = await client.post("/v1/self-assessments", json=form(), headers={**enterprise, **key})
    assert made.status_code == 201, made.text
    (entry,) = await held(client, enterprise)
    assert (entry["tier"], entry["year"], entry["authority"], entry["source_kind"]) == (
        "basic",
        2026,
        "self",
        "self_assessment",
    )
    assert (entry["factory_name"], entry["source_ref"]) == ("一号工厂", made.json()["id"])
    # Not a public list: the public read does not show it.
    public = await client.get(f"/public/v1/recognitions/{USCC}")
    assert public.status_code == 200 and public.json()["items"] == []
    key = {"Idempotency-Key": uuid.uuid4().hex}
    worse = await client.post(
        "/v1/self-assessments", json=form(cmmm_level=1), headers={**enterprise, **key}
    )
    assert worse.status_code == 200 and worse.json()["outcome"] == "ineligible", worse.text
    assert await held(client, enterprise) == []


async def test_the_prerequisite_facts_are_the_registers_not_the_applicants(
    client, issuer, enterprise
) -> None:
    """The pre-check sends `facts.recognitions` built from the register for the declaration's
    factory (by its id, or by its name), and not the document's `recognised_tier`."""
    sent: list[dict] = []
    capture = FastAPI()

    @capture.post("/v1/evaluations")
    async def evaluate(body: dict) -> dict:
        sent.append(body["facts"])
        return {"edition": "2025", "tier": body["tier"], "outcome": "eligible", "eligible": True,
                "complete": True, "findings": []}  # fmt: skip

    @capture.get("/v1/editions/{edition}")
    async def edition(edition: str) -> dict:
        return {"id": edition, "scene_guide": {"segments": []}, "kpi_table": {"indicators": []}}

    ministry = issuer.headers("ministry", sub="miit")
    rows = [
        {"uscc": USCC, "enterprise_name": "福州示范制造有限公司", "factory_name": name,
         "region_code": "350102", "tier": tier, "year": year}
        for name, tier, year in (("高端装备智能工厂", "先进级", 2024),
                                 ("别的工厂", "excellence", 2024))
    ]  # fmt: skip
    body = {"document_number": "工信厅联通装函〔2024〕1号", "rows": rows}
    resp = await client.post(
        f"{REGISTER}/imports", json=body, headers={**ministry, "Idempotency-Key": "import-one"}
    )
    assert resp.status_code == 201, resp.text
    wire_peer(client.app, "rules", capture, issuer, "declaration")
    draft = await client.post(
        "/v1/declarations",
        json={"factory_id": FACTORY_ID, "campaign_year": 2025, "tier": "advanced",
              "facts": {"cmmm_level": 3, "segments": ["生产作业"], "recognised_tier": "pilot"}},
        headers={**enterprise, "Idempotency-Key": uuid.uuid4().hex},
    )  # fmt: skip
    assert draft.status_code == 201, draft.text
    pre = await client.post(f"/v1/declarations/{draft.json()['id']}/precheck", headers=enterprise)
    assert pre.status_code == 200, pre.text
    (facts,) = sent
    assert "recognised_tier" not in facts
    assert facts["recognitions"] == [
        {"tier": "advanced", "year": 2024, "authority": "350000", "source": "import",
         "reference": "工信厅联通装函〔2024〕1号"},
    ]  # fmt: skip


async def test_reads_by_who_may_see_what(client, issuer, enterprise) -> None:
    """The public and other regions see the lists; the enterprise and its authorities also
    its self-assessed 基础级; paginated."""
    key = {"Idempotency-Key": uuid.uuid4().hex}
    assert (
        await client.post("/v1/self-assessments", json=form(), headers={**enterprise, **key})
    ).status_code == 201
    ministry = issuer.headers("ministry", sub="miit")
    rows = [
        {"uscc": code, "enterprise_name": f"企业{n}", "factory_name": "工厂", "region_code": region,
         "tier": "advanced", "year": 2024}
        for n, (code, region) in enumerate(((USCC, "350102"), (uscc(7, "310115"), "310115")))
    ]  # fmt: skip
    body = {"document_number": "2024年先进级名单", "rows": rows}
    resp = await client.post(
        f"{REGISTER}/imports", json=body, headers={**ministry, "Idempotency-Key": "import-two"}
    )
    assert resp.status_code == 201, resp.text
    fuzhou = issuer.headers("county", sub="gulou", region="350102")
    shanghai = issuer.headers("province", sub="sh", region="310000")
    assert len(await held(client, ministry)) == 3
    assert {e["tier"] for e in await held(client, fuzhou, enterprise_uscc=USCC)} == {
        "basic",
        "advanced",
    }
    assert {e["tier"] for e in await held(client, shanghai, enterprise_uscc=USCC)} == {"advanced"}
    assert {e["tier"] for e in await held(client, enterprise, enterprise_uscc=USCC)} == {
        "basic",
        "advanced",
    }
    page = await client.get(REGISTER, params={"page_size": 1, "page": 2}, headers=ministry)
    assert (page.json()["total"], len(page.json()["items"])) == (3, 1)
    public = (await client.get(f"/public/v1/recognitions/{USCC}")).json()
    assert [(e["tier"], e["year"], e["authority"]) for e in public["items"]] == [
        ("advanced", 2024, "350000")
    ]
    assert "id" not in public["items"][0]


def test_which_years_count() -> None:
    """251号 sets no year for 已获评: any earlier year counts, and the campaign's own; a later
    one does not (`standing.py`)."""
    assert counts_for(2025, 2019) and counts_for(2025, 2025)
    assert not counts_for(2025, 2026)


async def test_a_self_assessment_import_records_its_eligible_rows(client, issuer) -> None:
    """A province's import of 基础级 self-assessments writes the eligible rows' 基础级 in the
    same transaction; imported again with a row now ineligible, that row's entry goes."""
    fujian = province(issuer)
    first = await upload(client, fujian, to_csv([row(1), row(2), row(3, cmmm_level="1")]))
    assert first.status_code == 201, first.text
    entries = await held(client, fujian, tier="basic")
    assert sorted((e["enterprise_uscc"], e["factory_name"]) for e in entries) == [
        (uscc(1), "工厂1"),
        (uscc(2), "工厂2"),
    ]
    again = await upload(client, fujian, to_csv([row(2, cmmm_level="1")]))
    assert again.status_code == 201, again.text
    assert [e["enterprise_uscc"] for e in await held(client, fujian, tier="basic")] == [uscc(1)]


async def test_a_central_soe_hq_reads_its_groups_self_assessed_entries(client, issuer) -> None:
    """A group HQ organises its enterprises' 基础级 self-assessments (251号 一(一)): it reads
    their entries; another group reads only the public ones (none here)."""
    group, other = uscc(901, "110000"), uscc(902, "110000")
    member = uscc(31)
    member_headers = issuer.headers("enterprise", sub="member", org=member, region="350102")
    registered = await client.post(
        "/v1/enterprises",
        json={"uscc": member, "name": "央企子公司", "region_code": "350102",
              "central_soe_group": group},
        headers=member_headers,
    )  # fmt: skip
    assert registered.status_code == 201, registered.text
    key = {"Idempotency-Key": uuid.uuid4().hex}
    made = await client.post("/v1/self-assessments", json=form(), headers={**member_headers, **key})
    assert made.status_code == 201, made.text
    hq = issuer.headers("central_soe_hq", sub="hq", org=group)
    assert [e["enterprise_uscc"] for e in await held(client, hq)] == [member]
    assert await held(client, issuer.headers("central_soe_hq", sub="hq2", org=other)) == []
