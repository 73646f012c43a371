"""One-time tokens: invitation links, password-reset links, MFA enrolment steps.

A token is 256 random bits returned once (in a mail's link fragment or an error's details) and
stored as its SHA-256. `consume` marks it used in the caller's transaction, under a row lock, so
two requests racing with the same link see one success and one 410 `link_invalid`.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import func, update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.identity.accounts.models import OneTimeToken, Purpose
from ladder.identity.errors import LinkInvalid
from ladder.identity.secrets import digest, new_token
from ladder.kit import clock


async def issue(
    session: AsyncSession, purpose: Purpose, user_id: uuid.UUID, ttl_seconds: int
) -> str:
    """A new token for `user_id`; earlier unused ones of the same purpose stop working (only
    the newest link of a kind is live)."""
    now = clock.now()
    await session.execute(
        update(OneTimeToken)
        .where(
            OneTimeToken.user_id == user_id,
            OneTimeToken.purpose == purpose.value,
            OneTimeToken.used_at.is_(None),
        )
        .values(used_at=now)
    )
    token = new_token()
    session.add(
        OneTimeToken(
            purpose=purpose.value,
            user_id=user_id,
            token_hash=digest(token),
            expires_at=now + timedelta(seconds=ttl_seconds),
            created_at=now,  # by the kit clock, as `sent_since` counts
        )
    )
    await session.flush()
    return token


async def peek(session: AsyncSession, purpose: Purpose, token: str) -> OneTimeToken:
    """The live token row (not consumed), or 410 `link_invalid`."""
    row = (
        await session.exec(
            select(OneTimeToken)
            .where(OneTimeToken.token_hash == digest(token), OneTimeToken.purpose == purpose.value)
            .with_for_update()
        )
    ).first()
    if row is None or row.used_at is not None or row.expires_at <= clock.now():
        raise LinkInvalid()
    return row


async def consume(session: AsyncSession, purpose: Purpose, token: str) -> uuid.UUID:
    """Use the token once: its user's id, or 410 `link_invalid` (unknown, used, expired or of
    another purpose)."""
    row = await peek(session, purpose, token)
    row.used_at = clock.now()
    session.add(row)
    await session.flush()
    return row.user_id


async def sent_since(
    session: AsyncSession, purpose: Purpose, user_id: uuid.UUID, seconds: int
) -> int:
    """How many tokens of `purpose` were issued to the user in the last `seconds` (mail limits)."""
    since = clock.now() - timedelta(seconds=seconds)
    return (
        await session.exec(
            select(func.count())
            .select_from(OneTimeToken)
            .where(
                OneTimeToken.user_id == user_id,
                OneTimeToken.purpose == purpose.value,
                OneTimeToken.created_at >= since,
            )
        )
    ).one()
