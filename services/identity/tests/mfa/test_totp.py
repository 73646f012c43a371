"""TOTP: an official is stopped at the first sign-in until it enrols (enrolment token →
seed → confirmation with a real code → tokens and recovery codes); afterwards every sign-in
asks for a code, a code and a recovery code work once, wrong codes count towards the lockout;
an enterprise user may enrol while signed in."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pyotp
from jose import jwt
from sqlmodel import select

from ladder.identity.accounts.models import RecoveryCode, User
from ladder.identity.audit.models import AuthEvent
from ladder.identity.organisations.models import Organisation
from ladder.identity.sessions.models import RefreshToken
from ladder.identity.tokens import mint, user_claims

PASSWORD = "ladder-demo-2026"  # the seeded demo accounts' dev password


async def _sign_in(client, username="county", **more):
    return await client.post(
        "/v1/sessions", json={"username": username, "password": PASSWORD, **more}
    )


async def _user(app, username) -> User:
    async with app.state.db.transaction() as session:
        return (await session.exec(select(User).where(User.username == username))).one()


def _code(app, secret: str, steps: int = 0) -> str:
    at = app.state.clock.now() + timedelta(seconds=30 * steps)
    return pyotp.TOTP(secret).at(at)


async def _enrolment_token(client, username="county") -> str:
    stopped = await _sign_in(client, username)
    assert stopped.status_code == 403, stopped.text
    assert stopped.json()["error"]["code"] == "mfa_enrolment_required"
    return stopped.json()["error"]["details"]["enrolment_token"]


async def _enrolled(app, client, username="county") -> tuple[str, list[str]]:
    """Enrol `username` through the 403 path: (its seed, its recovery codes)."""
    token = await _enrolment_token(client, username)
    secret = (await client.post("/v1/mfa/totp/enrol", json={"enrolment_token": token})).json()[
        "secret"
    ]
    done = await client.post(
        "/v1/mfa/totp/confirm", json={"enrolment_token": token, "code": _code(app, secret)}
    )
    assert done.status_code == 200, done.text
    return secret, done.json()["recovery_codes"]


async def test_an_official_enrols_totp_before_its_first_token(started):
    async with started() as (app, client):
        stopped = await _sign_in(client)
        assert stopped.status_code == 403, stopped.text
        error = stopped.json()["error"]
        assert error["code"] == "mfa_enrolment_required"
        assert error["details"]["expires_in"] == 600
        assert stopped.headers["Cache-Control"] == "no-store"
        token = error["details"]["enrolment_token"]
        async with app.state.db.transaction() as session:
            assert (await session.exec(select(RefreshToken))).all() == []
        user = await _user(app, "county")
        assert user.failed_attempts == 0  # the password was right

        # The seed, pending; a second call replaces it (the token is only looked at).
        first = await client.post("/v1/mfa/totp/enrol", json={"enrolment_token": token})
        assert first.status_code == 200, first.text
        assert first.headers["Cache-Control"] == "no-store"
        started_ = await client.post("/v1/mfa/totp/enrol", json={"enrolment_token": token})
        secret = started_.json()["secret"]
        assert secret != first.json()["secret"]
        uri = urlparse(started_.json()["otpauth_uri"])
        assert uri.scheme == "otpauth" and uri.netloc == "totp"
        assert parse_qs(uri.query)["secret"] == [secret]
        assert parse_qs(uri.query)["issuer"] == ["Ladder"]
        user = await _user(app, "county")
        assert user.totp_sealed and secret not in user.totp_sealed
        assert user.totp_enrolled_at is None

        # The old seed's code is wrong now; a wrong code leaves the token usable.
        stale = pyotp.TOTP(first.json()["secret"]).at(app.state.clock.now())
        wrong = await client.post(
            "/v1/mfa/totp/confirm", json={"enrolment_token": token, "code": stale}
        )
        assert wrong.status_code == 401
        assert wrong.json()["error"]["code"] == "mfa_invalid"

        done = await client.post(
            "/v1/mfa/totp/confirm", json={"enrolment_token": token, "code": _code(app, secret)}
        )
        assert done.status_code == 200, done.text
        assert done.headers["Cache-Control"] == "no-store"
        body = done.json()
        assert len(body["recovery_codes"]) == 10 and len(set(body["recovery_codes"])) == 10
        assert body["token_type"] == "Bearer" and body["refresh_token"]
        claims = jwt.get_unverified_claims(body["access_token"])
        assert claims["amr"] == ["pwd", "otp"] and claims["role"] == "county"

        user = await _user(app, "county")
        assert user.totp_enrolled_at == app.state.clock.now()
        assert user.totp_last_step == pyotp.TOTP(secret).timecode(app.state.clock.now())
        async with app.state.db.transaction() as session:
            stored = (await session.exec(select(RecoveryCode))).all()
            events = (await session.exec(select(AuthEvent).order_by(AuthEvent.id))).all()
        assert len(stored) == 10
        assert not set(body["recovery_codes"]) & {r.code_hash for r in stored}
        assert [(e.event, e.outcome, e.reason) for e in events] == [
            ("sign_in", "failure", "mfa_enrolment_required"),
            ("totp_enrolment", "failure", "mfa_invalid"),
            ("totp_enrolment", "success", None),
            ("sign_in", "success", None),
        ]

        # The enrolment token is used up.
        again = await client.post(
            "/v1/mfa/totp/confirm", json={"enrolment_token": token, "code": _code(app, secret)}
        )
        assert again.status_code == 410
        assert again.json()["error"]["code"] == "link_invalid"


async def test_after_enrolment_every_sign_in_asks_for_a_code_used_once(started):
    async with started() as (app, client):
        secret, recovery = await _enrolled(app, client)

        missing = await _sign_in(client)
        assert missing.status_code == 401
        assert missing.json()["error"]["code"] == "mfa_required"
        wrong = await _sign_in(
            client, totp="000000" if _code(app, secret) != "000000" else "111111"
        )
        assert wrong.json()["error"]["code"] == "mfa_invalid"
        # The code just used to confirm is spent for its step.
        spent = await _sign_in(client, totp=_code(app, secret))
        assert spent.json()["error"]["code"] == "mfa_invalid"
        assert (await _user(app, "county")).failed_attempts == 2  # wrong codes count

        app.state.clock.advance(seconds=30)
        code = _code(app, secret)
        ok = await _sign_in(client, totp=code)
        assert ok.status_code == 200, ok.text
        assert jwt.get_unverified_claims(ok.json()["access_token"])["amr"] == ["pwd", "otp"]
        assert (await _user(app, "county")).failed_attempts == 0
        replay = await _sign_in(client, totp=code)
        assert replay.status_code == 401
        assert replay.json()["error"]["code"] == "mfa_invalid"

        # A recovery code works once, typed in any case and spacing.
        typed = recovery[3].lower().replace("-", " ")
        assert (await _sign_in(client, recovery_code=typed)).status_code == 200
        reused = await _sign_in(client, recovery_code=recovery[3])
        assert reused.json()["error"]["code"] == "mfa_invalid"
        async with app.state.db.transaction() as session:
            used = (
                await session.exec(select(RecoveryCode).where(RecoveryCode.used_at.is_not(None)))
            ).all()
        assert len(used) == 1


async def test_a_code_is_accepted_one_step_either_side_and_not_further(started):
    async with started() as (app, client):
        secret, _ = await _enrolled(app, client)
        app.state.clock.advance(seconds=120)
        too_old = await _sign_in(client, totp=_code(app, secret, steps=-2))
        assert too_old.json()["error"]["code"] == "mfa_invalid"
        drifted = await _sign_in(client, totp=_code(app, secret, steps=-1))
        assert drifted.status_code == 200, drifted.text
        ahead = await _sign_in(client, totp=_code(app, secret, steps=1))
        assert ahead.status_code == 200
        # Steps only move forward: the current step's code is now older than the last taken.
        current = await _sign_in(client, totp=_code(app, secret))
        assert current.json()["error"]["code"] == "mfa_invalid"


async def test_two_sign_ins_racing_with_one_code_get_one_token(started):
    async with started() as (app, client):
        secret, _ = await _enrolled(app, client)
        app.state.clock.advance(seconds=30)
        code = _code(app, secret)
        answers = await asyncio.gather(*(_sign_in(client, totp=code) for _ in range(2)))
        assert sorted(a.status_code for a in answers) == [200, 401]


async def test_wrong_codes_lock_the_account(started):
    async with started(lockout_threshold=2, lockout_seconds=300) as (app, client):
        await _enrolled(app, client)
        assert (await _sign_in(client, totp="12345x")).status_code == 401
        locked = await _sign_in(client, recovery_code="AAAA-BBBB-CCCC")
        assert locked.status_code == 423
        assert locked.headers["Retry-After"] == "300"


async def test_an_enterprise_user_may_enrol_while_signed_in(started):
    async with started() as (app, client):
        user = await _user(app, "enterprise")
        async with app.state.db.transaction() as session:
            org = await session.get(Organisation, user.org_id)
        access = mint(app.state.keys, app.state.settings, user_claims(user, org), 900)
        bearer = {"Authorization": f"Bearer {access}"}

        # The access token alone does not bind a second factor: the password too.
        bare = await client.post("/v1/mfa/totp/enrol", headers=bearer)
        assert bare.status_code == 401, bare.text
        assert bare.json()["error"]["code"] == "invalid_credentials"
        wrong = await client.post(
            "/v1/mfa/totp/enrol", json={"password": "not-the-password"}, headers=bearer
        )
        assert wrong.status_code == 401
        async with app.state.db.transaction() as session:
            assert (await session.get(User, user.id)).totp_sealed is None  # nothing written
        started_ = await client.post(
            "/v1/mfa/totp/enrol", json={"password": PASSWORD}, headers=bearer
        )
        assert started_.status_code == 200, started_.text
        secret = started_.json()["secret"]
        done = await client.post(
            "/v1/mfa/totp/confirm", json={"code": _code(app, secret)}, headers=bearer
        )
        assert done.status_code == 200, done.text
        assert set(done.json()) == {"recovery_codes"}

        again = await client.post("/v1/mfa/totp/enrol", json={"password": PASSWORD}, headers=bearer)
        assert again.status_code == 409
        assert again.json()["error"]["code"] == "mfa_already_enrolled"
        # Optional for an enterprise, but asked once enrolled.
        asked = await _sign_in(client, "enterprise")
        assert asked.json()["error"]["code"] == "mfa_required"
        app.state.clock.advance(seconds=30)
        assert (await _sign_in(client, "enterprise", totp=_code(app, secret))).status_code == 200


async def test_who_is_enrolling_must_be_clear(started):
    async with started() as (app, client):
        neither = await client.post("/v1/mfa/totp/enrol")
        assert neither.status_code == 401
        assert neither.json()["error"]["code"] == "unauthenticated"

        token = await _enrolment_token(client)
        user = await _user(app, "county")
        async with app.state.db.transaction() as session:
            org = await session.get(Organisation, user.org_id)
        access = mint(app.state.keys, app.state.settings, user_claims(user, org), 900)
        both = await client.post(
            "/v1/mfa/totp/enrol",
            json={"enrolment_token": token},
            headers={"Authorization": f"Bearer {access}"},
        )
        assert both.status_code == 400
        assert both.json()["error"]["code"] == "enrolment_credentials_conflict"

        early = await client.post(
            "/v1/mfa/totp/confirm", json={"enrolment_token": token, "code": "123456"}
        )
        assert early.status_code == 409
        assert early.json()["error"]["code"] == "mfa_enrolment_not_started"

        app.state.clock.advance(seconds=601)
        expired = await client.post("/v1/mfa/totp/enrol", json={"enrolment_token": token})
        assert expired.status_code == 410
        assert expired.json()["error"]["code"] == "link_invalid"
