"""Every query on enterprises and factories."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.declaration.enterprises.models import Enterprise, Factory


async def insert_enterprise(session: AsyncSession, enterprise: Enterprise) -> bool:
    """Insert unless the USCC exists; True if inserted."""
    row = (
        await session.execute(
            insert(Enterprise.__table__)
            .values(
                id=enterprise.id,
                uscc=enterprise.uscc,
                name=enterprise.name,
                region_code=enterprise.region_code,
                address=enterprise.address,
                nature=enterprise.nature,
                industry=enterprise.industry,
                operating_regions=enterprise.operating_regions,
                above_scale=enterprise.above_scale,
                legal_form=enterprise.legal_form,
                central_soe_group=enterprise.central_soe_group,
                contacts=enterprise.contacts,
            )
            .on_conflict_do_nothing(index_elements=["uscc"])
            .returning(Enterprise.__table__.c.id)
        )
    ).first()
    return row is not None


async def by_uscc(session: AsyncSession, uscc: str) -> Enterprise | None:
    return (await session.exec(select(Enterprise).where(Enterprise.uscc == uscc))).first()


async def by_usccs(session: AsyncSession, usccs: Collection[str]) -> list[Enterprise]:
    """The enterprises with these USCCs, in USCC order (those that exist)."""
    rows = await session.exec(
        select(Enterprise).where(col(Enterprise.uscc).in_(usccs)).order_by(col(Enterprise.uscc))
    )
    return list(rows.all())


async def by_id(session: AsyncSession, enterprise_id: uuid.UUID) -> Enterprise | None:
    return await session.get(Enterprise, enterprise_id)


async def factory(session: AsyncSession, factory_id: uuid.UUID) -> Factory | None:
    return await session.get(Factory, factory_id)


async def lock_factory(session: AsyncSession, factory_id: uuid.UUID) -> None:
    """Hold the factory's row until commit: its declarations are checked one at a time."""
    await session.exec(select(Factory.id).where(Factory.id == factory_id).with_for_update())


async def factories_of(session: AsyncSession, enterprise_id: uuid.UUID) -> list[Factory]:
    rows = await session.exec(
        select(Factory).where(Factory.enterprise_id == enterprise_id).order_by(Factory.created_at)
    )
    return list(rows.all())


async def factories_of_many(
    session: AsyncSession, enterprise_ids: Collection[uuid.UUID]
) -> list[Factory]:
    """The factories of these enterprises, by enterprise, oldest first."""
    rows = await session.exec(
        select(Factory)
        .where(col(Factory.enterprise_id).in_(enterprise_ids))
        .order_by(col(Factory.enterprise_id), col(Factory.created_at))
    )
    return list(rows.all())
