"""A signed-in user changes their password: the current one is required, a wrong one counts
toward the lockout like a failed sign-in (and the count survives the refusal), and the change
ends every session of the account."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from ladder.identity.audit.models import AuthEvent
from ladder.identity.organisations.models import Organisation
from ladder.identity.passwords import verify
from ladder.identity.sessions.models import RefreshToken
from ladder.identity.sessions.store import open_session
from ladder.kit import clock

NEW_PASSWORD = "lanterns over the min river"


async def _change(client, key, headers, current: str, new: str = NEW_PASSWORD, **more):
    return await client.post(
        "/v1/me/password",
        json={"current_password": current, "new_password": new},
        headers={**headers, **key(), **more},
    )


async def _events(app, name: str) -> list[AuthEvent]:
    async with app.state.db.transaction() as session:
        return list(
            (
                await session.exec(
                    select(AuthEvent).where(AuthEvent.event == name).order_by(AuthEvent.id)
                )
            ).all()
        )


async def test_the_password_changes_and_every_session_ends(
    client, identity_app, make_user, bearer, fresh, key, password
) -> None:
    user = await make_user()
    app = identity_app
    async with app.state.db.transaction() as session:
        org = await session.get(Organisation, user.org_id)
        await open_session(
            session, app.state.keys, app.state.settings, user, org, client_id="portal", amr="pwd"
        )

    r = await _change(client, key, await bearer(user), password)

    assert r.status_code == 204, r.text
    assert r.content == b""
    row = await fresh(user)
    assert verify(NEW_PASSWORD, row.password_hash)[0]
    assert not verify(password, row.password_hash)[0]
    assert row.password_changed_at is not None
    async with app.state.db.transaction() as session:
        (refresh,) = (await session.exec(select(RefreshToken))).all()
    assert (refresh.revoke_reason, refresh.revoked_at is not None) == ("password_changed", True)
    (audit,) = await _events(app, "password_changed")
    assert (audit.outcome, audit.user_id, audit.details["sessions_revoked"]) == (
        "success",
        user.id,
        1,
    )


async def test_a_wrong_current_password_is_401_and_counted(
    client, identity_app, make_user, bearer, fresh, key, password
) -> None:
    user = await make_user(failed_attempts=1)

    r = await _change(client, key, await bearer(user), "not my password at all")

    assert r.status_code == 401, r.text
    assert r.json()["error"]["code"] == "invalid_credentials"
    row = await fresh(user)
    assert row.failed_attempts == 2  # written apart: the request's transaction rolled back
    assert row.locked_until is None
    assert verify(password, row.password_hash)[0]
    (audit,) = await _events(identity_app, "password_change_failed")
    assert (audit.outcome, audit.reason, audit.user_id) == (
        "failure",
        "invalid_credentials",
        user.id,
    )
    assert "not my password" not in str(audit.details)


async def test_failures_lock_the_account_and_a_locked_one_is_not_tried(
    client, identity_app, make_user, bearer, fresh, key, password
) -> None:
    threshold = identity_app.state.settings.lockout_threshold
    user = await make_user(failed_attempts=threshold - 1)
    headers = await bearer(user)

    r = await _change(client, key, headers, "still not my password")
    assert r.status_code == 401, r.text
    row = await fresh(user)
    assert row.failed_attempts == threshold
    assert row.locked_until is not None and row.locked_until > clock.now()

    r = await _change(client, key, headers, password)  # the right one, but locked
    assert r.status_code == 423, r.text
    assert r.json()["error"]["code"] == "account_locked"
    assert 0 < int(r.headers["Retry-After"]) <= identity_app.state.settings.lockout_seconds
    assert verify(password, (await fresh(user)).password_hash)[0]


async def test_a_lock_that_ran_out_lets_the_change_through(
    client, make_user, bearer, fresh, key, password
) -> None:
    user = await make_user(failed_attempts=5, locked_until=clock.now() - timedelta(seconds=1))

    r = await _change(client, key, await bearer(user), password)

    assert r.status_code == 204, r.text
    assert (await fresh(user)).failed_attempts == 0


async def test_a_refused_new_password_is_422_and_not_a_failure(
    client, make_user, bearer, fresh, key, password
) -> None:
    user = await make_user()

    r = await _change(client, key, await bearer(user), password, "12345678")

    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert (error["code"], error["details"]["problems"]) == (
        "validation_error",
        ["common_password"],
    )
    row = await fresh(user)
    assert row.failed_attempts == 0
    assert verify(password, row.password_hash)[0]


async def test_a_retried_change_answers_its_first_204(
    client, make_user, bearer, fresh, key, password
) -> None:
    """Not a 401: the retry's current password is the one the first request replaced."""
    user = await make_user()
    headers = {**(await bearer(user)), **key()}
    body = {"current_password": password, "new_password": NEW_PASSWORD}

    first = await client.post("/v1/me/password", json=body, headers=headers)
    retry = await client.post("/v1/me/password", json=body, headers=headers)

    assert (first.status_code, retry.status_code) == (204, 204)
    assert retry.content == b""
    assert (await fresh(user)).failed_attempts == 0


async def test_a_change_needs_a_token_and_a_key(client, make_user, bearer, password) -> None:
    body = {"current_password": password, "new_password": NEW_PASSWORD}
    user = await make_user()

    anonymous = await client.post(
        "/v1/me/password", json=body, headers={"Idempotency-Key": "change-0000001"}
    )
    keyless = await client.post("/v1/me/password", json=body, headers=await bearer(user))

    assert anonymous.status_code == 401, anonymous.text
    assert keyless.status_code == 428, keyless.text
    assert keyless.json()["error"]["code"] == "idempotency_key_required"
