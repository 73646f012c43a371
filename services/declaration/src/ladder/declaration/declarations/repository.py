"""Every query on declarations, their versions and their history."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, false, func, true
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.declaration.declarations.models import (
    Declaration,
    DeclarationTransition,
    DeclarationVersion,
)
from ladder.declaration.enterprises.models import Enterprise, Factory
from ladder.kit.auth import Principal, Role
from ladder.kit.jurisdiction import reach, reach_clauses


@dataclass
class DeclarationRow:
    declaration: Declaration
    enterprise: Enterprise
    factory: Factory
    latest: DeclarationVersion | None


def readable_by(principal: Principal) -> list[Any]:
    """Who may read a declaration, as SQL (used by every read and list):

    - the enterprise itself, whatever the status; Ladder's services;
    - an authority (and the ministry) only once it has been submitted — a draft that never was
      is the enterprise's alone — and only where the review service routed it: the rule of
      `ladder.kit.jurisdiction`, on the recommending unit its events reported.
    Experts and the public read none here (experts see their cases in the review service).
    Every query using it joins the enterprise (a 管委会 covers enterprises by USCC)."""
    if principal.role is Role.service:
        return []
    if principal.role is Role.enterprise:
        return [Enterprise.uscc == principal.org] if principal.org else [false()]
    scope = reach(principal)
    if scope.nothing:
        return [false()]
    submitted = exists().where(col(DeclarationVersion.declaration_id) == Declaration.id)
    return [
        submitted,
        *reach_clauses(
            scope,
            col(Declaration.recommending_unit),
            col(Declaration.region_code),
            col(Enterprise.uscc),
        ),
    ]


async def reads_any_of(
    session: AsyncSession, principal: Principal, enterprise_id: uuid.UUID
) -> bool:
    """Whether `principal` may read some declaration of the enterprise (the XPCC, say, reads
    the profile of an enterprise whose case was routed to it)."""
    found = await session.exec(
        select(Declaration.id)
        .join(Enterprise, Enterprise.id == Declaration.enterprise_id)
        .where(Declaration.enterprise_id == enterprise_id, *readable_by(principal))
        .limit(1)
    )
    return found.first() is not None


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
    session: AsyncSession,
    declaration_id: uuid.UUID,
    *,
    for_update: bool = False,
    reader: Principal | None = None,
) -> DeclarationRow | None:
    """The declaration with its enterprise, factory and latest version, in one round trip
    (the latest version through a lateral join: every read and the submit path use it).
    With `reader`, None unless that principal may read it (`readable_by`)."""
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
    if reader is not None:
        stmt = stmt.where(*readable_by(reader))
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
    reader: Principal,
    status: str | None,
    offset: int,
    limit: int,
) -> tuple[list[DeclarationRow], int]:
    """The declarations `reader` may read (`readable_by`), newest first."""
    stmt = _joined().where(*readable_by(reader))
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


async def live_tiers(
    session: AsyncSession,
    factory_id: uuid.UUID,
    campaign_year: int,
    *,
    besides: uuid.UUID | None = None,
) -> list[tuple[uuid.UUID, str]]:
    """(id, tier) of the factory's declarations in the campaign that are not withdrawn."""
    stmt = select(Declaration.id, Declaration.tier).where(
        Declaration.factory_id == factory_id,
        Declaration.campaign_year == campaign_year,
        Declaration.status != "withdrawn",
    )
    if besides is not None:
        stmt = stmt.where(Declaration.id != besides)
    return [(r[0], r[1]) for r in (await session.exec(stmt)).all()]
