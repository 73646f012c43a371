"""Enrolling TOTP: a seed is handed out (`start`) and kept sealed but pending, and becomes the
account's second factor when a code from it is confirmed (`confirm`), which hands out the
recovery codes once.

Two kinds of caller enrol: a person stopped at sign-in by 403 `mfa_enrolment_required`, who
holds the enrolment token of that answer (proof of the password, 10 minutes, not yet used:
`start` only looks at it, `confirm` uses it up once the code is right, and then completes the
sign-in); and a signed-in person (a bearer token) adding TOTP to an account that does not
require it (an enterprise's).
"""

from __future__ import annotations

from fastapi import Request
from sqlalchemy import delete
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.identity import onetime, passwords
from ladder.identity.accounts.models import Purpose, RecoveryCode, User
from ladder.identity.audit.record import event, record
from ladder.identity.callers import Caller
from ladder.identity.errors import AccountInactive, InvalidCredentials, MfaInvalid
from ladder.identity.keys import KeyRing
from ladder.identity.mfa import totp
from ladder.identity.mfa.errors import (
    EnrolmentCredentialsConflict,
    MfaAlreadyEnrolled,
    MfaEnrolmentNotStarted,
)
from ladder.identity.mfa.schemas import EnrolConfirmed, EnrolStarted
from ladder.identity.organisations.models import Organisation
from ladder.identity.sessions import store
from ladder.identity.settings import Settings
from ladder.identity.signin import limits
from ladder.identity.signin.schemas import CLIENT_ID, TokenPair
from ladder.identity.signin.service import Account, is_active, seed_of, signed_in, success_event
from ladder.kit import clock, sealing
from ladder.kit.errors import Unauthenticated

ENROLMENT = "totp_enrolment"


async def enrolling(
    session: AsyncSession, enrolment_token: str | None, caller: Caller | None
) -> Account:
    """The account being enrolled, its user row locked: the enrolment token's (looked at, not
    used) or the caller's. 410 `link_invalid` for a token unknown, used or expired."""
    if enrolment_token is not None and caller is not None:
        raise EnrolmentCredentialsConflict()
    if enrolment_token is not None:
        user_id = (await onetime.peek(session, Purpose.mfa_enrolment, enrolment_token)).user_id
    elif caller is not None:
        user_id = caller.user.id
    else:
        raise Unauthenticated(
            "需要绑定令牌（登录时获得）或访问令牌",
            "An enrolment token (from sign-in) or a bearer token is required",
        )
    user = await session.get(User, user_id, with_for_update=True, populate_existing=True)
    org = await session.get(Organisation, user.org_id) if user is not None else None
    if user is None or org is None or not is_active(Account(user, org)):
        raise AccountInactive()
    if user.totp_enrolled_at is not None:
        raise MfaAlreadyEnrolled()
    return Account(user, org)


def check_password(account: Account, password: str | None) -> None:
    """A signed-in user binding TOTP proves the password again (401 `invalid_credentials`)."""
    matches, _ = passwords.verify(password or "", account.user.password_hash)
    if password is None or not matches:
        raise InvalidCredentials(details={"field": "password"})


async def start(session: AsyncSession, settings: Settings, account: Account) -> EnrolStarted:
    """A new seed, sealed on the account and pending; it replaces one not yet confirmed."""
    user = account.user
    seed = totp.new_seed()
    user.totp_sealed = sealing.seal(
        settings.sealing_secret.get_secret_value(), totp.SEAL_PURPOSE, seed
    )
    session.add(user)
    await session.flush()
    return EnrolStarted(secret=seed, otpauth_uri=totp.provisioning_uri(seed, user.username))


async def confirm(
    request: Request,
    session: AsyncSession,
    settings: Settings,
    keys: KeyRing,
    account: Account,
    code: str,
    enrolment_token: str | None,
) -> EnrolConfirmed:
    """Check `code` against the pending seed; if right, the seed is the account's second
    factor, ten recovery codes replace any earlier ones, and — with an enrolment token, which
    is used up now — the sign-in is completed. A wrong code changes nothing (the token stays
    usable) but is audited."""
    user = account.user
    if user.totp_sealed is None:
        raise MfaEnrolmentNotStarted()
    seed = seed_of(user, settings)
    now = clock.now()
    step = totp.accepted_step(seed, code, now, user.totp_last_step) if seed else None
    if step is None:
        raise await limits.apart(request, lambda s: _refused(request, s, user))
    if enrolment_token is not None:
        await onetime.consume(session, Purpose.mfa_enrolment, enrolment_token)
    user.totp_enrolled_at = now
    user.totp_last_step = step
    user.bump()
    await session.execute(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user.id))
    codes = totp.new_recovery_codes()
    session.add_all(
        RecoveryCode(user_id=user.id, code_hash=totp.recovery_code_hash(c), created_at=now)
        for c in codes
    )
    await record(session, _event(request, user, "success"))
    if enrolment_token is None:
        session.add(user)
        await session.flush()
        return EnrolConfirmed(recovery_codes=codes)
    amr = "pwd otp"
    signed_in(user)
    session.add(user)
    issued = await store.open_session(
        session, keys, settings, user, account.org, client_id=CLIENT_ID, amr=amr
    )
    await record(session, success_event(request, user.username, user, issued, amr))
    return EnrolConfirmed(recovery_codes=codes, **TokenPair.of(issued, settings).model_dump())


def _event(request: Request, user: User, outcome: str, reason: str | None = None):
    return limits.stamped(
        event(
            request,
            ENROLMENT,
            outcome,
            reason=reason,
            subject=user.username,
            user_id=user.id,
            org_id=user.org_id,
        )
    )


async def _refused(request: Request, session: AsyncSession, user: User) -> MfaInvalid:
    await record(session, _event(request, user, "failure", MfaInvalid.code))
    return MfaInvalid()
