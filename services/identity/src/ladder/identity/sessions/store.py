"""Opening, rotating and revoking sign-in sessions (refresh token families).

A refresh token is returned once and stored as its SHA-256. Using it rotates it: the row is
marked rotated and a new token of the same family issued. Presenting a rotated token again
means two parties hold the family (a theft or a replay): every token of the family is revoked,
and the caller must sign in again (RFC 9700 §4.14.2). Deactivating a user revokes all of
their families at once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.identity.accounts.models import User, UserStatus
from ladder.identity.errors import InvalidGrant
from ladder.identity.keys import KeyRing
from ladder.identity.organisations.models import Organisation, OrgStatus
from ladder.identity.secrets import digest, new_token
from ladder.identity.sessions.models import RefreshToken
from ladder.identity.settings import Settings
from ladder.identity.tokens import mint, user_claims
from ladder.kit import clock


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    expires_in: int
    refresh_token: str
    family_id: uuid.UUID
    user_id: uuid.UUID


class RefreshReused(InvalidGrant):
    """A rotated token presented again: its family is revoked (the same 401 to the caller)."""


async def _issue(
    session: AsyncSession,
    keys: KeyRing,
    settings: Settings,
    user: User,
    org: Organisation,
    *,
    family_id: uuid.UUID,
    client_id: str,
    amr: str,
) -> IssuedTokens:
    refresh = new_token()
    session.add(
        RefreshToken(
            family_id=family_id,
            user_id=user.id,
            client_id=client_id,
            token_hash=digest(refresh),
            amr=amr,
            expires_at=clock.now() + timedelta(seconds=settings.refresh_token_ttl_seconds),
        )
    )
    await session.flush()
    claims = {
        **user_claims(user, org),
        "sid": str(family_id),
        "amr": amr.split(),
        "client_id": client_id,
    }
    ttl = settings.access_token_ttl_seconds
    return IssuedTokens(
        access_token=mint(keys, settings, claims, ttl),
        expires_in=ttl,
        refresh_token=refresh,
        family_id=family_id,
        user_id=user.id,
    )


async def open_session(
    session: AsyncSession,
    keys: KeyRing,
    settings: Settings,
    user: User,
    org: Organisation,
    *,
    client_id: str,
    amr: str,
) -> IssuedTokens:
    """A new family after a successful sign-in."""
    return await _issue(
        session, keys, settings, user, org, family_id=uuid.uuid4(), client_id=client_id, amr=amr
    )


async def rotate(
    session: AsyncSession, keys: KeyRing, settings: Settings, presented: str, *, client_id: str
) -> IssuedTokens:
    """Trade a refresh token for a new pair. Raises `RefreshReused` (family revoked; the caller
    must commit that) or `InvalidGrant`."""
    row = (
        await session.exec(
            select(RefreshToken)
            .where(RefreshToken.token_hash == digest(presented))
            .with_for_update()
        )
    ).first()
    now = clock.now()
    if row is None or row.client_id != client_id:
        raise InvalidGrant(details={"reason": "unknown"})
    if row.revoked_at is not None:
        raise InvalidGrant(details={"reason": "revoked"})
    if row.rotated_at is not None:
        await revoke_family(session, row.family_id, "reuse_detected")
        raise RefreshReused(details={"reason": "reused"})
    if row.expires_at <= now:
        raise InvalidGrant(details={"reason": "expired"})
    user = await session.get(User, row.user_id)
    org = await session.get(Organisation, user.org_id) if user is not None else None
    if (
        user is None
        or org is None
        or user.status != UserStatus.active
        or org.status != OrgStatus.active
    ):
        await revoke_family(session, row.family_id, "account_inactive")
        raise InvalidGrant(details={"reason": "account_inactive"})
    row.rotated_at = now
    session.add(row)
    return await _issue(
        session,
        keys,
        settings,
        user,
        org,
        family_id=row.family_id,
        client_id=client_id,
        amr=row.amr,
    )


async def revoke_family(session: AsyncSession, family_id: uuid.UUID, reason: str) -> int:
    result = await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=clock.now(), revoke_reason=reason)
    )
    return result.rowcount


async def revoke_user(session: AsyncSession, user_id: uuid.UUID, reason: str) -> int:
    """Every live refresh token of the user (deactivation, password reset)."""
    result = await session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=clock.now(), revoke_reason=reason)
    )
    return result.rowcount


async def family_of(session: AsyncSession, presented: str) -> RefreshToken | None:
    return (
        await session.exec(select(RefreshToken).where(RefreshToken.token_hash == digest(presented)))
    ).first()
