"""Registering enterprises and their factories."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.declaration.enterprises import repository
from ladder.declaration.enterprises.auth import may_act_for, may_read
from ladder.declaration.enterprises.models import Enterprise, Factory
from ladder.declaration.enterprises.schemas import EnterpriseCreate, FactoryCreate
from ladder.declaration.errors import EnterpriseExists, EnterpriseNotFound, NotOwnEnterprise
from ladder.kit.auth import Principal


async def register(
    session: AsyncSession, principal: Principal, data: EnterpriseCreate
) -> Enterprise:
    if not may_act_for(principal, data.uscc):
        raise NotOwnEnterprise(details={"uscc": data.uscc})
    enterprise = Enterprise(uscc=data.uscc, name=data.name, region_code=data.region_code)
    if not await repository.insert_enterprise(session, enterprise):
        raise EnterpriseExists(details={"uscc": data.uscc})
    created = await repository.by_uscc(session, data.uscc)
    assert created is not None
    return created


async def get_readable(session: AsyncSession, principal: Principal, uscc: str) -> Enterprise:
    enterprise = await repository.by_uscc(session, uscc.upper())
    if enterprise is None or not may_read(principal, enterprise):
        raise EnterpriseNotFound(details={"uscc": uscc})
    return enterprise


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
