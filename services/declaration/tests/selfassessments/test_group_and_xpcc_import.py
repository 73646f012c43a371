"""251号 一(一): central-SOE group HQs organise their group's 基础级 self-assessments and the
XPCC its regions' — both import and read within their own scope, like a province."""

from __future__ import annotations

from self_assessment_data import YEAR, form, row, to_csv, upload, uscc

URL = "/v1/self-assessments"
GROUP = uscc(900, region="110000")  # a central-SOE group HQ in Beijing
OTHER_GROUP = uscc(901, region="110000")
XPCC_REGION = "659001"  # 石河子市


def hq(issuer, group: str = GROUP) -> dict[str, str]:
    return issuer.headers("central_soe_hq", sub=f"hq-{group}", org=group)


def xpcc(issuer) -> dict[str, str]:
    return issuer.headers("province", sub="xpcc-official", region="xpcc")


async def _register(client, issuer, code: str, region: str, group: str | None) -> None:
    body = {"uscc": code, "name": f"企业{code[-4:]}", "region_code": region}
    if group is not None:
        body["central_soe_group"] = group
    owner = issuer.headers("enterprise", sub=f"owner-{code}", org=code, region=region)
    resp = await client.post("/v1/enterprises", json=body, headers=owner)
    assert resp.status_code == 201, resp.text


async def _listed(client, headers) -> set[str]:
    resp = await client.get(f"{URL}?campaign_year={YEAR}", headers=headers)
    assert resp.status_code == 200, resp.text
    return {item["enterprise_uscc"] for item in resp.json()["items"]}


async def test_a_group_hq_imports_its_group_anywhere_and_reads_only_its_group(client, issuer):
    # Group enterprises in Fujian and Shanghai: an HQ's scope is its group, not a region.
    rows = [row(1), row(2, uscc=uscc(2, region="310115"), region="310115")]
    resp = await upload(client, hq(issuer), to_csv(rows))
    assert resp.status_code == 201, resp.text
    record = resp.json()
    assert record["central_soe_group"] == GROUP and record["jurisdiction"] == ""
    assert await _listed(client, hq(issuer)) == {uscc(1), uscc(2, region="310115")}
    assert await _listed(client, hq(issuer, OTHER_GROUP)) == set()
    # The province still reads what is registered in its regions, whoever organised it.
    fujian = issuer.headers("province", sub="fj", region="350000")
    assert uscc(1) in await _listed(client, fujian)
    # The import record: the HQ and the ministry, not another group nor the province.
    path = f"{URL}/imports/{record['id']}"
    assert (await client.get(path, headers=hq(issuer))).status_code == 200
    assert (await client.get(path, headers=issuer.headers("ministry"))).status_code == 200
    assert (await client.get(path, headers=hq(issuer, OTHER_GROUP))).status_code == 404
    assert (await client.get(path, headers=fujian)).status_code == 404
    # One self-assessment: the HQ reads it, another group does not.
    some = (await client.get(f"{URL}?campaign_year={YEAR}", headers=hq(issuer))).json()
    one = f"{URL}/{some['items'][0]['id']}"
    assert (await client.get(one, headers=hq(issuer))).status_code == 200
    assert (await client.get(one, headers=hq(issuer, OTHER_GROUP))).status_code == 404


async def test_a_group_hq_reads_what_its_enterprises_filed_themselves(client, issuer):
    member = uscc(3)
    await _register(client, issuer, member, "350102", GROUP)
    owner = issuer.headers("enterprise", sub=f"owner-{member}", org=member, region="350102")
    filed = await client.post(URL, json=form(), headers={**owner, "Idempotency-Key": "own-form-1"})
    assert filed.status_code in (200, 201), filed.text
    assert await _listed(client, hq(issuer)) == {member}
    assert (await client.get(f"{URL}/{filed.json()['id']}", headers=hq(issuer))).status_code == 200
    assert await _listed(client, hq(issuer, OTHER_GROUP)) == set()


async def test_a_group_hq_may_not_import_another_groups_enterprise(client, issuer):
    theirs, unaffiliated = uscc(4), uscc(5)
    await _register(client, issuer, theirs, "350102", OTHER_GROUP)
    await _register(client, issuer, unaffiliated, "350102", None)
    rows = [row(6), row(4, uscc=theirs), row(5, uscc=unaffiliated)]
    resp = await upload(client, hq(issuer), to_csv(rows))
    assert resp.status_code == 422, resp.text
    errors = resp.json()["error"]["details"]["errors"]
    assert [(e["row"], e["code"]) for e in errors] == [(3, "not_in_group"), (4, "not_in_group")]
    assert OTHER_GROUP in errors[0]["message"]
    assert await _listed(client, hq(issuer)) == set()  # all or nothing


async def test_organisers_do_not_replace_each_others_imports(client, issuer):
    fujian = issuer.headers("province", sub="fj", region="350000")
    assert (await upload(client, hq(issuer), to_csv([row(7)]))).status_code == 201
    by_province = await upload(client, fujian, to_csv([row(7)]))
    assert by_province.status_code == 422
    assert by_province.json()["error"]["details"]["errors"][0]["code"] == "held_elsewhere"
    by_other = await upload(client, hq(issuer, OTHER_GROUP), to_csv([row(7)]))
    assert by_other.status_code == 422
    # The HQ replaces its own.
    again = await upload(client, hq(issuer), to_csv([row(7, cmmm_level="3")]))
    assert again.status_code == 201 and again.json()["written"] == 1


async def test_the_xpcc_imports_and_reads_its_regions_only(client, issuer):
    ours = row(8, uscc=uscc(8, region=XPCC_REGION), region=XPCC_REGION)
    resp = await upload(client, xpcc(issuer), to_csv([ours]))
    assert resp.status_code == 201, resp.text
    assert resp.json()["jurisdiction"] == "6590"
    assert await _listed(client, xpcc(issuer)) == {uscc(8, region=XPCC_REGION)}
    # Not the rest of Xinjiang, and not a region that merely starts like "xp".
    urumqi = row(9, uscc=uscc(9, region="650102"), region="650102")
    outside = await upload(client, xpcc(issuer), to_csv([urumqi]))
    assert outside.status_code == 422
    assert outside.json()["error"]["details"]["errors"][0]["code"] == "outside_jurisdiction"
    assert (await upload(client, issuer.headers("ministry"), to_csv([urumqi]))).status_code == 201
    assert await _listed(client, xpcc(issuer)) == {uscc(8, region=XPCC_REGION)}


async def test_readers_follow_the_units_registry(client, issuer):
    """福州 (3501) does not read 平潭's (350128, a city-level unit of its own, 321号)."""
    pingtan = row(10, uscc=uscc(10, region="350128"), region="350128")
    fuzhou = row(11)
    fujian = issuer.headers("province", sub="fj", region="350000")
    assert (await upload(client, fujian, to_csv([pingtan, fuzhou]))).status_code == 201
    fuzhou_city = issuer.headers("city", sub="fz-city", region="350100")
    pingtan_city = issuer.headers("city", sub="pt-city", region="350128")
    assert await _listed(client, fuzhou_city) == {uscc(11)}
    assert await _listed(client, pingtan_city) == {uscc(10, region="350128")}
    assert uscc(10, region="350128") in await _listed(client, fujian)
