"""Every query on the register of recognised tiers (认定记录)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, String, and_, cast, delete, false, func, literal, or_, true
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.declaration.enterprises.models import Enterprise
from ladder.declaration.recognitions.models import Recognition, RecognitionImport
from ladder.declaration.recognitions.standing import PUBLIC_SOURCES, SELF
from ladder.declaration.selfassessments.models import SelfAssessment
from ladder.kit.auth import Principal, Role

_T = Recognition.__table__


async def record(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Insert unless the factory already holds the tier for that year; True if inserted."""
    row = (
        await session.execute(
            insert(_T)
            .values(id=uuid.uuid4(), **values)
            .on_conflict_do_nothing(
                index_elements=["enterprise_uscc", "factory_name", "tier", "year"]
            )
            .returning(_T.c.id)
        )
    ).first()
    return row is not None


async def record_many(session: AsyncSession, rows: list[dict[str, Any]]) -> int:
    """Insert each that is not held yet; the number inserted."""
    if not rows:
        return 0
    result = await session.execute(
        insert(_T)
        .values([{"id": uuid.uuid4(), **r} for r in rows])
        .on_conflict_do_nothing(index_elements=["enterprise_uscc", "factory_name", "tier", "year"])
        .returning(_T.c.id)
    )
    return len(result.all())


async def forget_self_assessed(
    session: AsyncSession, uscc: str, factory_name: str, year: int
) -> None:
    """A year's self-assessment replaced by one not eligible: its 基础级 entry goes."""
    await session.execute(
        delete(_T).where(
            _T.c.enterprise_uscc == uscc,
            _T.c.factory_name == factory_name,
            _T.c.year == year,
            _T.c.tier == "basic",
            _T.c.source_kind == "self_assessment",
        )
    )


async def of_factory(
    session: AsyncSession, uscc: str, factory_id: uuid.UUID, factory_name: str
) -> list[Recognition]:
    """The factory's entries: kept for this factory, or naming it (or the whole enterprise)."""
    rows = await session.exec(
        select(Recognition)
        .where(
            Recognition.enterprise_uscc == uscc,
            or_(
                Recognition.factory_id == factory_id,
                Recognition.factory_name.in_([factory_name.strip(), ""]),  # type: ignore[attr-defined]
            ),
        )
        .order_by(Recognition.year, Recognition.tier)
    )
    return list(rows.all())


def readable_by(reader: Principal | None) -> ColumnElement[bool]:
    """Who reads which entries: everyone the public ones (名单); an enterprise its own; an
    authority every entry of the regions it covers, a central-SOE group HQ those of its
    group's enterprises; services all."""
    public = Recognition.source_kind.in_(PUBLIC_SOURCES)  # type: ignore[attr-defined]
    if reader is None:
        return public
    if reader.role is Role.service:
        return true()
    if reader.role is Role.enterprise:
        own = Recognition.enterprise_uscc == (reader.org or "").upper()
        return or_(public, own)
    if reader.role is Role.central_soe_hq:
        group = select(Enterprise.uscc).where(Enterprise.central_soe_group == reader.org)
        return or_(public, Recognition.enterprise_uscc.in_(group))  # type: ignore[attr-defined]
    prefix = reader.region_prefix()
    if prefix is None:
        return public
    return or_(public, Recognition.region_code.startswith(prefix))  # type: ignore[attr-defined]


async def page(
    session: AsyncSession,
    *,
    reader: Principal | None,
    uscc: str | None,
    region: str | None,
    tier: str | None,
    offset: int,
    limit: int,
) -> tuple[list[Recognition], int]:
    filters = [readable_by(reader)]
    if uscc is not None:
        filters.append(Recognition.enterprise_uscc == uscc.upper())
    if region is not None:
        filters.append(Recognition.region_code.startswith(region))  # type: ignore[attr-defined]
    if tier is not None:
        filters.append(Recognition.tier == tier)
    where = and_(*filters) if filters else false()
    total = (await session.exec(select(func.count()).select_from(Recognition).where(where))).one()
    rows = await session.exec(
        select(Recognition)
        .where(where)
        .order_by(
            Recognition.enterprise_uscc,
            Recognition.factory_name,
            Recognition.year,
            Recognition.tier,
            Recognition.id,
        )
        .offset(offset)
        .limit(limit)
    )
    return list(rows.all()), total


async def add_import(session: AsyncSession, record: RecognitionImport) -> None:
    session.add(record)
    await session.flush()


async def get_import(session: AsyncSession, import_id: uuid.UUID) -> RecognitionImport | None:
    return await session.get(RecognitionImport, import_id)


async def from_self_assessment_import(session: AsyncSession, source: str) -> None:
    """The 基础级 entries of an accepted self-assessment import (`source` import:<id>), in its
    transaction: each row found eligible is recorded, each replaced by one that is not loses
    its self-assessed entry of that year."""
    sa = SelfAssessment.__table__
    await session.execute(
        delete(_T).where(
            sa.c.source == source,
            sa.c.outcome != "eligible",
            _T.c.enterprise_uscc == sa.c.enterprise_uscc,
            _T.c.factory_name == sa.c.factory_name,
            _T.c.year == sa.c.campaign_year,
            _T.c.tier == "basic",
            _T.c.source_kind == "self_assessment",
        )
    )
    chosen = select(
        func.gen_random_uuid(),
        sa.c.enterprise_uscc,
        sa.c.enterprise_name,
        sa.c.factory_name,
        sa.c.region_code,
        literal("basic"),
        sa.c.campaign_year,
        literal(SELF),
        literal("self_assessment"),
        cast(sa.c.id, String),
        sa.c.created_by,
    ).where(sa.c.source == source, sa.c.outcome == "eligible")
    columns = [
        "id", "enterprise_uscc", "enterprise_name", "factory_name", "region_code", "tier",
        "year", "authority", "source_kind", "source_ref", "recorded_by",
    ]  # fmt: skip
    await session.execute(
        insert(_T)
        .from_select(columns, chosen)
        .on_conflict_do_nothing(index_elements=["enterprise_uscc", "factory_name", "tier", "year"])
    )
