"""Invitations: how an account created by an admin gets its first password.

The admin's write creates the user (`invited`, no password) and issues a one-time token; the
mail carrying the link goes out after the flush and before the commit, so a mail that cannot be
sent (503 `mail_unavailable`) rolls the whole write back and the admin can retry. Issuing a new
invitation makes the earlier links stop working (`onetime.issue`). Accepting checks the
password before the token is consumed (a weak password costs the user nothing) and makes the
account active; the link works once (a second use is 410 `link_invalid`).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.identity import mail, onetime, passwords
from ladder.identity.accounts import repository
from ladder.identity.accounts.models import Purpose, User, UserStatus
from ladder.identity.errors import LinkInvalid
from ladder.identity.organisations.models import Organisation, OrgStatus
from ladder.identity.secrets import digest
from ladder.identity.settings import Settings
from ladder.kit import clock

ACCEPT_PATH = "/invitations/accept"


async def send(
    session: AsyncSession, settings: Settings, user: User, org: Organisation
) -> datetime:
    """Issue a new invitation token for `user` and mail its link; when it expires."""
    token = await onetime.issue(
        session, Purpose.invitation, user.id, settings.one_time_link_ttl_seconds
    )
    expires_at = await repository.link_expiry(session, digest(token))
    url = mail.link(settings, ACCEPT_PATH, token)
    await mail.send(
        settings,
        mail.Mail(
            to=user.email,
            subject="Ladder 账号邀请 · Your Ladder account invitation",
            body=_body(user, org, url, settings.one_time_link_ttl_seconds),
            purpose="invitation",
        ),
    )
    return expires_at


def _body(user: User, org: Organisation, url: str, ttl_seconds: int) -> str:
    minutes = ttl_seconds // 60
    return (
        f"{user.display_name}，您好：\n\n"
        f"{org.name} 的 Ladder（智能工厂梯度培育）账号已为您开通，用户名：{user.username}。\n"
        f"请在 {minutes} 分钟内打开以下链接设置密码（链接仅可使用一次）：\n\n"
        f"{url}\n\n"
        "如非本人预期，请忽略本邮件。\n\n"
        "---\n\n"
        f"Hello {user.display_name},\n\n"
        f"An account of {org.name} on Ladder (smart factory cultivation) was opened for you; "
        f"your username is {user.username}.\n"
        f"Open this link within {minutes} minutes to set your password (it works once):\n\n"
        f"{url}\n\n"
        "If you did not expect this mail, ignore it.\n"
    )


async def accept(session: AsyncSession, token: str, password: str) -> User:
    """Set the first password of the invited user the token names; 410 `link_invalid` for an
    unknown, used or expired token (or a user or organisation no longer waiting for it), 422
    for a password the rules refuse — the token then stays usable."""
    row = await onetime.peek(session, Purpose.invitation, token)
    user = await session.get(User, row.user_id, with_for_update=True, populate_existing=True)
    org = await session.get(Organisation, user.org_id) if user is not None else None
    if (
        user is None
        or org is None
        or user.status != UserStatus.invited
        or org.status != OrgStatus.active
    ):
        raise LinkInvalid()
    passwords.check_new(password, username=user.username, email=user.email)
    await onetime.consume(session, Purpose.invitation, token)
    now = clock.now()
    user.password_hash = passwords.hash_password(password)
    user.status = UserStatus.active
    user.password_changed_at = now
    user.failed_attempts = 0
    user.locked_until = None
    user.updated_at = now
    user.bump()
    session.add(user)
    await session.flush()
    return user
