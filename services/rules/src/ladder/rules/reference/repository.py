"""Every query on reference datasets."""

from __future__ import annotations

import uuid

from sqlalchemy import func, text
from sqlalchemy.orm import aliased
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.rules.reference.kinds import DatasetKind
from ladder.rules.reference.models import ReferenceDataset


def _is_current():
    """True on the row that holds the highest version of its kind and year."""
    other = aliased(ReferenceDataset)
    highest = (
        select(func.max(other.version))
        .where(other.kind == ReferenceDataset.kind, other.year == ReferenceDataset.year)
        .scalar_subquery()
    )
    return (ReferenceDataset.version == highest).label("current")


async def lock_series(session: AsyncSession, kind: DatasetKind, year: int) -> None:
    """Serialise uploads of one kind and year until commit, so versions never collide."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext('rules.reference_dataset'), hashtext(:k))"),
        {"k": f"{kind.value}:{year}"},
    )


async def next_version(session: AsyncSession, kind: DatasetKind, year: int) -> int:
    current = (
        await session.exec(
            select(func.max(ReferenceDataset.version)).where(
                ReferenceDataset.kind == kind.value, ReferenceDataset.year == year
            )
        )
    ).one()
    return (current or 0) + 1


async def get(session: AsyncSession, dataset_id: uuid.UUID) -> tuple[ReferenceDataset, bool] | None:
    row = (
        await session.exec(
            select(ReferenceDataset, _is_current()).where(ReferenceDataset.id == dataset_id)
        )
    ).first()
    return None if row is None else (row[0], row[1])


async def current(session: AsyncSession, kind: DatasetKind, year: int) -> ReferenceDataset | None:
    """The highest version of a kind and year: the one quotas are computed from."""
    return (
        await session.exec(
            select(ReferenceDataset)
            .where(ReferenceDataset.kind == kind.value, ReferenceDataset.year == year)
            .order_by(ReferenceDataset.version.desc())
            .limit(1)
        )
    ).first()


async def page(
    session: AsyncSession,
    *,
    kind: DatasetKind | None,
    year: int | None,
    offset: int,
    limit: int,
) -> tuple[list[tuple[ReferenceDataset, bool]], int]:
    stmt = select(ReferenceDataset, _is_current())
    if kind is not None:
        stmt = stmt.where(ReferenceDataset.kind == kind.value)
    if year is not None:
        stmt = stmt.where(ReferenceDataset.year == year)
    total = (await session.exec(select(func.count()).select_from(stmt.subquery()))).one()
    rows = (
        await session.exec(
            stmt.order_by(
                ReferenceDataset.year.desc(),
                ReferenceDataset.kind,
                ReferenceDataset.version.desc(),
            )
            .offset(offset)
            .limit(limit)
        )
    ).all()
    return [(d, c) for d, c in rows], total
