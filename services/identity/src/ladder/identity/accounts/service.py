"""User accounts of an organisation: invited by its admin, listed, deactivated.

A user is created `invited`, without a password, and mailed an invitation
(`ladder.identity.accounts.invitations`). Deactivation revokes at once: every refresh token of
the user is revoked (`sessions.store.revoke_user`), its unused links stop working, and the
identity service refuses its access tokens (`callers.current_caller`); the other services'
copies of an access token die within its TTL (≤ 15 min).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import Request
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.identity.accounts import invitations, repository
from ladder.identity.accounts.errors import (
    CannotDeactivateSelf,
    NotInvited,
    UserDeactivated,
    UserNotFound,
)
from ladder.identity.accounts.models import OrgRole, User, UserStatus
from ladder.identity.accounts.schemas import (
    AdminCreate,
    Claims,
    Me,
    MeOrganisation,
    MeUser,
    UserBrief,
    UserCreate,
    UserRead,
)
from ladder.identity.audit.record import event, record
from ladder.identity.callers import Caller
from ladder.identity.errors import UsernameTaken
from ladder.identity.organisations.models import Organisation
from ladder.identity.sessions import store
from ladder.identity.settings import Settings
from ladder.identity.tokens import org_claims
from ladder.kit import clock
from ladder.kit.concurrency import locked_for_edit
from ladder.kit.pagination import PageParams

USERNAME_INDEX = "uq_user_account_username"


async def create_invited(
    session: AsyncSession,
    org: Organisation,
    data: AdminCreate,
    *,
    org_role: OrgRole,
    created_by: str,
) -> User:
    """A new `invited` user of `org` (no password yet); 409 `username_taken`, also when
    another request takes the name at the same moment (the unique index decides)."""
    if await repository.username_taken(session, data.username):
        raise UsernameTaken(details={"username": data.username})
    user = User(
        org_id=org.id,
        username=data.username,
        email=data.email,
        display_name=data.display_name,
        org_role=org_role,
        status=UserStatus.invited,
        created_by=created_by,
    )
    session.add(user)
    try:
        await session.flush()
    except IntegrityError as exc:
        if USERNAME_INDEX in str(exc.orig):
            raise UsernameTaken(details={"username": data.username}) from None
        raise
    await session.refresh(user)
    return user


async def invite(
    session: AsyncSession, settings: Settings, request: Request, caller: Caller, data: UserCreate
) -> User:
    """An admin invites a colleague into its own organisation."""
    user = await create_invited(
        session, caller.org, data, org_role=data.org_role, created_by=caller.actor
    )
    await record(session, _audit(request, "user_invited", caller, user))
    await invitations.send(session, settings, user, caller.org)
    return user


async def page(
    session: AsyncSession, caller: Caller, params: PageParams, status: UserStatus | None
) -> tuple[list[User], int]:
    return await repository.page(
        session,
        caller,
        status=status.value if status is not None else None,
        offset=params.offset,
        limit=params.page_size,
    )


async def get(session: AsyncSession, caller: Caller, user_id: uuid.UUID) -> User:
    user = await repository.get_readable(session, caller, user_id)
    if user is None:
        raise UserNotFound(details={"user_id": str(user_id)})
    return user


async def deactivate(
    session: AsyncSession, request: Request, caller: Caller, user_id: uuid.UUID, if_match: str
) -> User:
    """Deactivate a user of the caller's organisation (If-Match): refresh tokens revoked, links
    retired. Not oneself (an organisation always keeps the admin who acts)."""
    await get(session, caller, user_id)
    if user_id == caller.user.id:
        raise CannotDeactivateSelf()
    user = await locked_for_edit(session, User, user_id, if_match)
    if user is None:
        raise UserNotFound(details={"user_id": str(user_id)})
    if user.status == UserStatus.deactivated:
        raise UserDeactivated(details={"user_id": str(user_id)})
    now = clock.now()
    user.status = UserStatus.deactivated
    user.deactivated_by = caller.actor
    user.deactivated_at = now
    user.updated_at = now
    user.bump()
    session.add(user)
    await session.flush()
    revoked = await store.revoke_user(session, user.id, "deactivated")
    await repository.retire_links(session, user.id)
    await record(
        session,
        _audit(request, "user_deactivated", caller, user, details={"revoked_sessions": revoked}),
    )
    return user


async def resend_invitation(
    session: AsyncSession, settings: Settings, caller: Caller, user_id: uuid.UUID
) -> tuple[User, datetime]:
    """A new invitation link for a user who has not accepted one (the older ones stop working)."""
    user = await get(session, caller, user_id)
    if user.status != UserStatus.invited:
        raise NotInvited(details={"user_id": str(user_id), "status": user.status})
    expires_at = await invitations.send(session, settings, user, caller.org)
    return user, expires_at


async def accept_invitation(
    session: AsyncSession, request: Request, token: str, password: str
) -> User:
    user = await invitations.accept(session, token, password)
    await record(
        session,
        event(
            request,
            "invitation_accepted",
            "success",
            subject=user.username,
            user_id=user.id,
            org_id=user.org_id,
        ),
    )
    return user


def _audit(request: Request, name: str, caller: Caller, user: User, details: dict | None = None):
    return event(
        request,
        name,
        "success",
        subject=user.username,
        user_id=user.id,
        org_id=user.org_id,
        details={"by": caller.actor, **(details or {})},
    )


def to_read(user: User) -> UserRead:
    return UserRead(
        id=user.id,
        org_id=user.org_id,
        username=user.username,
        email=user.email,
        display_name=user.display_name,
        org_role=user.org_role,
        status=user.status,
        mfa_enrolled=user.totp_enrolled_at is not None,
        last_sign_in_at=user.last_sign_in_at,
        created_at=user.created_at,
        deactivated_at=user.deactivated_at,
        etag=user.etag,
    )


def to_brief(user: User) -> UserBrief:
    return UserBrief(id=user.id, username=user.username, email=user.email, status=user.status)


def me(caller: Caller) -> Me:
    user, org = caller.user, caller.org
    return Me(
        user=MeUser(
            id=user.id,
            username=user.username,
            email=user.email,
            display_name=user.display_name,
            org_role=user.org_role,
            status=user.status,
            mfa_enrolled=user.totp_enrolled_at is not None,
            last_sign_in_at=user.last_sign_in_at,
        ),
        organisation=MeOrganisation(
            id=org.id,
            kind=org.kind,
            role=org.role,
            name=org.name,
            region=org.region,
            uscc=org.uscc,
            status=org.status,
        ),
        claims=Claims(**org_claims(org)),
    )
