"""Routes for enterprises (企业) and factories (工厂)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status
from pydantic import StringConstraints

from ladder.declaration.enterprises import repository, service
from ladder.declaration.enterprises.schemas import (
    EnterpriseCreate,
    EnterprisePatch,
    EnterpriseRead,
    FactoryCreate,
    FactoryOf,
    FactoryRead,
)
from ladder.declaration.errors import EnterpriseExists, EnterpriseNotFound, NotOwnEnterprise
from ladder.kit.auth import PrincipalDep
from ladder.kit.concurrency import IfMatchDep
from ladder.kit.db import SessionDep
from ladder.kit.errors import declare
from ladder.kit.writes import OptionalKeyedWriteDep, answer_json

UsccPath = Annotated[str, Path(min_length=18, max_length=18, description="统一社会信用代码")]

router = APIRouter(prefix="/v1/enterprises", tags=["enterprises"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=EnterpriseRead,
    responses=declare(NotOwnEnterprise, EnterpriseExists),
    summary="Register the caller's enterprise (企业注册)",
)
async def register_enterprise(
    data: EnterpriseCreate, principal: PrincipalDep, write: OptionalKeyedWriteDep
) -> Response:
    """With an Idempotency-Key a retry answers the first 201; without one it is 409
    `enterprise_exists` (the USCC is the natural key)."""
    if (replayed := await write.begin(data)) is not None:
        return replayed
    enterprise = await service.register(write.session, principal, data)
    return await write.answer(service.to_read(principal, enterprise), 201)


MAX_USCCS = 100
"""The most enterprises one batch read names."""
UsccList = Annotated[
    list[Annotated[str, StringConstraints(min_length=18, max_length=18)]],
    Query(
        min_length=1,
        max_length=MAX_USCCS,
        description=f"统一社会信用代码 of each (1 to {MAX_USCCS}; repeat the parameter)",
    ),
]


@router.get(
    "",
    response_model=list[EnterpriseRead],
    responses=declare(),
    summary="Read several enterprises at once (a batch read, by the rule of one read)",
)
async def read_enterprises(
    session: SessionDep,
    principal: PrincipalDep,
    uscc: UsccList,
) -> list[EnterpriseRead]:
    """Each enterprise the caller may read as `GET /v1/enterprises/{uscc}` would answer it,
    in USCC order; one it may not read (or that does not exist) is not in the answer."""
    found = await service.readable_many(session, principal, uscc)
    return [service.to_read(principal, e) for e in found]


@router.get(
    "/factories",
    response_model=list[FactoryOf],
    responses=declare(),
    summary="The factories of several enterprises (a batch read, by the rule of one read)",
)
async def batch_factories(
    session: SessionDep, principal: PrincipalDep, uscc: UsccList
) -> list[FactoryOf]:
    """As `GET /v1/enterprises/{uscc}/factories` answers each enterprise the caller may read,
    with its USCC; the others are not in the answer. (Before `/{uscc}`, which would take
    `factories` for a USCC.)"""
    found = {e.id: e.uscc for e in await service.readable_many(session, principal, uscc)}
    return [
        FactoryOf(
            **FactoryRead.model_validate(f).model_dump(), enterprise_uscc=found[f.enterprise_id]
        )
        for f in await repository.factories_of_many(session, list(found))
    ]


@router.get(
    "/{uscc}",
    response_model=EnterpriseRead,
    responses=declare(EnterpriseNotFound),
    summary="Read an enterprise",
)
async def read_enterprise(uscc: UsccPath, session: SessionDep, principal: PrincipalDep) -> Response:
    enterprise = await service.get_readable(session, principal, uscc)
    return answer_json(service.to_read(principal, enterprise))


@router.patch(
    "/{uscc}",
    response_model=EnterpriseRead,
    responses=declare(EnterpriseNotFound, NotOwnEnterprise),
    summary="Edit the caller's enterprise profile (If-Match required)",
)
async def edit_enterprise(
    uscc: UsccPath,
    data: EnterprisePatch,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> Response:
    enterprise = await service.update_profile(session, principal, uscc, data, if_match)
    return answer_json(service.to_read(principal, enterprise))


@router.post(
    "/{uscc}/factories",
    status_code=status.HTTP_201_CREATED,
    response_model=FactoryRead,
    responses=declare(EnterpriseNotFound, NotOwnEnterprise),
    summary="Add a factory (智能工厂项目) to the caller's enterprise (Idempotency-Key)",
)
async def add_factory(
    uscc: UsccPath, data: FactoryCreate, principal: PrincipalDep, write: OptionalKeyedWriteDep
) -> Response:
    """Send an Idempotency-Key: a retry with it answers the first 201 instead of adding the
    factory twice."""
    if (replayed := await write.begin({"uscc": uscc, **data.model_dump(mode="json")})) is not None:
        return replayed
    factory = await service.add_factory(write.session, principal, uscc, data)
    return await write.answer(FactoryRead.model_validate(factory), 201)


@router.get(
    "/{uscc}/factories",
    response_model=list[FactoryRead],
    responses=declare(EnterpriseNotFound),
    summary="List an enterprise's factories",
)
async def list_factories(
    uscc: UsccPath, session: SessionDep, principal: PrincipalDep
) -> list[FactoryRead]:
    enterprise = await service.get_readable(session, principal, uscc)
    return [
        FactoryRead.model_validate(f) for f in await repository.factories_of(session, enterprise.id)
    ]
