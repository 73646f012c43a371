"""Enterprise registration (企业注册): an enterprise files its USCC, name, county and a
contact with its first user; the authority of its county (`authority.py`) approves or rejects
it with a reason. Until approved the organisation is `pending` and its users cannot sign in
(sign-in checks the organisation's status); a rejected USCC may be filed again.

Never half-written: the organisation, its first user and the audit entry are written in the
request's one transaction, which any refusal rolls back."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime

from fastapi import Request
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.identity import passwords
from ladder.identity.accounts.models import OrgRole, User, UserStatus
from ladder.identity.audit.record import event, record
from ladder.identity.callers import Caller
from ladder.identity.errors import AlreadyRegistered, UsernameTaken
from ladder.identity.organisations.models import Organisation, OrgKind, OrgStatus
from ladder.identity.registrations import authority, repository
from ladder.identity.registrations.errors import (
    NotAnAuthority,
    RegistrationDecided,
    RegistrationNotFound,
)
from ladder.identity.registrations.schemas import (
    ORG_STATUS,
    REGISTRATION_STATUS,
    AuthorityRead,
    RegistrationCreate,
    RegistrationRead,
    RegistrationStatus,
)
from ladder.kit import clock
from ladder.kit.auth import Role
from ladder.kit.concurrency import check_if_match

SELF_REGISTERED = "registration"
"""`created_by` of what an enterprise files itself (no account exists yet to name)."""

_UNIQUE_INDEX_ERRORS = {
    "uq_organisation_enterprise_uscc": "uscc",
    "uq_user_account_username": "username",
}


async def register(
    session: AsyncSession, request: Request, data: RegistrationCreate
) -> tuple[Organisation, Organisation]:
    """File a registration: (the pending enterprise organisation, its authority)."""
    passwords.check_new(data.password, username=data.username, email=data.contact_email)
    approver = await authority.organisation_for(session, data.region, data.uscc)
    if await repository.live_enterprise(session, data.uscc) is not None:
        raise AlreadyRegistered(details={"field": "uscc", "uscc": data.uscc})
    refiled = await _refiled_user(session, data)
    password_hash = await asyncio.to_thread(passwords.hash_password, data.password)
    now = clock.now()
    org = Organisation(
        kind=OrgKind.enterprise,
        role=Role.enterprise,
        name=data.name,
        uscc=data.uscc,
        region=data.region,
        parent_id=approver.id,
        status=OrgStatus.pending,
        contact_name=data.contact_name,
        contact_email=data.contact_email,
        contact_phone=data.contact_phone,
        created_by=SELF_REGISTERED,
        created_at=now,
        updated_at=now,
    )
    try:
        async with session.begin_nested():
            session.add(org)
            await session.flush()
            user = _first_user(refiled, org, data, password_hash, now)
            session.add(user)
            await session.flush()
    except IntegrityError as exc:
        # A registration of the same USCC or username committed between our checks and our
        # insert: the unique index decided, and the answer is the same as the check's.
        conflict = _conflict(exc, data)
        if conflict is None:
            raise
        raise conflict from None
    await record(
        session,
        event(
            request,
            "registration",
            "success",
            subject=data.username,
            user_id=user.id,
            org_id=org.id,
            details={"uscc": data.uscc, "region": data.region, "authority_id": str(approver.id)},
        ),
    )
    return org, approver


async def _refiled_user(session: AsyncSession, data: RegistrationCreate) -> User | None:
    """The user of a rejected registration of the same USCC under the username asked for:
    filing again takes it over (it never could sign in: its organisation was never active).
    Any other holder of the username is a 409."""
    holder = await repository.user_by_username(session, data.username, for_update=True)
    if holder is None:
        return None
    org = await session.get(Organisation, holder.org_id)
    if (
        org is not None
        and org.kind == OrgKind.enterprise
        and org.status == OrgStatus.rejected
        and org.uscc == data.uscc
    ):
        return holder
    raise UsernameTaken(details={"field": "username"})


def _first_user(
    refiled: User | None,
    org: Organisation,
    data: RegistrationCreate,
    password_hash: str,
    now: datetime,
) -> User:
    """The enterprise's first user: its admin, active (it signs in once the org is approved)."""
    user = refiled or User(
        id=uuid.uuid4(), username=data.username, created_by=SELF_REGISTERED, created_at=now
    )
    user.org_id = org.id
    user.email = data.contact_email
    user.display_name = data.display_name or data.contact_name
    user.org_role = OrgRole.admin
    user.status = UserStatus.active
    user.password_hash = password_hash
    user.password_changed_at = now
    user.totp_sealed = None
    user.totp_enrolled_at = None
    user.totp_last_step = None
    user.failed_attempts = 0
    user.locked_until = None
    user.updated_at = now
    if refiled is not None:
        refiled.bump()
    return user


def _conflict(exc: IntegrityError, data: RegistrationCreate) -> Exception | None:
    """The 409 a unique index's refusal means (None for any other integrity error: a bug)."""
    which = _UNIQUE_INDEX_ERRORS.get(getattr(exc.orig.__cause__, "constraint_name", None) or "")
    if which == "uscc":
        return AlreadyRegistered(details={"field": "uscc", "uscc": data.uscc})
    if which == "username":
        return UsernameTaken(details={"field": "username"})
    return None


# --- the authority's side ---------------------------------------------------------------------


def require_authority(caller: Caller) -> None:
    if not authority.is_authority(caller):
        raise NotAnAuthority(details={"org_kind": caller.org.kind})


async def list_for(
    session: AsyncSession,
    caller: Caller,
    *,
    status: RegistrationStatus | None,
    offset: int,
    limit: int,
) -> tuple[list[Organisation], int]:
    require_authority(caller)
    return await repository.page(
        session,
        caller,
        status=None if status is None else REGISTRATION_STATUS[status],
        offset=offset,
        limit=limit,
    )


async def get_readable(
    session: AsyncSession, caller: Caller, registration_id: uuid.UUID, *, for_update: bool = False
) -> Organisation:
    org = (
        await repository.readable_one(session, caller, registration_id, for_update=for_update)
        if authority.is_authority(caller)
        else None
    )
    if org is None:
        raise RegistrationNotFound(details={"id": str(registration_id)})
    return org


async def decide(
    session: AsyncSession,
    caller: Caller,
    registration_id: uuid.UUID,
    if_match: str,
    *,
    approve: bool,
    reason: str | None = None,
) -> Organisation:
    """Approve (the organisation becomes active) or reject (with the reason). Under the row's
    lock: a decided registration is 409 whatever ETag is sent (the decision is final), then the
    ETag is compared (412 when someone changed it since it was read)."""
    org = await get_readable(session, caller, registration_id, for_update=True)
    if org.status != OrgStatus.pending:
        raise RegistrationDecided(
            details={"id": str(org.id), "status": ORG_STATUS[OrgStatus(org.status)]}
        )
    check_if_match(if_match, org.etag)
    now = clock.now()
    org.status = OrgStatus.active if approve else OrgStatus.rejected
    org.status_reason = None if approve else reason
    org.decided_by = caller.actor
    org.decided_at = now
    org.updated_at = now
    org.bump()
    await session.flush()
    return org


def to_read(org: Organisation, approver: Organisation) -> RegistrationRead:
    assert org.uscc is not None and org.region is not None and org.created_at is not None
    return RegistrationRead(
        id=org.id,
        status=ORG_STATUS[OrgStatus(org.status)],
        status_reason=org.status_reason,
        uscc=org.uscc,
        name=org.name,
        region=org.region,
        authority=AuthorityRead(id=approver.id, name=approver.name, region=approver.region),
        contact_name=org.contact_name or "",
        contact_email=org.contact_email or "",
        contact_phone=org.contact_phone,
        created_at=org.created_at,
        decided_at=org.decided_at,
        decided_by=org.decided_by,
        etag=org.etag,
    )
