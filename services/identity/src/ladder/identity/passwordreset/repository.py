"""Every query of password reset."""

from __future__ import annotations

from sqlalchemy import func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.identity.accounts.models import User, UserStatus
from ladder.identity.organisations.models import Organisation, OrgStatus

RESETTABLE_ORGS = (OrgStatus.active, OrgStatus.pending)
"""Organisations whose users may reset a password: active ones, and an enterprise awaiting its
authority (its admin may forget the password before the approval). A deactivated or rejected
organisation's users get no link."""


async def resettable_users(session: AsyncSession, username_or_email: str) -> list[User]:
    """The active users (locked ones included) named by username or email, case-insensitively,
    in a resettable organisation; locked for the rest of the transaction, so two requests for
    one account count its mails one after the other."""
    wanted = username_or_email.lower()
    return list(
        (
            await session.exec(
                select(User)
                .join(Organisation, col(Organisation.id) == col(User.org_id))
                .where(
                    or_(func.lower(User.username) == wanted, func.lower(User.email) == wanted),
                    User.status == UserStatus.active,
                    col(Organisation.status).in_(RESETTABLE_ORGS),
                )
                .order_by(col(User.id))
                .with_for_update(of=User)
            )
        ).all()
    )


async def organisation_of(session: AsyncSession, user: User) -> Organisation | None:
    return await session.get(Organisation, user.org_id)
