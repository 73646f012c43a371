"""Every query on declarations, their versions and their history."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, false, func, true
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.declaration.declarations.models import (
    Declaration,
    DeclarationTransition,
    DeclarationVersion,
    ExpertGrant,
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
      `ladder.kit.jurisdiction`, on the recommending unit its events reported;
    - an expert (专家) only while the review service grants them access to its latest version,
      the one under review (assigned to its case, not conflicted, the review not ended:
      `review.expert_access_changed`) — a grant on an older version reads nothing, so the
      record's facts are never newer than what the expert was given — and of its versions
      only that one (`version_readable_by`).
    The public reads none here. Anyone else is answered 404, as if it did not exist.
    Every query using it joins the enterprise (a 管委会 covers enterprises by USCC)."""
    if principal.role is Role.service:
        return []
    if principal.role is Role.enterprise:
        return [Enterprise.uscc == principal.org] if principal.org else [false()]
    if principal.role is Role.expert:
        return [_granted(principal, col(Declaration.id), _latest_number())]
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


def _latest_number() -> Any:
    """The number of the declaration's latest submitted version (correlated)."""
    return (
        select(func.max(DeclarationVersion.number))
        .where(col(DeclarationVersion.declaration_id) == Declaration.id)
        .correlate(Declaration)
        .scalar_subquery()
    )


def _granted(principal: Principal, declaration_id: Any, version: Any) -> Any:
    """A live grant of the expert on that version of the declaration."""
    return exists().where(
        col(ExpertGrant.declaration_id) == declaration_id,
        col(ExpertGrant.version) == version,
        col(ExpertGrant.expert) == principal.sub,
        col(ExpertGrant.revoked_at).is_(None),
    )


def version_readable_by(principal: Principal) -> list[Any]:
    """Which submitted versions of a declaration it reads (`readable_by`) a principal reads, as
    SQL on `DeclarationVersion`: every one, except an expert, who reads only the version their
    grant names, and only while it is the latest (the one under review, with its PDF and the
    attachments it lists)."""
    if principal.role is not Role.expert:
        return []
    newer = aliased(DeclarationVersion)
    return [
        _granted(principal, col(DeclarationVersion.declaration_id), col(DeclarationVersion.number)),
        ~exists().where(
            col(newer.declaration_id) == DeclarationVersion.declaration_id,
            col(newer.number) > DeclarationVersion.number,
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


async def read_through(
    session: AsyncSession, principal: Principal, enterprise_ids: Collection[uuid.UUID]
) -> set[uuid.UUID]:
    """Those of the enterprises of which `principal` may read some declaration
    (`reads_any_of`, for many in one query)."""
    if not enterprise_ids:
        return set()
    found = await session.exec(
        select(Declaration.enterprise_id)
        .join(Enterprise, Enterprise.id == Declaration.enterprise_id)
        .where(col(Declaration.enterprise_id).in_(enterprise_ids), *readable_by(principal))
        .distinct()
    )
    return set(found.all())


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
    ids: Sequence[uuid.UUID] | None = None,
    offset: int,
    limit: int,
) -> tuple[list[DeclarationRow], int]:
    """The declarations `reader` may read (`readable_by`), newest first; with `ids`, only
    those."""
    stmt = _joined().where(*readable_by(reader))
    if status is not None:
        stmt = stmt.where(Declaration.status == status)
    if ids is not None:
        stmt = stmt.where(col(Declaration.id).in_(ids))
    total = (await session.exec(select(func.count()).select_from(stmt.subquery()))).one()
    rows = (
        await session.exec(
            stmt.order_by(Declaration.created_at.desc(), Declaration.id).offset(offset).limit(limit)
        )
    ).all()
    return [DeclarationRow(d, e, f, None) for d, e, f in rows], total


async def versions(
    session: AsyncSession, declaration_id: uuid.UUID, *, reader: Principal | None = None
) -> list[DeclarationVersion]:
    """The submitted versions, oldest first; with `reader`, those it reads."""
    stmt = select(DeclarationVersion).where(DeclarationVersion.declaration_id == declaration_id)
    if reader is not None:
        stmt = stmt.where(*version_readable_by(reader))
    rows = await session.exec(stmt.order_by(DeclarationVersion.number))
    return list(rows.all())


async def readable_ids(
    session: AsyncSession, reader: Principal, ids: Collection[uuid.UUID]
) -> set[uuid.UUID]:
    """Those of `ids` that `reader` may read (`readable_by`), in one query."""
    found = await session.exec(
        select(Declaration.id)
        .join(Enterprise, Enterprise.id == Declaration.enterprise_id)
        .where(col(Declaration.id).in_(ids), *readable_by(reader))
    )
    return set(found.all())


async def versions_of(
    session: AsyncSession,
    ids: Collection[uuid.UUID],
    *,
    reader: Principal,
    numbers: Collection[int] | None = None,
) -> list[DeclarationVersion]:
    """The versions of these declarations that `reader` reads (`version_readable_by`; the
    declarations themselves are checked by the caller), or of them those `numbers`; by
    declaration, oldest first."""
    stmt = select(DeclarationVersion).where(
        col(DeclarationVersion.declaration_id).in_(ids), *version_readable_by(reader)
    )
    if numbers is not None:
        stmt = stmt.where(col(DeclarationVersion.number).in_(numbers))
    rows = await session.exec(
        stmt.order_by(col(DeclarationVersion.declaration_id), col(DeclarationVersion.number))
    )
    return list(rows.all())


async def histories(
    session: AsyncSession, ids: Collection[uuid.UUID]
) -> list[DeclarationTransition]:
    """The history of each of these declarations, by declaration, oldest first."""
    rows = await session.exec(
        select(DeclarationTransition)
        .where(col(DeclarationTransition.declaration_id).in_(ids))
        .order_by(col(DeclarationTransition.declaration_id), col(DeclarationTransition.id))
    )
    return list(rows.all())


async def version_numbers(
    session: AsyncSession, declaration_id: uuid.UUID, *, reader: Principal
) -> list[int]:
    """The numbers of the versions `reader` reads (without their content)."""
    rows = await session.exec(
        select(DeclarationVersion.number).where(
            DeclarationVersion.declaration_id == declaration_id, *version_readable_by(reader)
        )
    )
    return list(rows.all())


async def grant(session: AsyncSession, row: ExpertGrant) -> None:
    """Apply one word of the review service on an expert's access: insert the grant, or change
    it unless what it holds is newer (`changed_at`). One statement, so two deliveries racing
    settle on the newest."""
    values = row.model_dump()
    changes = {k: values[k] for k in ("revoked_at", "changed_at", "cause", "expert_id")}
    if row.revoked_at is None:
        changes["granted_at"] = row.granted_at
    stmt = insert(ExpertGrant).values(**values)
    await session.exec(
        stmt.on_conflict_do_update(
            index_elements=["declaration_id", "version", "expert"],
            set_=changes,
            where=col(ExpertGrant.changed_at) <= stmt.excluded.changed_at,
        )
    )


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
