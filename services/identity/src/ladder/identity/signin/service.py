"""Signing in (password, then TOTP or a recovery code where the account has one), refreshing
and logging out.

The checks run in a fixed order, each answer telling no more than the ones before it:

1. the address's throttle (429 `too_many_attempts`),
2. the account's lock (423 `account_locked`),
3. the password (401 `invalid_credentials`, the same for an unknown username — and a hash is
   verified either way, so timing does not tell them apart),
4. the account's and its organisation's status (401 `account_inactive`),
5. the second factor: required for every organisation but an enterprise (unless the dev
   setting `dev_mfa_off`), asked of any account that enrolled. Not enrolled where required:
   403 `mfa_enrolment_required` with a 10-minute enrolment token (`/v1/mfa/totp/enrol`).
   Enrolled: 401 `mfa_required` without a code, 401 `mfa_invalid` for a wrong or used one.

A wrong password or code counts against the account (`limits.count_failure`); the attempt that
reaches `lockout_threshold` is answered 423. Refusals are written apart (`limits.refuse`); a
success is written in the request's transaction. Neither writes a password, code or token
anywhere: the audit holds the username typed, the address and the outcome.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.identity import onetime, passwords
from ladder.identity.accounts.models import Purpose, RecoveryCode, User, UserStatus
from ladder.identity.audit.record import client_ip, event, record
from ladder.identity.errors import (
    AccountInactive,
    InvalidCredentials,
    InvalidGrant,
    MfaEnrolmentRequired,
    MfaInvalid,
    MfaRequired,
)
from ladder.identity.keys import KeyRing
from ladder.identity.mfa import totp
from ladder.identity.organisations.models import Organisation, OrgKind, OrgStatus
from ladder.identity.sessions import store
from ladder.identity.sessions.store import IssuedTokens
from ladder.identity.settings import Settings
from ladder.identity.signin import limits
from ladder.identity.signin.schemas import CLIENT_ID, SignIn
from ladder.kit import clock, sealing

log = logging.getLogger("ladder.identity.signin")

ENROLMENT_TTL_SECONDS = 600
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}  # RFC 6749 §5.1


@dataclass(frozen=True)
class Account:
    user: User
    org: Organisation


async def account_by_username(session: AsyncSession, username: str) -> Account | None:
    user = (
        await session.exec(select(User).where(func.lower(User.username) == username.lower()))
    ).first()
    if user is None:
        return None
    org = await session.get(Organisation, user.org_id)
    return Account(user, org) if org is not None else None


def is_active(account: Account) -> bool:
    return account.user.status == UserStatus.active and account.org.status == OrgStatus.active


def mfa_required(org: Organisation, settings: Settings) -> bool:
    """TOTP is required for every official, expert and ministry account (等保 2.0 三级:
    双因素), optional for an enterprise's."""
    return org.kind != OrgKind.enterprise and not settings.dev_mfa_off


def seed_of(user: User, settings: Settings) -> str | None:
    if user.totp_sealed is None:
        return None
    seed = sealing.unseal(
        settings.sealing_secret.get_secret_value(), totp.SEAL_PURPOSE, user.totp_sealed
    )
    if seed is None:
        log.error("the TOTP seed of user %s does not unseal (sealing secret changed?)", user.id)
    return seed


async def claimed(session: AsyncSession, statement) -> bool:
    """Run a conditional `UPDATE … RETURNING` that claims a one-use thing; whether it matched.

    In a savepoint: an update that waited for a racing transaction and then found its
    condition false still holds the row's lock (PostgreSQL keeps it after the recheck), and
    the refusal that follows writes that row apart — rolling the savepoint back releases it."""
    savepoint = await session.begin_nested()
    # Not synchronised into the session's objects: the caller sets what it claimed.
    statement = statement.execution_options(synchronize_session=False)
    if (await session.execute(statement)).first() is None:
        await savepoint.rollback()
        return False
    await savepoint.commit()
    return True


async def take_step(session: AsyncSession, user: User, step: int) -> bool:
    """Record `step` as the user's last accepted one, unless an attempt racing with this one
    took it (or a later one) first: one conditional update, so a code is used once."""
    taken = await claimed(
        session,
        update(User)
        .where(
            col(User.id) == user.id,
            (col(User.totp_last_step).is_(None)) | (col(User.totp_last_step) < step),
        )
        .values(totp_last_step=step)
        .returning(col(User.id)),
    )
    if taken:
        user.totp_last_step = step
    return taken


async def use_recovery_code(session: AsyncSession, user: User, typed: str) -> bool:
    canonical = totp.canonical_recovery_code(typed)
    if canonical is None:
        return False
    return await claimed(
        session,
        update(RecoveryCode)
        .where(
            col(RecoveryCode.user_id) == user.id,
            col(RecoveryCode.code_hash) == totp.recovery_code_hash(canonical),
            col(RecoveryCode.used_at).is_(None),
        )
        .values(used_at=clock.now())
        .returning(col(RecoveryCode.id)),
    )


def signed_in(user: User, new_hash: str | None = None) -> None:
    """A success: the failure count starts again, the lock (if one ran out) goes."""
    user.failed_attempts = 0
    user.locked_until = None
    user.last_sign_in_at = clock.now()
    if new_hash is not None:
        user.password_hash = new_hash


def success_event(request: Request, subject: str, user: User, issued: IssuedTokens, amr: str):
    return limits.stamped(
        event(
            request,
            limits.SIGN_IN,
            "success",
            subject=subject,
            user_id=user.id,
            org_id=user.org_id,
            client_id=CLIENT_ID,
            details={"amr": amr, "sid": str(issued.family_id)},
        )
    )


async def sign_in(
    request: Request, session: AsyncSession, settings: Settings, keys: KeyRing, data: SignIn
) -> IssuedTokens:
    subject = data.username
    now = clock.now()

    async def refused(error, account: Account | None = None, **kw):
        who = (account.user.id, account.org.id) if account is not None else None
        return await limits.refuse(request, settings, error, subject=subject, who=who, **kw)

    wait = await limits.address_wait(session, settings, client_ip(request), now)
    if wait is not None:
        raise await refused(limits.too_many_attempts(wait))

    account = await account_by_username(session, data.username)
    if account is not None and account.user.locked_until is not None:
        if account.user.locked_until > now:
            raise await refused(limits.account_locked(account.user.locked_until, now), account)

    stored = account.user.password_hash if account is not None else None
    matches, new_hash = await asyncio.to_thread(passwords.verify, data.password, stored)
    if account is None or not matches:
        raise await refused(InvalidCredentials(), account, wrong="password")
    user, org = account.user, account.org

    if not is_active(account):
        raise await refused(AccountInactive(), account)

    amr = "pwd"
    if user.totp_enrolled_at is not None:
        if data.totp is None and data.recovery_code is None:
            raise await refused(MfaRequired(), account)
        if data.totp is not None:
            seed = seed_of(user, settings)
            step = None
            if seed is not None:
                step = totp.accepted_step(seed, data.totp, now, user.totp_last_step)
            if step is None or not await take_step(session, user, step):
                raise await refused(MfaInvalid(), account, wrong="totp")
            amr = "pwd otp"
        else:
            if not await use_recovery_code(session, user, data.recovery_code or ""):
                raise await refused(MfaInvalid(), account, wrong="recovery_code")
            amr = "pwd otp"  # RFC 8176 has no value of its own for a one-use backup code
    elif mfa_required(org, settings):

        async def enrolment(s: AsyncSession) -> MfaEnrolmentRequired:
            token = await onetime.issue(s, Purpose.mfa_enrolment, user.id, ENROLMENT_TTL_SECONDS)
            return MfaEnrolmentRequired(
                details={"enrolment_token": token, "expires_in": ENROLMENT_TTL_SECONDS},
                headers=NO_STORE,
            )

        raise await refused(enrolment, account)

    signed_in(user, new_hash)
    session.add(user)
    issued = await store.open_session(
        session, keys, settings, user, org, client_id=CLIENT_ID, amr=amr
    )
    await record(session, success_event(request, subject, user, issued, amr))
    return issued


async def refresh(
    request: Request, settings: Settings, keys: KeyRing, presented: str
) -> IssuedTokens:
    """Rotate a refresh token, in a transaction of this call's own that commits whatever the
    attempt wrote — the new pair, or the family's revocation when the token was rotated
    before (a replay) or its account is no longer active — before a refusal is raised."""
    refusal: InvalidGrant | None = None
    async with request.app.state.db.transaction() as session:
        try:
            issued = await store.rotate(session, keys, settings, presented, client_id=CLIENT_ID)
        except InvalidGrant as exc:
            refusal = exc
        row = await store.family_of(session, presented)
        await record(
            session,
            limits.stamped(
                event(
                    request,
                    "refresh",
                    "failure" if refusal else "success",
                    reason=refusal.code if refusal else None,
                    user_id=row.user_id if row is not None else None,
                    client_id=CLIENT_ID,
                    details={
                        **({"sid": str(row.family_id)} if row is not None else {}),
                        **({"cause": refusal.details.get("reason")} if refusal else {}),
                    },
                )
            ),
        )
    if refusal is not None:
        raise refusal
    return issued


async def logout(request: Request, session: AsyncSession, presented: str) -> None:
    """Revoke the refresh token's family (the sign-in). An unknown token is no error: the
    answer does not tell which tokens exist."""
    row = await store.family_of(session, presented)
    revoked = 0
    if row is not None:
        revoked = await store.revoke_family(session, row.family_id, "logout")
    await record(
        session,
        limits.stamped(
            event(
                request,
                "logout",
                "success",
                user_id=row.user_id if row is not None else None,
                client_id=CLIENT_ID,
                details={"sid": str(row.family_id), "revoked": revoked} if row is not None else {},
            )
        ),
    )
