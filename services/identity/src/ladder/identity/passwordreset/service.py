"""Password reset (through a mailed one-time link) and password change (signed in).

A reset request answers the same, and does the same lookup, whether or not an account
matched: nobody learns from it who has an account. A matching account is mailed a link unless
three were issued to it in the last hour; the mail goes out after the token's flush and before
the commit, so a mail that cannot be sent (503 `mail_unavailable`) rolls the token back. A new
link makes the earlier ones stop working (`onetime.issue`).

Completing a reset checks the new password before the token is consumed (a weak password
costs the user nothing), then sets it, unlocks the account and revokes every refresh token of
the user: whoever held a session with the old password loses it. A deactivated account's link
is 410 like a used one; the reset never changes an account's status.

A signed-in user changes their password with the current one. A wrong current password counts
toward the lockout like a failed sign-in: the count is written in a transaction of its own,
because the request's is rolled back by the 401 it answers.
"""

from __future__ import annotations

import asyncio
import math
from datetime import timedelta

from fastapi import Request
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.identity import mail, onetime, passwords
from ladder.identity.accounts.models import Purpose, User, UserStatus
from ladder.identity.audit.models import AuthEvent
from ladder.identity.audit.record import event, record
from ladder.identity.callers import Caller
from ladder.identity.errors import AccountLocked, InvalidCredentials, LinkInvalid
from ladder.identity.passwordreset import repository
from ladder.identity.sessions import store
from ladder.identity.settings import Settings
from ladder.kit import clock
from ladder.kit.db import Database
from ladder.kit.errors import ServiceUnavailable

RESET_PATH = "/password-reset"
"""The portal's page that reads the link's `#token=` and posts it with the new password."""

MAILS_PER_HOUR = 3
"""Reset links issued to one account per hour at most: a stranger typing someone's email
cannot fill their mailbox."""
_HOUR = 3600

REQUESTED = "password_reset_requested"
RESET = "password_reset"
CHANGED = "password_changed"
CHANGE_FAILED = "password_change_failed"


# --- the reset -------------------------------------------------------------------------------


async def request_reset(
    session: AsyncSession, db: Database, request: Request, settings: Settings, identifier: str
) -> None:
    """Mail a reset link to every account `identifier` names (its username, or its email:
    several accounts may share one), within the hourly limit. Returns nothing either way."""
    users = await repository.resettable_users(session, identifier)
    if not users:
        await record(
            session, event(request, REQUESTED, "failure", reason="no_account", subject=identifier)
        )
        return
    for user in users:
        issued = await onetime.sent_since(session, Purpose.password_reset, user.id, _HOUR)
        if issued >= MAILS_PER_HOUR:
            await record(
                session,
                _user_event(
                    request,
                    REQUESTED,
                    user,
                    "failure",
                    reason="rate_limited",
                    details={"mailed": False, "issued_last_hour": issued},
                ),
            )
            continue
        token = await onetime.issue(
            session, Purpose.password_reset, user.id, settings.one_time_link_ttl_seconds
        )
        try:
            await mail.send(settings, _reset_mail(settings, user, token))
        except ServiceUnavailable:
            # The request's transaction is rolled back by this 503: the audit goes apart.
            async with db.transaction() as apart:
                await record(
                    apart,
                    _user_event(
                        request,
                        REQUESTED,
                        user,
                        "failure",
                        reason="mail_unavailable",
                        details={"mailed": False},
                    ),
                )
            raise
        await record(
            session, _user_event(request, REQUESTED, user, "success", details={"mailed": True})
        )


def _reset_mail(settings: Settings, user: User, token: str) -> mail.Mail:
    url = mail.link(settings, RESET_PATH, token)
    minutes = settings.one_time_link_ttl_seconds // 60
    body = (
        f"{user.display_name}，您好：\n\n"
        f"我们收到了重置您 Ladder（智能工厂梯度培育）账号密码的请求，用户名：{user.username}。\n"
        f"请在 {minutes} 分钟内打开以下链接设置新密码（链接仅可使用一次，"
        "设置后该账号的所有登录会话将被注销）：\n\n"
        f"{url}\n\n"
        "如非本人操作，请忽略本邮件，您的密码不会改变。\n\n"
        "---\n\n"
        f"Hello {user.display_name}, someone asked to reset the password of your Ladder account "
        f"{user.username}: open the link above within {minutes} minutes to choose a new one "
        "(it works once; every session of the account is signed out). If it was not you, "
        "ignore this mail: your password stays as it is.\n"
    )
    return mail.Mail(
        to=user.email,
        subject="Ladder 密码重置 · Reset your Ladder password",
        body=body,
        purpose="password_reset",
    )


async def complete_reset(
    session: AsyncSession, request: Request, token: str, password: str
) -> User:
    """Set the password of the user the token names: 410 `link_invalid` for an unknown, used
    or expired token or a deactivated account, 422 for a password the rules refuse (the token
    then stays usable)."""
    row = await onetime.peek(session, Purpose.password_reset, token)
    user = await session.get(User, row.user_id, with_for_update=True, populate_existing=True)
    org = await repository.organisation_of(session, user) if user is not None else None
    if (
        user is None
        or org is None
        or user.status == UserStatus.deactivated
        or org.status not in repository.RESETTABLE_ORGS
    ):
        raise LinkInvalid()
    passwords.check_new(password, username=user.username, email=user.email)
    await onetime.consume(session, Purpose.password_reset, token)
    await _set_password(session, user, password)
    revoked = await store.revoke_user(session, user.id, "password_reset")
    await record(
        session,
        _user_event(request, RESET, user, "success", details={"sessions_revoked": revoked}),
    )
    return user


# --- the change ------------------------------------------------------------------------------


async def change_password(
    session: AsyncSession,
    db: Database,
    request: Request,
    settings: Settings,
    caller: Caller,
    current: str,
    new: str,
) -> User:
    """423 `account_locked` while locked (the current password is not even tried), 401
    `invalid_credentials` for a wrong current password (counted), 422 for a refused new one."""
    user = await session.get(User, caller.user.id, populate_existing=True)
    assert user is not None  # the caller was loaded from it in this request
    _refuse_if_locked(user)
    tried = user.password_hash
    matches, _ = await asyncio.to_thread(passwords.verify, current, tried)
    if not matches:
        await _count_failure(db, request, settings, user)
        raise InvalidCredentials(details={"field": "current_password"})
    passwords.check_new(new, username=user.username, email=user.email)
    # Not locked before the check: a failure's count, written apart, must not wait on us.
    user = await session.get(User, user.id, with_for_update=True, populate_existing=True)
    assert user is not None
    if user.password_hash != tried:
        # Changed by another request since it was checked: that password is no longer current.
        raise InvalidCredentials(details={"field": "current_password"})
    await _set_password(session, user, new)
    revoked = await store.revoke_user(session, user.id, "password_changed")
    await record(
        session,
        _user_event(request, CHANGED, user, "success", details={"sessions_revoked": revoked}),
    )
    return user


def _refuse_if_locked(user: User) -> None:
    now = clock.now()
    if user.locked_until is not None and user.locked_until > now:
        seconds = max(1, math.ceil((user.locked_until - now).total_seconds()))
        raise AccountLocked(
            details={"retry_after_seconds": seconds}, headers={"Retry-After": str(seconds)}
        )


async def _count_failure(db: Database, request: Request, settings: Settings, user: User) -> None:
    """One more failed attempt on the account, committed on its own; at the threshold the
    account is locked for `lockout_seconds`, as after failed sign-ins."""
    async with db.transaction() as apart:
        row = await apart.get(User, user.id, with_for_update=True)
        if row is None:
            return
        row.failed_attempts += 1
        locked = row.failed_attempts >= settings.lockout_threshold
        if locked:
            row.locked_until = clock.now() + timedelta(seconds=settings.lockout_seconds)
        apart.add(row)
        await record(
            apart,
            _user_event(
                request,
                CHANGE_FAILED,
                row,
                "failure",
                reason=InvalidCredentials.code,
                details={"failed_attempts": row.failed_attempts, "locked": locked},
            ),
        )


# --- shared by both --------------------------------------------------------------------------


async def _set_password(session: AsyncSession, user: User, password: str) -> None:
    """The new password's hash; the account unlocked and its failure count cleared."""
    password_hash = await asyncio.to_thread(passwords.hash_password, password)
    now = clock.now()
    user.password_hash = password_hash
    user.password_changed_at = now
    user.failed_attempts = 0
    user.locked_until = None
    user.updated_at = now
    user.bump()
    session.add(user)
    await session.flush()


def _user_event(
    request: Request,
    name: str,
    user: User,
    outcome: str,
    *,
    reason: str | None = None,
    details: dict | None = None,
) -> AuthEvent:
    return event(
        request,
        name,
        outcome,
        reason=reason,
        subject=user.username,
        user_id=user.id,
        org_id=user.org_id,
        details=details,
    )
