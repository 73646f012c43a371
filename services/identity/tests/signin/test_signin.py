"""Sign-in with a password: the token pair, one answer for a wrong username and a wrong
password, the lockout per account and the throttle per address (both written although the
answer is a refusal), refresh rotation with family revocation on reuse, logout, and no secret
in the logs."""

from __future__ import annotations

import logging
from datetime import timedelta

from jose import jwt
from sqlmodel import select

from ladder.identity.accounts.models import User, UserStatus
from ladder.identity.audit.models import AuthEvent
from ladder.identity.sessions.models import RefreshToken

PASSWORD = "ladder-demo-2026"  # the seeded demo accounts' dev password


async def _sign_in(client, username="enterprise", password=PASSWORD, **more):
    return await client.post(
        "/v1/sessions", json={"username": username, "password": password, **more}
    )


async def _user(app, username) -> User:
    async with app.state.db.transaction() as session:
        return (await session.exec(select(User).where(User.username == username))).one()


async def _events(app, **where) -> list[AuthEvent]:
    async with app.state.db.transaction() as session:
        query = select(AuthEvent).order_by(AuthEvent.id)
        for name, value in where.items():
            query = query.where(getattr(AuthEvent, name) == value)
        return list((await session.exec(query)).all())


async def test_an_enterprise_user_signs_in_with_a_password(started):
    async with started() as (app, client):
        got = await _sign_in(client, "Enterprise")  # the username is not case-sensitive
        assert got.status_code == 200, got.text
        assert got.headers["Cache-Control"] == "no-store"
        body = got.json()
        assert body["token_type"] == "Bearer"
        assert body["expires_in"] <= 900
        assert body["refresh_expires_in"] == app.state.settings.refresh_token_ttl_seconds
        claims = jwt.get_unverified_claims(body["access_token"])
        user = await _user(app, "enterprise")
        assert claims["sub"] == f"user:{user.id}"
        assert claims["role"] == "enterprise" and claims["org"] == "91350102MA2Y00001E"
        assert claims["amr"] == ["pwd"] and claims["client_id"] == "portal"
        assert user.last_sign_in_at == app.state.clock.now()
        assert user.failed_attempts == 0

        (ok,) = await _events(app, event="sign_in")
        assert ok.outcome == "success" and ok.subject == "Enterprise"
        assert ok.user_id == user.id and ok.ip == "203.0.113.7"
        assert ok.details["amr"] == "pwd"


async def test_a_wrong_password_and_an_unknown_user_get_the_same_answer_and_are_recorded(
    started,
):
    async with started() as (app, client):
        wrong = await _sign_in(client, password="not-the-password")
        unknown = await _sign_in(client, username="nobody-here")
        assert wrong.status_code == unknown.status_code == 401
        assert wrong.json() == unknown.json()
        assert wrong.json()["error"]["code"] == "invalid_credentials"
        assert wrong.headers.get("WWW-Authenticate") == unknown.headers.get("WWW-Authenticate")

        # Written although the request's own transaction rolled back with the refusal.
        assert (await _user(app, "enterprise")).failed_attempts == 1
        failures = await _events(app, event="sign_in", outcome="failure")
        assert [(e.reason, e.subject) for e in failures] == [
            ("invalid_credentials", "enterprise"),
            ("invalid_credentials", "nobody-here"),
        ]
        assert failures[0].user_id is not None and failures[1].user_id is None
        assert all(e.details == {"wrong": "password"} for e in failures)

        # A success resets the count.
        assert (await _sign_in(client)).status_code == 200
        assert (await _user(app, "enterprise")).failed_attempts == 0


async def test_repeated_failures_lock_the_account_for_a_while(started):
    async with started(lockout_threshold=3, lockout_seconds=600) as (app, client):
        clock = app.state.clock
        for _ in range(2):
            assert (await _sign_in(client, password="wrong-password")).status_code == 401
        third = await _sign_in(client, password="wrong-password")
        assert third.status_code == 423, third.text
        assert third.json()["error"]["code"] == "account_locked"
        assert third.headers["Retry-After"] == "600"
        assert third.json()["error"]["details"]["retry_after"] == 600
        user = await _user(app, "enterprise")
        assert user.failed_attempts == 3
        assert user.locked_until == clock.now() + timedelta(seconds=600)

        # Locked: even the right password is refused, with the time left.
        clock.advance(seconds=100)
        locked = await _sign_in(client)
        assert locked.status_code == 423
        assert locked.headers["Retry-After"] == "500"

        # The lock lifts by itself.
        clock.advance(seconds=500)
        assert (await _sign_in(client)).status_code == 200
        user = await _user(app, "enterprise")
        assert user.failed_attempts == 0 and user.locked_until is None

        reasons = [e.reason for e in await _events(app, event="sign_in")]
        assert reasons == [
            "invalid_credentials",
            "invalid_credentials",
            "account_locked",
            "account_locked",
            None,
        ]


async def test_a_lock_that_ran_out_starts_a_new_count(started):
    async with started(lockout_threshold=2, lockout_seconds=60) as (app, client):
        await _sign_in(client, password="wrong-password")
        assert (await _sign_in(client, password="wrong-password")).status_code == 423
        app.state.clock.advance(seconds=61)
        # One wrong password after the lock is the first of a new count, not a new lock.
        assert (await _sign_in(client, password="wrong-password")).status_code == 401
        assert (await _user(app, "enterprise")).failed_attempts == 1


async def test_an_address_with_too_many_wrong_guesses_is_throttled(started, client_at):
    async with started(ip_failure_threshold=3, ip_failure_window_seconds=300) as (app, client):
        clock = app.state.clock
        for name in ("guess-1", "guess-2"):
            assert (await _sign_in(client, username=name)).status_code == 401
        clock.advance(seconds=100)
        assert (await _sign_in(client, username="guess-3")).status_code == 401

        throttled = await _sign_in(client)  # the right password: the address waits first
        assert throttled.status_code == 429, throttled.text
        assert throttled.json()["error"]["code"] == "too_many_attempts"
        # Two guesses leave the window at +300 s: the count is under the threshold then.
        assert throttled.headers["Retry-After"] == "200"
        assert throttled.json()["error"]["details"]["retry_after"] == 200

        async with client_at(app, "198.51.100.9") as elsewhere:
            assert (await _sign_in(elsewhere)).status_code == 200

        clock.advance(seconds=200)
        assert (await _sign_in(client)).status_code == 200
        refused = await _events(app, reason="too_many_attempts")
        assert len(refused) == 1 and refused[0].ip == "203.0.113.7"


async def test_an_inactive_account_is_refused_after_its_password(started):
    async with started() as (app, client):
        async with app.state.db.transaction() as session:
            user = (await session.exec(select(User).where(User.username == "enterprise"))).one()
            user.status = UserStatus.deactivated
            session.add(user)
        wrong = await _sign_in(client, password="wrong-password")
        assert wrong.json()["error"]["code"] == "invalid_credentials"
        right = await _sign_in(client)
        assert right.status_code == 401
        assert right.json()["error"]["code"] == "account_inactive"


async def test_both_a_totp_and_a_recovery_code_is_bad_input(started):
    async with started() as (_app, client):
        got = await _sign_in(client, totp="123456", recovery_code="ABCD-EFGH-JKMN")
        assert got.status_code == 422
        assert got.json()["error"]["code"] == "validation_error"


async def test_dev_mfa_off_lets_an_official_in_without_totp(started):
    async with started(dev_mfa_off=True) as (_app, client):
        got = await _sign_in(client, "county")
        assert got.status_code == 200, got.text
        claims = jwt.get_unverified_claims(got.json()["access_token"])
        assert claims["role"] == "county" and claims["region"] == "350102"


async def _refresh(client, token):
    return await client.post("/v1/sessions/refresh", json={"refresh_token": token})


async def test_refresh_rotates_the_refresh_token(started):
    async with started() as (app, client):
        first = (await _sign_in(client)).json()
        app.state.clock.advance(seconds=60)
        second = await _refresh(client, first["refresh_token"])
        assert second.status_code == 200, second.text
        assert second.headers["Cache-Control"] == "no-store"
        pair = second.json()
        assert pair["refresh_token"] != first["refresh_token"]
        assert set(pair) == set(first)
        old, new = (jwt.get_unverified_claims(t["access_token"]) for t in (first, pair))
        assert old["sid"] == new["sid"] and old["sub"] == new["sub"]
        third = await _refresh(client, pair["refresh_token"])
        assert third.status_code == 200
        assert [e.outcome for e in await _events(app, event="refresh")] == ["success"] * 2


async def test_reusing_a_rotated_refresh_token_revokes_the_whole_family(started):
    async with started() as (app, client):
        first = (await _sign_in(client)).json()["refresh_token"]
        second = (await _refresh(client, first)).json()["refresh_token"]
        newest = (await _refresh(client, second)).json()["refresh_token"]

        replayed = await _refresh(client, first)
        assert replayed.status_code == 401
        assert replayed.json()["error"]["code"] == "invalid_grant"
        # The revocation was committed although the answer was a refusal: the newest token,
        # never used, is dead too.
        after = await _refresh(client, newest)
        assert after.status_code == 401
        assert after.json()["error"]["code"] == "invalid_grant"

        async with app.state.db.transaction() as session:
            rows = (await session.exec(select(RefreshToken))).all()
        assert len(rows) == 3
        assert all(r.revoked_at is not None for r in rows)
        assert {r.revoke_reason for r in rows} == {"reuse_detected"}
        failures = await _events(app, event="refresh", outcome="failure")
        assert [e.details["cause"] for e in failures] == ["reused", "revoked"]


async def test_logout_revokes_the_family_and_an_unknown_token_is_no_error(started):
    async with started() as (app, client):
        pair = (await _sign_in(client)).json()
        rotated = (await _refresh(client, pair["refresh_token"])).json()
        out = await client.post(
            "/v1/sessions/logout", json={"refresh_token": rotated["refresh_token"]}
        )
        assert out.status_code == 204 and out.content == b""
        assert (await _refresh(client, rotated["refresh_token"])).status_code == 401
        unknown = await client.post("/v1/sessions/logout", json={"refresh_token": "no-such"})
        assert unknown.status_code == 204
        async with app.state.db.transaction() as session:
            rows = (await session.exec(select(RefreshToken))).all()
        assert {r.revoke_reason for r in rows} == {"logout"}


async def test_a_deactivated_users_refresh_fails_at_once(started):
    async with started() as (app, client):
        pair = (await _sign_in(client)).json()
        async with app.state.db.transaction() as session:
            user = (await session.exec(select(User).where(User.username == "enterprise"))).one()
            user.status = UserStatus.deactivated
            session.add(user)
        got = await _refresh(client, pair["refresh_token"])
        assert got.status_code == 401
        assert got.json()["error"]["code"] == "invalid_grant"
        async with app.state.db.transaction() as session:
            (row,) = (await session.exec(select(RefreshToken))).all()
        assert row.revoke_reason == "account_inactive"


async def test_no_password_or_token_in_the_log_records(started, caplog):
    async with started(lockout_threshold=2) as (_app, client):
        # The app routes every logger to its own handler: capture beside it, at every level,
        # SQL statements included (their parameters must be hidden).
        logging.getLogger().addHandler(caplog.handler)
        caplog.set_level(logging.DEBUG)
        logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)
        try:
            wrong = "wrong-but-close-ladder-demo-2026"
            await _sign_in(client, password=wrong)
            pair = (await _sign_in(client)).json()
            rotated = (await _refresh(client, pair["refresh_token"])).json()
            await _refresh(client, pair["refresh_token"])  # a replay
            await _sign_in(client, password=wrong)
            await _sign_in(client, password=wrong)  # locked
        finally:
            logging.getLogger().removeHandler(caplog.handler)
            logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    secrets = [
        PASSWORD,
        wrong,
        pair["access_token"],
        pair["refresh_token"],
        rotated["access_token"],
        rotated["refresh_token"],
    ]
    assert len(caplog.records) > 20  # the access log and the SQL were seen
    for record in caplog.records:
        text = record.getMessage() + repr(record.args) + repr(record.__dict__)
        leaked = [s[:12] for s in secrets if s in text]
        assert not leaked, f"{record.name}: {leaked}"
