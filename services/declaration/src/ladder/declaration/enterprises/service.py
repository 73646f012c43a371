"""Registering enterprises and their factories."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.declaration import regions
from ladder.declaration.declarations import repository as declarations
from ladder.declaration.enterprises import repository
from ladder.declaration.enterprises.auth import may_act_for, may_read, sees_contacts
from ladder.declaration.enterprises.models import Enterprise, Factory
from ladder.declaration.enterprises.schemas import (
    EnterpriseCreate,
    EnterprisePatch,
    EnterpriseRead,
    FactoryCreate,
)
from ladder.declaration.errors import EnterpriseExists, EnterpriseNotFound, NotOwnEnterprise
from ladder.kit import clock
from ladder.kit.auth import Principal
from ladder.kit.concurrency import bump, locked_for_edit
from ladder.kit.privacy import mask_mobile


async def register(
    session: AsyncSession, principal: Principal, data: EnterpriseCreate
) -> Enterprise:
    if not may_act_for(principal, data.uscc):
        raise NotOwnEnterprise(details={"uscc": data.uscc})
    enterprise = Enterprise(
        uscc=data.uscc,
        name=data.name,
        region_code=data.region_code,
        **_profile(data.model_dump(mode="json", exclude={"uscc", "name", "region_code"})),
    )
    if not await repository.insert_enterprise(session, enterprise):
        raise EnterpriseExists(details={"uscc": data.uscc})
    created = await repository.by_uscc(session, data.uscc)
    assert created is not None
    return created


async def get_readable(session: AsyncSession, principal: Principal, uscc: str) -> Enterprise:
    enterprise = await repository.by_uscc(session, uscc.upper())
    if enterprise is None or not (
        may_read(principal, enterprise)
        or await declarations.reads_any_of(session, principal, enterprise.id)
    ):
        raise EnterpriseNotFound(details={"uscc": uscc})
    return enterprise


async def readable_many(
    session: AsyncSession, principal: Principal, usccs: Sequence[str]
) -> list[Enterprise]:
    """Those of the enterprises named that `principal` may read, by the rule of
    `get_readable` (in two queries, whatever their number); the others are left out, as a
    single read answers them 404."""
    found = await repository.by_usccs(session, {u.upper() for u in usccs})
    unsure = [e.id for e in found if not may_read(principal, e)]
    through = await declarations.read_through(session, principal, unsure)
    return [e for e in found if e.id in through or may_read(principal, e)]


async def add_factory(
    session: AsyncSession, principal: Principal, uscc: str, data: FactoryCreate
) -> Factory:
    enterprise = await get_readable(session, principal, uscc)
    if not may_act_for(principal, enterprise.uscc):
        raise NotOwnEnterprise(details={"uscc": uscc})
    factory = Factory(enterprise_id=enterprise.id, name=data.name, region_code=data.region_code)
    session.add(factory)
    await session.flush()
    await session.refresh(factory)
    return factory


def _profile(values: dict[str, Any]) -> dict[str, Any]:
    """The profile columns from a validated form (JSON-ready values)."""
    return {k: v for k, v in values.items() if k != "name"}


def enterprise_etag(enterprise: Enterprise) -> str:
    return enterprise.etag


def to_read(principal: Principal, enterprise: Enterprise) -> EnterpriseRead:
    read = EnterpriseRead.model_validate(enterprise)
    read.region_name = regions.name(enterprise.region_code)
    read.etag = enterprise_etag(enterprise)
    if not sees_contacts(principal, enterprise):
        for contact in read.contacts:
            contact.mobile = mask_mobile(contact.mobile)
    return read


async def update_profile(
    session: AsyncSession,
    principal: Principal,
    uscc: str,
    data: EnterprisePatch,
    if_match: str | None,
) -> Enterprise:
    """The enterprise edits its own profile; fields sent replace the stored ones (If-Match)."""
    enterprise = await get_readable(session, principal, uscc)
    if not may_act_for(principal, enterprise.uscc):
        raise NotOwnEnterprise(details={"uscc": uscc})
    # Checked under the row lock (issue 12): two writers with one ETag no longer both win.
    locked = await locked_for_edit(session, Enterprise, enterprise.id, if_match, enterprise_etag)
    if locked is None:
        raise EnterpriseNotFound(details={"uscc": uscc})
    enterprise = locked
    for key, value in data.model_dump(mode="json", exclude_unset=True).items():
        setattr(enterprise, key, value)
    bump(enterprise)
    enterprise.updated_at = clock.now()
    await session.flush()
    return enterprise
