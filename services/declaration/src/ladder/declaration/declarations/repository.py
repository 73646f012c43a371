"""Every query on declarations, their versions and their history."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, true
from sqlalchemy.orm import aliased
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.declaration.declarations.models import (
    Declaration,
    DeclarationTransition,
    DeclarationVersion,
)
from ladder.declaration.enterprises.models import Enterprise, Factory


@dataclass
class DeclarationRow:
    declaration: Declaration
    enterprise: Enterprise
    factory: Factory
    latest: DeclarationVersion | None


def _joined():
    return (
        select(Declaration, Enterprise, Factory)
        .join(Enterprise, Enterprise.id == Declaration.enterprise_id)
        .join(Factory, Factory.id == Declaration.factory_id)
    )


async def latest_version(
    session: AsyncSession, declaration_id: uuid.UUID
) -> DeclarationVersion | None:
    return (
        await session.exec(
            select(DeclarationVersion)
            .where(DeclarationVersion.declaration_id == declaration_id)
            .order_by(DeclarationVersion.number.desc())
            .limit(1)
        )
    ).first()


async def get(
    session: AsyncSession, declaration_id: uuid.UUID, *, for_update: bool = False
) -> DeclarationRow | None:
    """The declaration with its enterprise, factory and latest version, in one round trip
    (the latest version through a lateral join: every read and the submit path use it)."""
    newest = (
        select(DeclarationVersion)
        .where(DeclarationVersion.declaration_id == Declaration.id)
        .order_by(DeclarationVersion.number.desc())
        .limit(1)
        .lateral("latest")
    )
    latest = aliased(DeclarationVersion, newest)
    stmt = (
        _joined()
        .add_columns(latest)
        .outerjoin(newest, true())
        .where(Declaration.id == declaration_id)
    )
    if for_update:
        stmt = stmt.with_for_update(of=Declaration)
    row = (await session.exec(stmt)).first()
    if row is None:
        return None
    declaration, enterprise, factory, version = row
    return DeclarationRow(declaration, enterprise, factory, version)


async def page(
    session: AsyncSession,
    *,
    enterprise_uscc: str | None,
    region_prefix: str | None,
    status: str | None,
    offset: int,
    limit: int,
) -> tuple[list[DeclarationRow], int]:
    """Declarations of one enterprise, or of a region prefix ('' = all)."""
    stmt = _joined()
    if enterprise_uscc is not None:
        stmt = stmt.where(Enterprise.uscc == enterprise_uscc)
    if region_prefix is not None:
        stmt = stmt.where(Declaration.region_code.startswith(region_prefix, autoescape=True))
    if status is not None:
        stmt = stmt.where(Declaration.status == status)
    total = (await session.exec(select(func.count()).select_from(stmt.subquery()))).one()
    rows = (
        await session.exec(
            stmt.order_by(Declaration.created_at.desc(), Declaration.id).offset(offset).limit(limit)
        )
    ).all()
    return [DeclarationRow(d, e, f, None) for d, e, f in rows], total


async def versions(session: AsyncSession, declaration_id: uuid.UUID) -> list[DeclarationVersion]:
    rows = await session.exec(
        select(DeclarationVersion)
        .where(DeclarationVersion.declaration_id == declaration_id)
        .order_by(DeclarationVersion.number)
    )
    return list(rows.all())


async def history(session: AsyncSession, declaration_id: uuid.UUID) -> list[DeclarationTransition]:
    rows = await session.exec(
        select(DeclarationTransition)
        .where(DeclarationTransition.declaration_id == declaration_id)
        .order_by(DeclarationTransition.id)
    )
    return list(rows.all())
