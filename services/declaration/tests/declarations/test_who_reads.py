"""Who reads a declaration follows where the review service routed it (issue 11, findings 3
and 4): drafts are the enterprise's alone; a case routed to a central-SOE group or the XPCC is
theirs, not the regions'; and an authority never runs (or overwrites) an enterprise's
pre-check."""

from __future__ import annotations

import uuid

import pytest
from declaration_documents import document
from evidence_files import pdf
from review_said import routed

FUZHOU_FACTORY = "00000000-0000-4000-8000-000000000101"  # 福州示范智能装备 in 350102
SOE_FACTORY = "00000000-0000-4000-8000-000000000103"  # the SOE subsidiary's, 350105
SOE_SUBSIDIARY = "91350105MA2Y000030"
SOE_GROUP = "91110000100000007F"
XPCC_ENTERPRISE = "91659001MA7800001L"  # registered in 石河子市 659001 by the test
PDF = pdf()


def _key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def _declare(client, headers, factory_id: str, tier: str = "excellence") -> str:
    body = {
        "factory_id": factory_id,
        "campaign_year": 2025,
        "tier": tier,
        "facts": document(tier),
    }
    created = await client.post("/v1/declarations", json=body, headers={**headers, **_key()})
    assert created.status_code == 201, created.text
    return created.json()["id"]


async def _submit(client, headers, did: str) -> None:
    resp = await client.post(f"/v1/declarations/{did}/submit", headers={**headers, **_key()})
    assert resp.status_code == 200, resp.text


def _people(issuer) -> dict[str, dict[str, str]]:
    return {
        "county 350102": issuer.headers("county", region="350102"),
        "county 350105": issuer.headers("county", region="350105"),
        "city 350100": issuer.headers("city", region="350100"),
        "province 350000": issuer.headers("province", region="350000"),
        "province 310000": issuer.headers("province", region="310000"),
        "province 650000": issuer.headers("province", region="650000"),
        "xpcc": issuer.headers("province", region="xpcc"),
        "soe hq": issuer.headers("central_soe_hq", org=SOE_GROUP),
        "other soe hq": issuer.headers("central_soe_hq", org="91110000100000015Q"),
        "ministry": issuer.headers("ministry"),
        "expert": issuer.headers("expert"),
    }


async def _who_reads(client, issuer, did: str) -> set[str]:
    """Everyone of `_people` who reads the declaration — checked on every way in: the record,
    the list, the batch read by ids, the versions, the history — which must agree."""
    readers = set()
    for who, headers in _people(issuer).items():
        one = await client.get(f"/v1/declarations/{did}", headers=headers)
        listed = await client.get(
            "/v1/declarations", headers={**headers}, params={"page_size": 100}
        )
        batch = await client.get(
            "/v1/declarations", headers=headers, params={"ids": [did, str(uuid.uuid4())]}
        )
        versions = await client.get(f"/v1/declarations/{did}/versions", headers=headers)
        history = await client.get(f"/v1/declarations/{did}/history", headers=headers)
        in_list = listed.status_code == 200 and any(i["id"] == did for i in listed.json()["items"])
        in_batch = batch.status_code == 200 and [i["id"] for i in batch.json()["items"]] == [did]
        answers = {one.status_code == 200, in_list, in_batch, versions.status_code == 200,
                   history.status_code == 200}  # fmt: skip
        assert len(answers) == 1, (who, one.status_code, in_list, in_batch, versions.status_code)
        if one.status_code == 200:
            readers.add(who)
        else:
            assert one.status_code == 404, who
    return readers


async def test_a_draft_is_the_enterprises_alone(client, issuer, enterprise):
    did = await _declare(client, enterprise, FUZHOU_FACTORY)
    upload = await client.post(
        f"/v1/declarations/{did}/attachments",
        params={"name": "证明.pdf"},
        content=PDF,
        headers={**enterprise, **_key()},
    )
    assert upload.status_code == 201, upload.text

    assert await _who_reads(client, issuer, did) == set()
    for headers in _people(issuer).values():
        listing = await client.get(f"/v1/declarations/{did}/attachments", headers=headers)
        assert listing.status_code == 404
    assert (await client.get(f"/v1/declarations/{did}", headers=enterprise)).status_code == 200


async def test_submitted_but_not_yet_routed_is_the_ministrys_only(client, issuer, enterprise):
    did = await _declare(client, enterprise, FUZHOU_FACTORY)
    await _submit(client, enterprise, did)

    assert await _who_reads(client, issuer, did) == {"ministry"}


async def _routed(client, issuer, headers, factory_id: str, unit: str, tier="excellence") -> str:
    """Declared, submitted, and routed by the review service to `unit`."""
    did = await _declare(client, headers, factory_id, tier)
    await _submit(client, headers, did)
    await routed(client, issuer, did, unit)
    return did


async def test_routed_through_the_regions_the_chain_reads_it(client, issuer, enterprise):
    did = await _routed(client, issuer, enterprise, FUZHOU_FACTORY, "350000")

    assert await _who_reads(client, issuer, did) == {
        "county 350102", "city 350100", "province 350000", "ministry"
    }  # fmt: skip


async def test_a_central_soe_case_is_its_group_hqs_not_the_regions(client, issuer):
    """The subsidiary's 卓越级 goes to its group HQ (251号 二(二)2), so Fuzhou's county, city
    and province do not read it — and the HQ does, with its PDF and the subsidiary's profile."""
    subsidiary = issuer.headers("enterprise", org=SOE_SUBSIDIARY, region="350105")
    did = await _routed(client, issuer, subsidiary, SOE_FACTORY, f"soe:{SOE_GROUP}")

    assert await _who_reads(client, issuer, did) == {"soe hq", "ministry"}
    hq = _people(issuer)["soe hq"]
    pdf = await client.get(f"/v1/declarations/{did}/versions/1/pdf", headers=hq)
    assert pdf.status_code == 200
    assert (await client.get(f"/v1/enterprises/{SOE_SUBSIDIARY}", headers=hq)).status_code == 200
    county = _people(issuer)["county 350105"]
    refused = await client.get(f"/v1/declarations/{did}/versions/1/pdf", headers=county)
    assert refused.status_code == 404


async def test_a_central_soes_pilot_goes_through_the_province(client, issuer):
    subsidiary = issuer.headers("enterprise", org=SOE_SUBSIDIARY, region="350105")
    did = await _routed(client, issuer, subsidiary, SOE_FACTORY, "350000", tier="pilot")

    assert await _who_reads(client, issuer, did) == {
        "county 350105", "city 350100", "province 350000", "ministry"
    }  # fmt: skip


async def test_an_xpcc_case_is_the_xpccs_not_xinjiangs(client, issuer):
    xpcc_enterprise = issuer.headers("enterprise", org=XPCC_ENTERPRISE, region="659001")
    registered = await client.post(
        "/v1/enterprises",
        json={
            "uscc": XPCC_ENTERPRISE,
            "name": "石河子示范智能制造有限公司",
            "region_code": "659001",
        },
        headers=xpcc_enterprise,
    )
    assert registered.status_code == 201, registered.text
    factory = await client.post(
        f"/v1/enterprises/{XPCC_ENTERPRISE}/factories",
        json={"name": "石河子智能工厂", "region_code": "659001"},
        headers=xpcc_enterprise,
    )
    assert factory.status_code == 201, factory.text
    did = await _declare(client, xpcc_enterprise, factory.json()["id"])
    await _submit(client, xpcc_enterprise, did)
    await routed(client, issuer, did, "xpcc")

    assert await _who_reads(client, issuer, did) == {"xpcc", "ministry"}
    xpcc = _people(issuer)["xpcc"]
    assert (await client.get(f"/v1/enterprises/{XPCC_ENTERPRISE}", headers=xpcc)).status_code == 200
    # The batch read of enterprises reads through the declaration the same way.
    for who, headers in _people(issuer).items():
        one = await client.get(f"/v1/enterprises/{XPCC_ENTERPRISE}", headers=headers)
        batch = await client.get(
            "/v1/enterprises", params={"uscc": [XPCC_ENTERPRISE]}, headers=headers
        )
        assert batch.status_code == 200, batch.text
        assert ([e["uscc"] for e in batch.json()] == [XPCC_ENTERPRISE]) == (
            one.status_code == 200
        ), who


async def test_authorities_see_only_the_evidence_a_submitted_version_lists(
    client, issuer, enterprise
):
    did = await _declare(client, enterprise, FUZHOU_FACTORY)
    first = await client.post(
        f"/v1/declarations/{did}/attachments",
        params={"name": "证明.pdf"},
        content=PDF,
        headers={**enterprise, **_key()},
    )
    await _submit(client, enterprise, did)
    await routed(client, issuer, did, "350000")
    county = _people(issuer)["county 350102"]
    listed = await client.get(f"/v1/declarations/{did}/attachments", headers=county)
    assert [a["id"] for a in listed.json()] == [first.json()["id"]]
    content = f"/v1/declarations/{did}/attachments/{first.json()['id']}/content"
    assert (await client.get(content, headers=county)).status_code == 200


@pytest.mark.parametrize("who", ["county 350102", "province 350000", "ministry"])
async def test_an_authority_neither_runs_nor_overwrites_the_precheck(
    client, issuer, enterprise, who
):
    did = await _declare(client, enterprise, FUZHOU_FACTORY)
    own = await client.post(f"/v1/declarations/{did}/precheck", headers=enterprise)
    assert own.status_code == 200, own.text
    await _submit(client, enterprise, did)
    await routed(client, issuer, did, "350000")
    before = (await client.get(f"/v1/declarations/{did}", headers=enterprise)).json()

    resp = await client.post(f"/v1/declarations/{did}/precheck", headers=_people(issuer)[who])

    assert resp.status_code == 403
    assert resp.json()["error"]["code"] == "not_own_enterprise"
    after = (await client.get(f"/v1/declarations/{did}", headers=enterprise)).json()
    assert after["last_precheck"] == before["last_precheck"]
    assert after["etag"] == before["etag"]
