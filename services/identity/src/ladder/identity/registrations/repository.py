"""Every query of registrations. Who may read a registration is one statement (`readable`):
the enterprise organisations whose `parent_id` is the caller's organisation, an authority."""

from __future__ import annotations

import uuid

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from ladder.identity.accounts.models import User
from ladder.identity.callers import Caller
from ladder.identity.organisations.models import Organisation, OrgKind, OrgStatus

LIVE = (OrgStatus.pending, OrgStatus.active)
"""The statuses that hold a USCC (`uq_organisation_enterprise_uscc`)."""


def readable(caller: Caller) -> SelectOfScalar[Organisation]:
    return select(Organisation).where(
        Organisation.kind == OrgKind.enterprise, Organisation.parent_id == caller.org.id
    )


async def active_unit(session: AsyncSession, region: str) -> Organisation | None:
    """The active unit organisation speaking for the unit `region` (the oldest, were there
    two)."""
    return (
        await session.exec(
            select(Organisation)
            .where(
                Organisation.kind == OrgKind.unit,
                Organisation.status == OrgStatus.active,
                Organisation.region == region,
            )
            .order_by(col(Organisation.created_at), col(Organisation.id))
            .limit(1)
        )
    ).first()


async def live_enterprise(session: AsyncSession, uscc: str) -> Organisation | None:
    """The pending or active enterprise organisation of a USCC."""
    return (
        await session.exec(
            select(Organisation).where(
                Organisation.kind == OrgKind.enterprise,
                Organisation.uscc == uscc,
                col(Organisation.status).in_(LIVE),
            )
        )
    ).first()


async def user_by_username(
    session: AsyncSession, username: str, *, for_update: bool = False
) -> User | None:
    stmt = select(User).where(func.lower(User.username) == username.lower())
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.exec(stmt)).first()


async def page(
    session: AsyncSession,
    caller: Caller,
    *,
    status: OrgStatus | None,
    offset: int,
    limit: int,
) -> tuple[list[Organisation], int]:
    stmt = readable(caller)
    if status is not None:
        stmt = stmt.where(Organisation.status == status)
    total = (await session.exec(select(func.count()).select_from(stmt.subquery()))).one()
    rows = await session.exec(
        stmt.order_by(col(Organisation.created_at).desc(), col(Organisation.id))
        .offset(offset)
        .limit(limit)
    )
    return list(rows.all()), total


async def readable_one(
    session: AsyncSession, caller: Caller, registration_id: uuid.UUID, *, for_update: bool = False
) -> Organisation | None:
    """One of the caller's registrations (`for_update`: locked, and refreshed from the row)."""
    stmt = readable(caller).where(Organisation.id == registration_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.exec(stmt)).first()
