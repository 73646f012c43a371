"""Password reset through a mailed link, against a real SMTP server the test starts: the
request says nothing about who has an account, the link works once, and a reset unlocks the
account and ends its sessions."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from sqlalchemy import func, update
from sqlmodel import select

from ladder.identity import onetime
from ladder.identity.accounts.models import OneTimeToken, Purpose, User, UserStatus
from ladder.identity.audit.models import AuthEvent
from ladder.identity.organisations.models import Organisation
from ladder.identity.passwords import verify
from ladder.identity.sessions.models import RefreshToken
from ladder.identity.sessions.store import open_session
from ladder.kit import clock
from tools.mailsink import body_of

NEW_PASSWORD = "a quiet harbour at dusk"
_TOKEN = re.compile(r"https://ladder\.example\.cn/password-reset#token=([A-Za-z0-9_-]+)")


def token_in(message) -> str:
    """The token of the reset link in a mail."""
    found = _TOKEN.search(body_of(message))
    assert found, body_of(message)
    return found.group(1)


async def _ask(client, key, who: str):
    return await client.post("/v1/password-resets", json={"username_or_email": who}, headers=key())


async def _complete(client, key, token: str, password: str = NEW_PASSWORD):
    return await client.post(
        "/v1/password-resets/complete",
        json={"token": token, "password": password},
        headers=key(),
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


async def _tokens(app) -> int:
    async with app.state.db.transaction() as session:
        return (await session.exec(select(func.count()).select_from(OneTimeToken))).one()


async def test_a_mailed_link_sets_the_password_once(
    client, identity_app, smtp_sink, make_user, fresh, key, password
) -> None:
    user = await make_user()

    r = await _ask(client, key, user.username)

    assert r.status_code == 202, r.text
    assert r.json() == {}
    (mail,) = smtp_sink.wait_for(1)
    assert mail["To"] == user.email
    assert "密码重置" in mail["Subject"] and "Reset your Ladder password" in mail["Subject"]
    body = body_of(mail)
    assert user.username in body and "仅可使用一次" in body and "works once" in body
    token = token_in(mail)

    r = await _complete(client, key, token)

    assert r.status_code == 204, r.text
    assert r.content == b""
    row = await fresh(user)
    assert not verify(password, row.password_hash)[0]
    assert verify(NEW_PASSWORD, row.password_hash)[0]
    assert row.password_changed_at is not None
    assert row.status == UserStatus.active
    (requested,) = await _events(identity_app, "password_reset_requested")
    assert (requested.outcome, requested.user_id, requested.ip) == (
        "success",
        user.id,
        "203.0.113.7",
    )
    (done,) = await _events(identity_app, "password_reset")
    assert (done.outcome, done.user_id) == ("success", user.id)
    assert token not in str(requested.details) + str(done.details)

    again = await _complete(client, key, token, "another fine password 2")
    assert again.status_code == 410, again.text
    assert again.json()["error"]["code"] == "link_invalid"
    assert verify(NEW_PASSWORD, (await fresh(user)).password_hash)[0]


async def test_the_email_finds_every_account_it_belongs_to(
    client, smtp_sink, make_user, fresh, key
) -> None:
    """Matched case-insensitively; each account gets a link of its own."""
    first = await make_user(username="shared-first", email="Shared.Mailbox@Example.com")
    second = await make_user(username="shared-second", email="shared.mailbox@example.com")

    r = await _ask(client, key, "SHARED.MAILBOX@example.COM")

    assert r.status_code == 202, r.text
    mails = smtp_sink.wait_for(2)
    assert len(mails) == 2
    by_user = {u.username: m for m in mails for u in (first, second) if u.username in body_of(m)}
    assert set(by_user) == {first.username, second.username}
    r = await _complete(client, key, token_in(by_user[second.username]))
    assert r.status_code == 204, r.text
    assert verify(NEW_PASSWORD, (await fresh(second)).password_hash)[0]
    assert not verify(NEW_PASSWORD, (await fresh(first)).password_hash)[0]


async def test_the_username_is_case_insensitive(client, smtp_sink, make_user, key) -> None:
    user = await make_user(username="Wang.Wu")

    r = await _ask(client, key, "wang.wu")

    assert r.status_code == 202, r.text
    (mail,) = smtp_sink.wait_for(1)
    assert mail["To"] == user.email


async def test_an_unknown_account_is_answered_the_same_and_mailed_nothing(
    client, identity_app, smtp_sink, make_user, key
) -> None:
    known = await _ask(client, key, (await make_user()).username)
    smtp_sink.wait_for(1)

    unknown = await _ask(client, key, "nobody@example.com")

    assert (unknown.status_code, unknown.json()) == (known.status_code, known.json())
    assert unknown.headers.keys() == known.headers.keys()
    assert len(smtp_sink.messages) == 1
    audits = await _events(identity_app, "password_reset_requested")
    assert [(a.outcome, a.reason) for a in audits] == [("success", None), ("failure", "no_account")]


async def test_a_deactivated_or_invited_account_is_mailed_nothing(
    client, smtp_sink, make_user, key
) -> None:
    gone = await make_user(status=UserStatus.deactivated)
    invited = await make_user(status=UserStatus.invited, password_hash=None)

    for who in (gone.username, invited.email):
        r = await _ask(client, key, who)
        assert (r.status_code, r.json()) == (202, {})
    assert smtp_sink.messages == []


async def test_three_links_an_hour_and_then_silence(
    client, identity_app, smtp_sink, make_user, key
) -> None:
    user = await make_user()
    for _ in range(3):
        assert (await _ask(client, key, user.username)).status_code == 202
    smtp_sink.wait_for(3)

    fourth = await _ask(client, key, user.username)

    assert (fourth.status_code, fourth.json()) == (202, {})
    assert len(smtp_sink.to(user.email)) == 3
    assert await _tokens(identity_app) == 3
    last = (await _events(identity_app, "password_reset_requested"))[-1]
    assert (last.outcome, last.reason, last.details["mailed"]) == ("failure", "rate_limited", False)


async def test_a_retried_request_mails_no_second_link(client, smtp_sink, make_user, key) -> None:
    user = await make_user()
    headers = key()
    for _ in range(2):
        r = await client.post(
            "/v1/password-resets", json={"username_or_email": user.username}, headers=headers
        )
        assert (r.status_code, r.json()) == (202, {})
    smtp_sink.wait_for(1)
    assert len(smtp_sink.messages) == 1


async def test_a_newer_link_makes_the_older_unusable(
    client, smtp_sink, make_user, fresh, key
) -> None:
    user = await make_user()
    await _ask(client, key, user.username)
    await _ask(client, key, user.username)
    older, newer = (token_in(m) for m in smtp_sink.wait_for(2))

    r = await _complete(client, key, older)
    assert r.status_code == 410, r.text
    assert r.json()["error"]["code"] == "link_invalid"

    assert (await _complete(client, key, newer)).status_code == 204
    assert verify(NEW_PASSWORD, (await fresh(user)).password_hash)[0]


async def test_a_refused_password_leaves_the_link_working(
    client, smtp_sink, make_user, fresh, key, password
) -> None:
    user = await make_user(username="zhao.liu")
    await _ask(client, key, user.username)
    token = token_in(smtp_sink.wait_for(1)[0])

    for weak, problem in [
        ("short", "too_short"),
        ("password123", "common_password"),
        ("ZHAO.LIU", "matches_account"),
    ]:
        r = await _complete(client, key, token, weak)
        assert r.status_code == 422, r.text
        error = r.json()["error"]
        assert error["code"] == "validation_error"
        assert problem in error["details"]["problems"]
    assert verify(password, (await fresh(user)).password_hash)[0]

    assert (await _complete(client, key, token)).status_code == 204


async def test_an_expired_or_made_up_link_is_gone(
    client, identity_app, smtp_sink, make_user, key
) -> None:
    user = await make_user()
    await _ask(client, key, user.username)
    token = token_in(smtp_sink.wait_for(1)[0])
    async with identity_app.state.db.transaction() as session:
        await session.execute(
            update(OneTimeToken).values(expires_at=clock.now() - timedelta(seconds=1))
        )

    for presented in (token, "not-a-token-anyone-was-given"):
        r = await _complete(client, key, presented)
        assert r.status_code == 410, r.text
        assert r.json()["error"]["code"] == "link_invalid"


async def test_a_reset_unlocks_the_account(client, smtp_sink, make_user, fresh, key) -> None:
    user = await make_user(failed_attempts=5, locked_until=clock.now() + timedelta(minutes=10))

    await _ask(client, key, user.username)
    token = token_in(smtp_sink.wait_for(1)[0])
    assert (await _complete(client, key, token)).status_code == 204

    row = await fresh(user)
    assert (row.failed_attempts, row.locked_until) == (0, None)


async def test_a_reset_revokes_every_session(
    client, identity_app, smtp_sink, make_user, key
) -> None:
    user = await make_user()
    app = identity_app
    async with app.state.db.transaction() as session:
        org = await session.get(Organisation, user.org_id)
        for client_id in ("portal", "mobile"):
            await open_session(
                session,
                app.state.keys,
                app.state.settings,
                user,
                org,
                client_id=client_id,
                amr="pwd",
            )

    await _ask(client, key, user.username)
    assert (await _complete(client, key, token_in(smtp_sink.wait_for(1)[0]))).status_code == 204

    async with app.state.db.transaction() as session:
        rows = (await session.exec(select(RefreshToken))).all()
    assert len(rows) == 2
    assert all(r.revoked_at is not None and r.revoke_reason == "password_reset" for r in rows)
    (done,) = await _events(app, "password_reset")
    assert done.details["sessions_revoked"] == 2


async def test_a_deactivated_accounts_link_stays_dead(
    client, identity_app, smtp_sink, make_user, fresh, key, password
) -> None:
    user = await make_user()
    await _ask(client, key, user.username)
    token = token_in(smtp_sink.wait_for(1)[0])
    async with identity_app.state.db.transaction() as session:
        await session.execute(
            update(User).where(User.id == user.id).values(status=UserStatus.deactivated)
        )

    r = await _complete(client, key, token)

    assert r.status_code == 410, r.text
    row = await fresh(user)
    assert row.status == UserStatus.deactivated
    assert verify(password, row.password_hash)[0]


async def test_an_invited_account_stays_invited(
    client, identity_app, make_user, fresh, key
) -> None:
    """A reset sets the password; it never activates an account (the invitation does)."""
    user = await make_user(status=UserStatus.invited, password_hash=None)
    async with identity_app.state.db.transaction() as session:
        token = await onetime.issue(session, Purpose.password_reset, user.id, 600)

    assert (await _complete(client, key, token)).status_code == 204

    row = await fresh(user)
    assert row.status == UserStatus.invited
    assert verify(NEW_PASSWORD, row.password_hash)[0]


async def test_no_link_or_password_in_any_log_line(
    client, smtp_sink, make_user, key, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    user = await make_user()
    await _ask(client, key, user.email)
    token = token_in(smtp_sink.wait_for(1)[0])
    await _complete(client, key, token, "short")
    await _complete(client, key, token)
    await _complete(client, key, token)

    assert caplog.records, "the flow logs something (the mail at least)"
    for record in caplog.records:
        line = record.getMessage() + str(record.args) + str(record.__dict__)
        assert token not in line
        assert NEW_PASSWORD not in line


async def test_a_mail_that_cannot_go_keeps_no_link(mailless_client, key) -> None:
    app = mailless_client.app
    async with app.state.db.transaction() as session:
        user = (await session.exec(select(User).where(User.username == "enterprise"))).one()

    r = await _ask(mailless_client, key, user.username)

    assert r.status_code == 503, r.text
    error = r.json()["error"]
    assert error["details"]["reason"] == "mail_unavailable"
    assert error["message"] and error["message_en"]
    assert await _tokens(app) == 0
    (audit,) = await _events(app, "password_reset_requested")
    assert (audit.outcome, audit.reason, audit.user_id) == ("failure", "mail_unavailable", user.id)


async def test_a_reset_request_needs_an_idempotency_key(client, smtp_sink) -> None:
    r = await client.post("/v1/password-resets", json={"username_or_email": "enterprise"})
    assert r.status_code == 428, r.text
    assert r.json()["error"]["code"] == "idempotency_key_required"
    assert smtp_sink.messages == []


async def test_a_retried_completion_answers_its_first_204(
    client, smtp_sink, make_user, key
) -> None:
    user = await make_user()
    await _ask(client, key, user.username)
    token = token_in(smtp_sink.wait_for(1)[0])
    headers = key()
    body = {"token": token, "password": NEW_PASSWORD}

    first = await client.post("/v1/password-resets/complete", json=body, headers=headers)
    retry = await client.post("/v1/password-resets/complete", json=body, headers=headers)

    assert (first.status_code, retry.status_code) == (204, 204)
    assert retry.content == b""
    assert (await _complete(client, key, token)).status_code == 410
