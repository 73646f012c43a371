"""Creating official organisations: the level above creates the level below (hierarchy.yaml),
within its jurisdiction by the units registry, with a first admin invited by a real mail."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import func, text
from sqlmodel import select

from ladder.identity.accounts.models import OneTimeToken, User
from ladder.identity.main import create_app
from ladder.identity.organisations.models import Organisation
from ladder.identity.passwords import verify
from ladder.identity.seed import seed
from tools.stack import free_port

PASSWORD = "a long enough passphrase 2026"


def _key() -> dict[str, str]:
    return {"Idempotency-Key": f"test-{uuid.uuid4().hex}"}


def _unit(region: str, name: str, username: str) -> dict:
    return {
        "kind": "unit",
        "name": name,
        "region": region,
        "admin": {
            "username": username,
            "email": f"{username}@example.gov.cn",
            "display_name": f"{name}管理员",
        },
    }


async def test_the_ministry_creates_a_province_whose_admin_accepts_the_invitation(
    api, app, as_user, link_token, smtp_sink
) -> None:
    ministry = await as_user("ministry")
    body = _unit("360000", "江西省工业和信息化厅", "jiangxi-admin")
    headers = {**ministry, **_key()}
    created = await api.post("/v1/organisations", json=body, headers=headers)
    assert created.status_code == 201, created.text
    org = created.json()
    assert (org["kind"], org["role"], org["region"], org["status"]) == (
        "unit",
        "province",
        "360000",
        "active",
    )
    assert org["parent"]["name"] == "工业和信息化部"
    assert org["admin"]["username"] == "jiangxi-admin"
    assert org["admin"]["status"] == "invited"
    assert created.headers["ETag"] == org["etag"]

    # A retry with the same key answers the first 201 and mails nothing more.
    again = await api.post("/v1/organisations", json=body, headers=headers)
    assert (again.status_code, again.json()) == (201, org)
    assert len(smtp_sink.to("jiangxi-admin@example.gov.cn")) == 1
    mail = smtp_sink.to("jiangxi-admin@example.gov.cn")[0]
    assert "Ladder" in mail["Subject"]
    token = link_token("jiangxi-admin@example.gov.cn")

    weak = await api.post("/v1/invitations/accept", json={"token": token, "password": "password"})
    assert weak.status_code == 422, weak.text
    assert "common_password" in weak.json()["error"]["details"]["problems"]
    accepted = await api.post("/v1/invitations/accept", json={"token": token, "password": PASSWORD})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json() == {"username": "jiangxi-admin", "status": "active"}
    reused = await api.post("/v1/invitations/accept", json={"token": token, "password": PASSWORD})
    assert (reused.status_code, reused.json()["error"]["code"]) == (410, "link_invalid")

    async with app.state.db.transaction() as session:
        admin = (await session.exec(select(User).where(User.username == "jiangxi-admin"))).one()
        assert admin.status == "active" and admin.org_role == "admin"
        assert admin.password_changed_at is not None
        assert verify(PASSWORD, admin.password_hash)[0]
    me = await api.get("/v1/me", headers=await as_user("jiangxi-admin"))
    assert me.json()["claims"] == {"role": "province", "org": None, "region": "360000"}


async def test_a_province_creates_a_city_within_it_and_not_one_outside(api, as_user) -> None:
    fujian = await as_user("province")

    async def create(body: dict):
        return await api.post("/v1/organisations", json=body, headers={**fujian, **_key()})

    xiamen = await create(_unit("350200", "厦门市工业和信息化局", "xiamen-admin"))
    assert xiamen.status_code == 201, xiamen.text
    assert (xiamen.json()["role"], xiamen.json()["region"]) == ("city", "350200")

    outside = await create(_unit("360100", "南昌市工业和信息化局", "nanchang-admin"))
    assert outside.status_code == 422, outside.text
    error = outside.json()["error"]
    assert error["code"] == "region_outside_jurisdiction"
    assert error["details"]["reports_to"] == "360000" and error["message_en"]

    # A county under 福州 is 福州's to create, not the province's.
    county = await create(_unit("350104", "福州市仓山区工业和信息化局", "cangshan-admin"))
    assert county.status_code == 422, county.text
    assert county.json()["error"]["details"]["reports_to"] == "350100"

    # 福州 and 平潭 (a special zone at city level, seeded) already have their organisations.
    for region in ("350100", "350128"):
        twin = await create(_unit(region, "重复单位", f"twin-{region}"))
        assert (twin.status_code, twin.json()["error"]["code"]) == (409, "organisation_exists")

    province = await create(_unit("360000", "江西省工业和信息化厅", "jx-by-fujian"))
    assert (province.status_code, province.json()["error"]["code"]) == (
        403,
        "not_allowed_to_create",
    )
    for unknown in ("990000", "no-such-unit"):
        bad = await create(_unit(unknown, "不存在的单位", f"u-{unknown}"))
        assert (bad.status_code, bad.json()["error"]["code"]) == (422, "unknown_unit"), bad.text


async def test_special_zones_and_committees_are_created_by_the_unit_they_report_to(
    api, app, as_user
) -> None:
    """平潭 reports to 福建, not 福州; Shanghai's 管委会 to the municipal commission; 福州's
    高新区经发局 to 福州 (all from the units registry)."""
    fuzhou, shanghai, fujian = (
        await as_user("city"),
        await as_user("province-sh"),
        await as_user("province"),
    )
    async with app.state.db.transaction() as session:
        pingtan = (
            await session.exec(select(Organisation).where(Organisation.region == "350128"))
        ).one()
        pingtan.status = "deactivated"  # make room for a new 平潭 organisation
        session.add(pingtan)

    by_fuzhou = await api.post(
        "/v1/organisations",
        json=_unit("350128", "平潭综合实验区经济发展局", "pt-by-fuzhou"),
        headers={**fuzhou, **_key()},
    )
    assert (by_fuzhou.status_code, by_fuzhou.json()["error"]["code"]) == (
        403,
        "not_allowed_to_create",
    )
    by_fujian = await api.post(
        "/v1/organisations",
        json=_unit("350128", "平潭综合实验区经济发展局", "pt-admin"),
        headers={**fujian, **_key()},
    )
    assert by_fujian.status_code == 201, by_fujian.text
    assert by_fujian.json()["role"] == "city"

    lingang = await api.post(
        "/v1/organisations",
        json=_unit("sh-lingang", "临港新片区管理委员会", "lingang-admin"),
        headers={**shanghai, **_key()},
    )
    assert lingang.status_code == 201, lingang.text
    assert (lingang.json()["role"], lingang.json()["region"]) == ("county", "sh-lingang")

    hitech = await api.post(
        "/v1/organisations",
        json=_unit("fz-hitech", "福州高新区经济发展局", "hitech-admin"),
        headers={**fuzhou, **_key()},
    )
    assert hitech.status_code == 201, hitech.text
    cangshan = await api.post(
        "/v1/organisations",
        json=_unit("350104", "福州市仓山区工业和信息化局", "cangshan-admin"),
        headers={**fuzhou, **_key()},
    )
    assert cangshan.status_code == 201, cangshan.text
    assert cangshan.json()["role"] == "county"


async def test_a_county_cannot_create_a_province_nor_anyone_the_ministry(api, as_user) -> None:
    county = await as_user("county")
    refused = await api.post(
        "/v1/organisations",
        json=_unit("360000", "江西省工业和信息化厅", "jx-by-county"),
        headers={**county, **_key()},
    )
    assert refused.status_code == 403, refused.text
    error = refused.json()["error"]
    assert error["code"] == "not_allowed_to_create"
    assert error["details"]["may_create"] == [] and error["message"]
    ministry = await as_user("ministry")
    second = await api.post(
        "/v1/organisations",
        json={
            "kind": "ministry",
            "name": "另一个部",
            "admin": {
                "username": "ministry-2",
                "email": "m2@example.gov.cn",
                "display_name": "部2",
            },
        },
        headers={**ministry, **_key()},
    )
    assert (second.status_code, second.json()["error"]["code"]) == (403, "not_allowed_to_create")
    city_by_ministry = await api.post(
        "/v1/organisations",
        json=_unit("350200", "厦门市工业和信息化局", "xm-by-ministry"),
        headers={**ministry, **_key()},
    )
    assert city_by_ministry.status_code == 403, city_by_ministry.text


async def test_the_ministry_creates_soe_hqs_and_expert_pools(api, as_user) -> None:
    ministry = await as_user("ministry")
    admin = {"username": "soe2-admin", "email": "a@soe2.example.cn", "display_name": "集团"}
    soe = await api.post(
        "/v1/organisations",
        json={
            "kind": "central_soe_hq",
            "name": "另一中央企业集团",
            "uscc": "91350102ma2y00001e",
            "admin": admin,
        },
        headers={**ministry, **_key()},
    )
    assert soe.status_code == 201, soe.text
    assert (soe.json()["role"], soe.json()["uscc"], soe.json()["region"]) == (
        "central_soe_hq",
        "91350102MA2Y00001E",
        None,
    )
    seeded_group = await api.post(
        "/v1/organisations",
        json={
            "kind": "central_soe_hq",
            "name": "重复集团",
            "uscc": "91110000100000007F",
            "admin": {**admin, "username": "soe3-admin"},
        },
        headers={**ministry, **_key()},
    )
    assert seeded_group.status_code == 409, seeded_group.text
    wrong_check = await api.post(
        "/v1/organisations",
        json={
            "kind": "central_soe_hq",
            "name": "校验位错误集团",
            "uscc": "91110000100000007G",
            "admin": {**admin, "username": "soe4-admin"},
        },
        headers={**ministry, **_key()},
    )
    assert (wrong_check.status_code, wrong_check.json()["error"]["code"]) == (
        422,
        "validation_error",
    )
    pool = await api.post(
        "/v1/organisations",
        json={
            "kind": "expert_pool",
            "name": "领航级评审专家库",
            "admin": {
                "username": "pool-admin",
                "email": "p@experts.example.cn",
                "display_name": "库",
            },
        },
        headers={**ministry, **_key()},
    )
    assert pool.status_code == 201, pool.text
    assert pool.json()["role"] == "expert"


async def test_only_an_admin_creates_and_a_username_is_taken_once(api, as_user) -> None:
    member = await api.post(
        "/v1/organisations",
        json=_unit("360000", "江西省工业和信息化厅", "jx-by-expert"),
        headers={**(await as_user("expert")), **_key()},
    )
    assert member.status_code == 403 and member.json()["error"]["details"]["reason"] == "not_admin"
    taken = await api.post(
        "/v1/organisations",
        json=_unit("360000", "江西省工业和信息化厅", "County"),  # any case: the seeded `county`
        headers={**(await as_user("ministry")), **_key()},
    )
    assert (taken.status_code, taken.json()["error"]["code"]) == (409, "username_taken")
    no_key = await api.post(
        "/v1/organisations",
        json=_unit("360000", "江西省工业和信息化厅", "jx-no-key"),
        headers=await as_user("ministry"),
    )
    assert (no_key.status_code, no_key.json()["error"]["code"]) == (428, "idempotency_key_required")


async def test_two_requests_racing_for_one_username_get_one_201_and_one_409(api, as_user) -> None:
    ministry, fujian = await as_user("ministry"), await as_user("province")
    answers = await asyncio.gather(
        api.post(
            "/v1/organisations",
            json=_unit("360000", "江西省工业和信息化厅", "same-name"),
            headers={**ministry, **_key()},
        ),
        api.post(
            "/v1/organisations",
            json=_unit("350200", "厦门市工业和信息化局", "same-name"),
            headers={**fujian, **_key()},
        ),
    )
    codes = sorted(a.status_code for a in answers)
    assert codes == [201, 409], [a.text for a in answers]
    (lost,) = [a for a in answers if a.status_code == 409]
    assert lost.json()["error"]["code"] == "username_taken"


async def test_smtp_down_is_503_and_nothing_is_written(identity_settings) -> None:
    """A mail that cannot be sent rolls the organisation, its admin, the link and the
    idempotency key back: the admin retries later with the same key."""
    import httpx

    from ladder.identity.accounts.models import User as UserRow
    from ladder.identity.tokens import mint, user_claims

    app = create_app(identity_settings(smtp_port=free_port()))  # nothing listens there
    async with app.router.lifespan_context(app):
        async with app.state.db.transaction() as session:
            await seed(session)
            ministry = (
                await session.exec(select(UserRow).where(UserRow.username == "ministry"))
            ).one()
            org = await session.get(Organisation, ministry.org_id)
        token = mint(app.state.keys, app.state.settings, user_claims(ministry, org), 900)

        async def counts() -> tuple[int, ...]:
            async with app.state.db.transaction() as session:
                return (
                    (await session.exec(select(func.count()).select_from(Organisation))).one(),
                    (await session.exec(select(func.count()).select_from(UserRow))).one(),
                    (await session.exec(select(func.count()).select_from(OneTimeToken))).one(),
                    (
                        await session.execute(text("SELECT count(*) FROM identity.idempotency_key"))
                    ).scalar_one(),
                )

        before = await counts()
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://identity") as api:
            down = await api.post(
                "/v1/organisations",
                json=_unit("360000", "江西省工业和信息化厅", "jx-admin"),
                headers={"Authorization": f"Bearer {token}", **_key()},
            )
        assert down.status_code == 503, down.text
        assert down.json()["error"]["details"]["reason"] == "mail_unavailable"
        assert await counts() == before
