"""Every query on user accounts. Who may read a user: the admins of its organisation
(`readable`), used by every list and every read."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, func, update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.identity.accounts.models import OneTimeToken, User
from ladder.identity.callers import Caller
from ladder.kit import clock


def readable(caller: Caller) -> ColumnElement[bool]:
    """The users a caller may see: those of its own organisation."""
    return User.org_id == caller.org.id


async def page(
    session: AsyncSession, caller: Caller, *, status: str | None, offset: int, limit: int
) -> tuple[list[User], int]:
    where = [readable(caller)]
    if status is not None:
        where.append(User.status == status)
    total = (await session.exec(select(func.count()).select_from(User).where(*where))).one()
    rows = await session.exec(
        select(User).where(*where).order_by(User.created_at, User.id).offset(offset).limit(limit)
    )
    return list(rows.all()), total


async def get_readable(session: AsyncSession, caller: Caller, user_id: uuid.UUID) -> User | None:
    return (await session.exec(select(User).where(User.id == user_id, readable(caller)))).first()


async def username_taken(session: AsyncSession, username: str) -> bool:
    found = await session.exec(
        select(User.id).where(func.lower(User.username) == username.lower()).limit(1)
    )
    return found.first() is not None


async def user_ids_of(session: AsyncSession, org_id: uuid.UUID) -> list[uuid.UUID]:
    return list((await session.exec(select(User.id).where(User.org_id == org_id))).all())


async def retire_links(session: AsyncSession, user_id: uuid.UUID) -> None:
    """Every unused one-time token of the user stops working (a deactivated user's invitation
    or reset link)."""
    await session.execute(
        update(OneTimeToken)
        .where(OneTimeToken.user_id == user_id, OneTimeToken.used_at.is_(None))
        .values(used_at=clock.now())
    )


async def link_expiry(session: AsyncSession, token_hash: str):
    return (
        await session.exec(
            select(OneTimeToken.expires_at).where(OneTimeToken.token_hash == token_hash)
        )
    ).one()
