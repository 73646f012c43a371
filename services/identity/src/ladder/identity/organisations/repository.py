"""Every query on organisations. Who may read an organisation: its own users and the users of
the organisation above it, which created (or approves) it (`readable`), used by every list and
every read."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.identity.callers import Caller
from ladder.identity.organisations.models import Organisation, OrgKind, OrgStatus


def readable(caller: Caller) -> ColumnElement[bool]:
    """The caller's own organisation and those whose parent it is."""
    return or_(Organisation.id == caller.org.id, Organisation.parent_id == caller.org.id)


async def children_page(
    session: AsyncSession,
    caller: Caller,
    *,
    kind: str | None,
    status: str | None,
    offset: int,
    limit: int,
) -> tuple[list[Organisation], int]:
    where = [Organisation.parent_id == caller.org.id]
    if kind is not None:
        where.append(Organisation.kind == kind)
    if status is not None:
        where.append(Organisation.status == status)
    total = (await session.exec(select(func.count()).select_from(Organisation).where(*where))).one()
    rows = await session.exec(
        select(Organisation)
        .where(*where)
        .order_by(Organisation.created_at, Organisation.id)
        .offset(offset)
        .limit(limit)
    )
    return list(rows.all()), total


async def get_readable(
    session: AsyncSession, caller: Caller, org_id: uuid.UUID
) -> Organisation | None:
    return (
        await session.exec(select(Organisation).where(Organisation.id == org_id, readable(caller)))
    ).first()


async def lock(session: AsyncSession, org_id: uuid.UUID) -> None:
    """Hold the organisation's row until commit: the organisations it creates are checked for
    twins one request at a time."""
    await session.exec(select(Organisation.id).where(Organisation.id == org_id).with_for_update())


async def live_twin(
    session: AsyncSession, kind: OrgKind, region: str | None, uscc: str | None
) -> Organisation | None:
    """An active organisation standing for the same unit (kind and region) or the same SOE
    group (kind and USCC)."""
    if kind is OrgKind.unit and region is not None:
        same = Organisation.region == region
    elif kind is OrgKind.central_soe_hq and uscc is not None:
        same = Organisation.uscc == uscc
    else:
        return None
    return (
        await session.exec(
            select(Organisation).where(
                Organisation.kind == kind.value, same, Organisation.status == OrgStatus.active
            )
        )
    ).first()
