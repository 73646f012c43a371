"""Machine clients: created by an authority's admin with its jurisdiction and scopes, the secret
shown once; tokens from `/oauth/token` carry the organisation's claims; a rotated secret works
during the overlap and not after; a revoked client is refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from jose import jwt
from sqlmodel import select

from ladder.contracts.identity import CLIENT_REVOKED, ClientRevoked
from ladder.identity.accounts.models import User
from ladder.identity.audit.models import AuthEvent
from ladder.identity.clients.models import ClientSecret
from ladder.identity.organisations.models import Organisation
from ladder.identity.seed import seed
from ladder.identity.tables import OUTBOX
from ladder.identity.tokens import mint, user_claims
from ladder.kit.clock import FrozenClock

START = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


@pytest.fixture
async def people(identity_app):
    """Bearer headers of demo users by username (the seeded accounts)."""
    app = identity_app
    app.state.clock = FrozenClock(START)
    async with app.state.db.transaction() as session:
        await seed(session)
    headers = {}
    async with app.state.db.transaction() as session:
        for user in (await session.exec(select(User))).all():
            org = await session.get(Organisation, user.org_id)
            token = mint(app.state.keys, app.state.settings, user_claims(user, org), 900)
            headers[user.username] = {"Authorization": f"Bearer {token}"}
    return headers


async def _create(client, who, key="create-client-1", **body):
    body = {"name": "福建省工信厅申报对接系统", "scopes": ["review:read", "review:write"], **body}
    return await client.post("/v1/clients", json=body, headers={**who, "Idempotency-Key": key})


def _claims(identity_app, token: str) -> dict:
    return jwt.get_unverified_claims(token)


async def _token(client, client_id, secret, **form):
    return await client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", **form},
        auth=(client_id, secret),
    )


async def test_a_province_creates_a_client_whose_tokens_carry_its_jurisdiction(
    client, people, identity_app
):
    created = await _create(client, people["province"])
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["client_secret"] and body["scopes"] == ["review:read", "review:write"]
    assert body["organisation"]["role"] == "province"
    assert body["organisation"]["region"] == "350000"
    assert created.headers["ETag"] == body["etag"]

    replay = await _create(client, people["province"])
    assert replay.status_code == 201
    assert replay.json()["client_secret"] is None  # shown once
    assert replay.json()["client_id"] == body["client_id"]

    got = await _token(client, body["client_id"], body["client_secret"])
    assert got.status_code == 200, got.text
    assert got.headers["Cache-Control"] == "no-store"
    answer = got.json()
    assert answer["token_type"] == "Bearer" and answer["expires_in"] <= 900
    assert answer["scope"] == "review:read review:write"
    claims = _claims(identity_app, answer["access_token"])
    assert claims["sub"] == f"client:{body['client_id']}"
    assert (claims["role"], claims["region"]) == ("province", "350000")
    assert claims["scope"] == "review:read review:write"

    # Narrower scopes on request; a scope the client lacks is invalid_scope.
    narrow = await _token(client, body["client_id"], body["client_secret"], scope="review:read")
    assert narrow.json()["scope"] == "review:read"
    wider = await _token(
        client, body["client_id"], body["client_secret"], scope="declaration:write"
    )
    assert wider.status_code == 400 and wider.json()["error"] == "invalid_scope"

    # The secret is stored as a hash only.
    async with identity_app.state.db.transaction() as session:
        stored = (await session.exec(select(ClientSecret))).all()
        assert all(body["client_secret"] not in s.secret_hash for s in stored)


async def test_client_secret_post_works_and_wrong_credentials_are_invalid_client(client, people):
    body = (await _create(client, people["province"])).json()
    post = await client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": body["client_id"],
            "client_secret": body["client_secret"],
        },
    )
    assert post.status_code == 200, post.text

    wrong = await _token(client, body["client_id"], "not-the-secret")
    assert wrong.status_code == 401
    error = wrong.json()
    assert error["error"] == "invalid_client" and error["code"] == "invalid_client"
    assert error["message"] and error["message_en"]
    assert wrong.headers["WWW-Authenticate"].startswith("Basic")

    unknown = await _token(client, "lc_nobody", "x")
    assert unknown.status_code == 401 and unknown.json()["error"] == "invalid_client"
    # An unknown client and a wrong secret are told the same (no client-id oracle).
    assert unknown.json() == wrong.json()
    assert unknown.headers["WWW-Authenticate"] == wrong.headers["WWW-Authenticate"]

    grant = await client.post(
        "/oauth/token", data={"grant_type": "password"}, auth=(body["client_id"], "x")
    )
    assert grant.status_code == 400 and grant.json()["error"] == "unsupported_grant_type"

    not_form = await client.post("/oauth/token", json={"grant_type": "client_credentials"})
    assert not_form.status_code == 400 and not_form.json()["error"] == "invalid_request"


async def test_a_rotated_secret_works_during_the_overlap_and_not_after(
    client, people, identity_app
):
    created = (await _create(client, people["province"])).json()
    old = created["client_secret"]
    rotate = "/v1/clients/" + created["client_id"] + "/secrets"
    assert (
        await client.post(rotate, json={"overlap_seconds": 600}, headers=people["province"])
    ).status_code == 428
    stale = await client.post(
        rotate,
        json={"overlap_seconds": 600},
        headers={**people["province"], "If-Match": 'W/"client-x-v9"'},
    )
    assert stale.status_code == 412
    rotated = await client.post(
        rotate,
        json={"overlap_seconds": 600},
        headers={**people["province"], "If-Match": created["etag"]},
    )
    assert rotated.status_code == 201, rotated.text
    new = rotated.json()["client_secret"]
    assert new != old
    assert rotated.json()["previous_valid_until"].startswith("2026-12-06T09:10:00"), rotated.json()

    assert (await _token(client, created["client_id"], old)).status_code == 200
    assert (await _token(client, created["client_id"], new)).status_code == 200
    one = await client.get(f"/v1/clients/{created['client_id']}", headers=people["province"])
    assert one.json()["secrets_valid"] == 2

    identity_app.state.clock.advance(seconds=601)
    assert (await _token(client, created["client_id"], old)).status_code == 401
    assert (await _token(client, created["client_id"], new)).status_code == 200


async def test_a_revoked_client_is_refused(client, people, identity_app):
    created = (await _create(client, people["province"])).json()
    revoked = await client.post(
        f"/v1/clients/{created['client_id']}/revoke",
        headers={**people["province"], "If-Match": created["etag"]},
    )
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    # The other services are told in the same transaction (the review service disables the
    # client's webhook subscriptions).
    async with identity_app.state.db.transaction() as session:
        rows = (await session.execute(select(OUTBOX))).mappings().all()
    [event] = [r for r in rows if r["topic"] == CLIENT_REVOKED]
    assert event["destination"] == "review"
    told = ClientRevoked.model_validate(event["payload"])
    assert (told.client_id, told.subject) == (
        created["client_id"],
        f"client:{created['client_id']}",
    )
    refused = await _token(client, created["client_id"], created["client_secret"])
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"
    again = await client.post(
        f"/v1/clients/{created['client_id']}/revoke",
        headers={**people["province"], "If-Match": revoked.json()["etag"]},
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "client_revoked"


async def test_clients_are_the_organisations_own(client, people):
    created = (await _create(client, people["province"])).json()
    other = await client.get(f"/v1/clients/{created['client_id']}", headers=people["province-sh"])
    assert other.status_code == 404
    assert other.json()["error"]["code"] == "client_not_found"
    mine = await client.get("/v1/clients", headers=people["province"])
    assert [c["client_id"] for c in mine.json()["items"]] == [created["client_id"]]
    assert (await client.get("/v1/clients", headers=people["province-sh"])).json()["total"] == 0

    enterprise = await _create(client, people["enterprise"], key="create-client-ent")
    assert enterprise.status_code == 403
    assert enterprise.json()["error"]["code"] == "may_not_have_clients"
    member = await _create(client, people["expert"], key="create-client-exp")
    assert member.status_code == 403  # an expert is a member, not an admin

    bad_scope = await _create(client, people["province"], key="create-client-bad", scopes=["x"])
    assert bad_scope.status_code == 422


async def test_token_requests_are_audited_without_secrets(client, people, identity_app):
    created = (await _create(client, people["province"])).json()
    await _token(client, created["client_id"], created["client_secret"])
    await _token(client, created["client_id"], "wrong-secret-value")
    async with identity_app.state.db.transaction() as session:
        rows = (
            await session.exec(select(AuthEvent).where(AuthEvent.event == "client_token"))
        ).all()
    assert sorted(r.outcome for r in rows) == ["failure", "success"]
    text = repr([r.model_dump() for r in rows])
    assert created["client_secret"] not in text and "wrong-secret-value" not in text
