"""Filing a registration (no token): the authority comes from the units registry and the
organisations that hold its units; refusals are 4xx with stable codes and write nothing."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, text
from sqlmodel import select

from ladder.identity.accounts.models import User
from ladder.identity.audit.models import AuthEvent
from ladder.identity.organisations.models import Organisation
from ladder.identity.passwords import verify


async def _count(app, model, *where) -> int:
    async with app.state.db.transaction() as session:
        return (await session.exec(select(func.count()).select_from(model).where(*where))).one()


async def test_register_goes_to_the_county(client, identity_app, seeded, form, key) -> None:
    body = form()
    r = await client.post("/v1/registrations", json=body, headers=key())
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["status"] == "pending"
    assert got["uscc"] == body["uscc"] and got["region"] == "350102"
    assert got["authority"]["name"] == "福州市鼓楼区工业和信息化局"
    assert got["authority"]["region"] == "350102"
    assert got["contact_email"] == body["contact_email"]
    assert r.headers["ETag"] == got["etag"]
    assert "password" not in r.text
    async with identity_app.state.db.transaction() as session:
        org = await session.get(Organisation, got["id"])
        assert org is not None
        assert (org.kind, org.role, org.status) == ("enterprise", "enterprise", "pending")
        assert str(org.parent_id) == got["authority"]["id"]
        user = (await session.exec(select(User).where(User.org_id == org.id))).one()
        assert (user.username, user.org_role, user.status) == (body["username"], "admin", "active")
        assert user.display_name == body["display_name"]
        assert verify(body["password"], user.password_hash)[0]
        audit = (
            await session.exec(select(AuthEvent).where(AuthEvent.event == "registration"))
        ).one()
        assert (audit.outcome, audit.user_id, audit.org_id) == ("success", user.id, org.id)
        assert audit.ip == "203.0.113.7"
        assert body["password"] not in str(audit.details)


async def test_lowercase_uscc_is_upper_cased(client, seeded, form, key) -> None:
    body = form()
    r = await client.post(
        "/v1/registrations", json={**body, "uscc": body["uscc"].lower()}, headers=key()
    )
    assert r.status_code == 201, r.text
    assert r.json()["uscc"] == body["uscc"]


async def test_pingtan_goes_to_its_city_level_unit(client, seeded, form, key) -> None:
    """平潭 350128 has no county level: its city-level unit (the 经发局) approves."""
    r = await client.post("/v1/registrations", json=form(region="350128"), headers=key())
    assert r.status_code == 201, r.text
    assert r.json()["authority"]["name"] == "平潭综合实验区经济发展局"
    assert r.json()["authority"]["region"] == "350128"


async def test_an_xpcc_city_goes_to_the_xpcc(client, seeded, form, key) -> None:
    """石河子 659001: the XPCC is the only unit on its path."""
    r = await client.post("/v1/registrations", json=form(region="659001"), headers=key())
    assert r.status_code == 201, r.text
    assert r.json()["authority"]["region"] == "xpcc"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("uscc", "91350102MA2Y00001F"),  # wrong check character
        ("uscc", "91350102MA2Y0001E"),  # 17 characters
        ("contact_email", "not-an-email"),
        ("contact_email", "a@b"),
        ("region", "35010"),
        ("region", "350100"),  # a city's code
        ("username", "x"),
        ("password", "password1"),  # a common password
        ("password", "shortpw"),
    ],
)
async def test_bad_fields_are_422_naming_the_field(
    client, identity_app, seeded, form, key, field, value
) -> None:
    r = await client.post("/v1/registrations", json=form(**{field: value}), headers=key())
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "validation_error"
    fields = [f["field"] for f in error["details"].get("fields", [])]
    assert field in fields or error["details"].get("field") == field
    if field == "password":
        assert value not in r.text
    assert await _count(identity_app, Organisation, Organisation.kind == "enterprise") == 3


async def test_password_equal_to_the_username_is_refused(client, seeded, form, key) -> None:
    r = await client.post(
        "/v1/registrations",
        json=form(username="mycompany2026", password="MyCompany2026"),
        headers=key(),
    )
    assert r.status_code == 422
    assert r.json()["error"]["details"]["problems"] == ["matches_account"]


async def test_no_authority_for_the_region(client, identity_app, seeded, form, key) -> None:
    """仓山 350104 has no unit organisation yet."""
    r = await client.post("/v1/registrations", json=form(region="350104"), headers=key())
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "no_authority"
    assert "350104" in error["message"] and "350104" in error["message_en"]
    assert error["details"] == {"field": "region", "region": "350104", "unit": "350104"}
    assert await _count(identity_app, User) == 14


async def test_an_inactive_unit_is_no_authority(client, identity_app, seeded, form, key) -> None:
    async with identity_app.state.db.transaction() as session:
        await session.exec(
            text("UPDATE identity.organisation SET status = 'deactivated' WHERE region = '350102'")
        )
    r = await client.post("/v1/registrations", json=form(), headers=key())
    assert r.status_code == 422 and r.json()["error"]["code"] == "no_authority"


async def test_duplicate_uscc_is_409(client, seeded, form, key) -> None:
    first = form()
    assert (await client.post("/v1/registrations", json=first, headers=key())).status_code == 201
    again = form(uscc=first["uscc"])
    r = await client.post("/v1/registrations", json=again, headers=key())
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_registered"
    # An approved (seeded, active) enterprise's USCC too.
    r = await client.post("/v1/registrations", json=form(uscc="91350102MA2Y00001E"), headers=key())
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_registered"


async def test_username_taken_case_insensitively(client, identity_app, seeded, form, key) -> None:
    r = await client.post("/v1/registrations", json=form(username="County"), headers=key())
    assert r.status_code == 409 and r.json()["error"]["code"] == "username_taken"
    assert await _count(identity_app, Organisation, Organisation.kind == "enterprise") == 3


async def test_idempotent_replay_answers_the_same(client, identity_app, seeded, form, key) -> None:
    body, headers = form(), key()
    first = await client.post("/v1/registrations", json=body, headers=headers)
    again = await client.post("/v1/registrations", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert first.headers["ETag"] == again.headers["ETag"]
    assert await _count(identity_app, Organisation, Organisation.uscc == body["uscc"]) == 1
    other = await client.post("/v1/registrations", json=form(), headers=headers)
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"


async def test_an_idempotency_key_is_required(client, seeded, form) -> None:
    r = await client.post("/v1/registrations", json=form())
    assert r.status_code == 428 and r.json()["error"]["code"] == "idempotency_key_required"


async def _waiting_on_a_lock(app) -> None:
    """Until a connection of the database waits on a lock (the request's insert on the unique
    index, behind the test's uncommitted row)."""
    for _ in range(200):
        async with app.state.db.engine.connect() as conn:
            waiting = (
                await conn.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                        "AND datname = current_database()"
                    )
                )
            ).scalar_one()
        if waiting:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the registration never waited on the unique index")


@pytest.mark.parametrize("clash", ["uscc", "username"])
async def test_a_race_is_decided_by_the_unique_index(
    client, identity_app, seeded, form, key, clash
) -> None:
    """A registration committed between the checks and the insert: the insert waits on the
    unique index, then fails, and the answer is the same 409 as the check's."""
    body = form()
    async with identity_app.state.db.transaction() as session:
        gulou = (
            await session.exec(select(Organisation).where(Organisation.region == "350102"))
        ).first()
        rival = Organisation(
            kind="enterprise",
            role="enterprise",
            name="抢先注册的企业",
            uscc=body["uscc"] if clash == "uscc" else form()["uscc"],
            region="350102",
            parent_id=gulou.id,
            status="pending",
            created_by="test",
        )
        session.add(rival)
        await session.flush()
        if clash == "username":
            session.add(
                User(
                    org_id=rival.id,
                    username=body["username"].upper(),
                    email="rival@example.com",
                    display_name="rival",
                    org_role="admin",
                    status="active",
                    created_by="test",
                )
            )
            await session.flush()
        request = asyncio.create_task(client.post("/v1/registrations", json=body, headers=key()))
        await _waiting_on_a_lock(identity_app)
    r = await request
    assert r.status_code == 409, r.text
    assert r.json()["error"]["code"] == (
        "already_registered" if clash == "uscc" else "username_taken"
    )
    assert await _count(identity_app, User, User.email == body["contact_email"]) == 0
