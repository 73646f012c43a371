"""The queries of the printed copy and its verification."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.declaration.campaigns.models import Campaign
from ladder.declaration.declarations.models import Declaration, DeclarationVersion
from ladder.declaration.declarations.repository import version_readable_by
from ladder.declaration.enterprises.models import Enterprise, Factory
from ladder.kit.auth import Principal


@dataclass
class FingerprintedVersion:
    version: DeclarationVersion
    declaration: Declaration
    enterprise: Enterprise
    factory: Factory
    campaign: Campaign | None


async def version(
    session: AsyncSession, declaration_id: uuid.UUID, number: int, *, reader: Principal
) -> DeclarationVersion | None:
    """Version `number`, if `reader` reads it (`version_readable_by`: an expert only theirs)."""
    return (
        await session.exec(
            select(DeclarationVersion).where(
                DeclarationVersion.declaration_id == declaration_id,
                DeclarationVersion.number == number,
                *version_readable_by(reader),
            )
        )
    ).first()


async def campaign(session: AsyncSession, year: int) -> Campaign | None:
    return await session.get(Campaign, year)


async def by_fingerprint(session: AsyncSession, fingerprint: str) -> FingerprintedVersion | None:
    """The version with this fingerprint (indexed). The content hashed names its declaration
    and version number, so two versions cannot share one; the first is taken all the same."""
    row = (
        await session.exec(
            select(DeclarationVersion, Declaration, Enterprise, Factory)
            .join(Declaration, Declaration.id == DeclarationVersion.declaration_id)
            .join(Enterprise, Enterprise.id == Declaration.enterprise_id)
            .join(Factory, Factory.id == Declaration.factory_id)
            .where(DeclarationVersion.fingerprint == fingerprint)
            .order_by(DeclarationVersion.submitted_at, DeclarationVersion.id)
            .limit(1)
        )
    ).first()
    if row is None:
        return None
    version_, declaration, enterprise, factory = row
    return FingerprintedVersion(
        version_,
        declaration,
        enterprise,
        factory,
        await campaign(session, declaration.campaign_year),
    )
